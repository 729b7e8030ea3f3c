/**
 * The `rel="next"` target of an RFC 8288 `Link` header
 * (`<https://…/api/v1/users?after=00u…&limit=200>; rel="next"`), or `undefined`.
 */
export function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /(^|;)\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(m[2] as string)) return m[1];
  }
  return undefined;
}
