/**
 * The HTTP methods RFC 9110 (§9.2.1) calls safe: they change nothing. The console asks no CSRF token
 * for them, and the admin API logs only the others at `info`, as changes.
 */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
