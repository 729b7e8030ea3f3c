const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `text` casts to `uuid`: text that does not names no row, and casting it would fail the query. */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}
