/**
 * One CSV cell of an export meant to be opened in a spreadsheet (RFC 4180 quoting, OWASP's CSV
 * injection advice): a value that begins with `=`, `+`, `-`, `@`, a tab or a carriage return would
 * be read as a formula — `=cmd|' /C calc'!A0` runs a program — so it gets a leading single quote,
 * which spreadsheets show as text; a value with a comma, a quote or a line break is quoted, its
 * quotes doubled. https://owasp.org/www-community/attacks/CSV_Injection
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string | null): string {
  if (value === null) return '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
