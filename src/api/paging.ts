import { badRequest } from './errors.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

export function parseLimit(value: unknown): number {
  if (value === undefined || value === '') return DEFAULT_LIMIT;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) throw badRequest(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  return n;
}

/** Cursors are opaque to clients: base64url JSON of the last row's sort key. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(value: unknown, check: (v: unknown) => v is T): T | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(String(value), 'base64url').toString('utf8'));
    if (check(parsed)) return parsed;
  } catch {
    // fall through
  }
  throw badRequest('invalid cursor');
}

/** The check of a cursor whose sort key is one text value (an e-mail, a workspace id). */
export function isTextKey(value: unknown): value is string {
  return typeof value === 'string';
}

/** Given `limit + 1` rows, the page and the cursor of the next one. */
export function page<T>(rows: T[], limit: number, key: (row: T) => unknown): { items: T[]; next: string | null } {
  if (rows.length <= limit) return { items: rows, next: null };
  const items = rows.slice(0, limit);
  return { items, next: encodeCursor(key(items[items.length - 1] as T)) };
}

export function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`${name} must be given once`);
  return value === '' ? undefined : value;
}
