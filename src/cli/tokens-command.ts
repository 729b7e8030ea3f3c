import { daemonRequest, type DaemonClientOptions } from './daemon-client.js';

interface TokenView {
  id: string;
  kind: 'source' | 'person';
  subject: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

/**
 * `idsync tokens create --source <id>` / `--person <email>` `[--expires-in P30D]`: asks the daemon
 * for a new token and prints it — the only time it is shown. Returns the exit code.
 */
export async function tokensCreateCommand(
  client: DaemonClientOptions,
  options: { source?: string; person?: string; expiresIn?: string },
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  if ((options.source === undefined) === (options.person === undefined)) {
    err.write('idsync tokens create: give exactly one of --source <id> or --person <email>\n');
    return 2;
  }
  const subject = options.source !== undefined ? { source: options.source } : { person: options.person };
  const body = options.expiresIn !== undefined ? { ...subject, expiresIn: options.expiresIn } : subject;
  const result = await daemonRequest<{ token: string; id: string; expiresAt: string | null }>(client, 'POST', '/tokens', body);
  out.write(`${result.token}\n`);
  const what = options.source !== undefined ? `a SCIM bearer token for source "${options.source}"` : `an admin API token acting as ${options.person}`;
  const until = result.expiresAt ? `, valid until ${result.expiresAt}` : '';
  err.write(`${what} (id ${result.id}${until}): it is shown only now\n`);
  return 0;
}

/** `idsync tokens list [--json]`: every live token the caller may see, page after page. Never a secret. */
export async function tokensListCommand(client: DaemonClientOptions, options: { json?: boolean }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const tokens: TokenView[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '?limit=1000' : `?limit=1000&cursor=${encodeURIComponent(cursor)}`;
    const page: { tokens: TokenView[]; next: string | null } = await daemonRequest(client, 'GET', `/tokens${query}`);
    tokens.push(...page.tokens);
    cursor = page.next;
  } while (cursor !== null);
  if (options.json) {
    out.write(`${JSON.stringify({ tokens }, null, 2)}\n`);
    return 0;
  }
  const header = ['ID', 'KIND', 'SUBJECT', 'CREATED', 'LAST USED', 'EXPIRES'];
  const rows = [header, ...tokens.map((t) => [t.id, t.kind, t.subject, minute(t.createdAt), minute(t.lastUsedAt) || 'never', minute(t.expiresAt) || 'never'])];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) out.write(`${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] as number))).join('  ')}\n`);
  return 0;
}

/** `idsync tokens revoke <id>`: the token stops working. */
export async function tokensRevokeCommand(client: DaemonClientOptions, id: string, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  await daemonRequest(client, 'DELETE', `/tokens/${encodeURIComponent(id)}`);
  err.write(`token ${id} revoked\n`);
  return 0;
}

/** `2026-03-01T12:00:00.000Z` → `2026-03-01 12:00Z`. */
function minute(iso: string | null): string {
  return iso === null ? '' : `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}
