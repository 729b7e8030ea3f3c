/**
 * `If-Match` / `If-None-Match` against a resource's version (RFC 7644 §3.14, RFC 7232). ETags are
 * weak (`W/"<version>"`), the version being the row's observed-state version; `*` matches any.
 * Comparison is weak: `"7"` matches `W/"7"`.
 */
import { ScimError } from './scim-error.js';

function tags(header: string): string[] {
  return header.split(',').map((t) => t.trim().replace(/^W\//i, '')).filter((t) => t !== '');
}

export function matchesEtag(header: string, version: number): boolean {
  return tags(header).some((t) => t === '*' || t === `"${version}"`);
}

/** @throws ScimError 412 when `If-Match` is given and names another version. */
export function checkIfMatch(ifMatch: string | undefined, version: number): void {
  if (ifMatch === undefined || ifMatch.trim() === '') return;
  if (!matchesEtag(ifMatch, version)) {
    throw new ScimError(412, undefined, `The resource has changed: its version is W/"${version}", not ${ifMatch.slice(0, 100)}`);
  }
}
