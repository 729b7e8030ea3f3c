const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** A page without script that says why a sign-in did not succeed, and leads back to the start. */
export function refusalPage(title: string, reason: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · idsync</title><link rel="stylesheet" href="/console/style.css"></head>
<body><main class="signin"><h1>idsync</h1>
<section class="card" role="alert"><h2>${escapeHtml(title)}</h2><p>${escapeHtml(reason)}</p>
<p><a class="button" href="/console/">Back to sign-in</a></p></section></main></body>
</html>
`;
}
