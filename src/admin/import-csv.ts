import { parse } from 'csv-parse/sync';
import { emailKey, isInternalEmail } from '../domain/email.js';
import { isRole, type Role } from '../domain/roles.js';

/** The columns of `config/users-import-template.csv`. */
const IMPORT_COLUMNS = ['email', 'firstName', 'lastName', 'company', 'role', 'validUntil'] as const;
const REQUIRED = ['email', 'role'] as const;
const MAX_ROWS = 50_000;

export interface ImportRow {
  /** The line of the file the record ends on (the header is line 1). */
  line: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  role: Role;
  /** Asked-for validity, or null to use the default. */
  validUntil: Date | null;
  external: boolean;
}

export interface ImportLineError {
  line: number;
  /** The column at fault, when one is. */
  field?: string;
  message: string;
}

export interface ParsedImport {
  rows: ImportRow[];
  errors: ImportLineError[];
}

export interface ParseImportOptions {
  now: Date;
  internalDomains: readonly string[];
  maxExtensionMs: number;
}

/**
 * Parses and validates an import file, every line, collecting every error with its line number —
 * nothing is applied unless there are none. Pure: checks against the database come later.
 */
export function parseImportCsv(text: string, options: ParseImportOptions): ParsedImport {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (error) {
    const line = (error as { lines?: unknown }).lines;
    return { rows: [], errors: [{ line: typeof line === 'number' ? line : 1, message: `not valid CSV: ${(error as Error).message}` }] };
  }
  const header = records[0];
  if (!header) return { rows: [], errors: [{ line: 1, message: 'the file is empty; expected a header line: ' + IMPORT_COLUMNS.join(',') }] };
  const errors: ImportLineError[] = [];
  const columns = header.record.map((c) => c.trim());
  const unknown = columns.filter((c) => !(IMPORT_COLUMNS as readonly string[]).includes(c));
  if (unknown.length > 0) errors.push({ line: header.info.lines, message: `unknown column(s) ${unknown.join(', ')}; expected ${IMPORT_COLUMNS.join(',')}` });
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (missing.length > 0) errors.push({ line: header.info.lines, message: `missing column(s) ${missing.join(', ')}` });
  if (errors.length > 0) return { rows: [], errors };
  if (records.length === 1) return { rows: [], errors: [{ line: header.info.lines, message: 'the file has no users after the header' }] };
  if (records.length - 1 > MAX_ROWS) return { rows: [], errors: [{ line: header.info.lines, message: `at most ${MAX_ROWS} users per import` }] };

  const rows: ImportRow[] = [];
  const seen = new Map<string, number>();
  const maxUntil = options.now.getTime() + options.maxExtensionMs;
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    const lineErrors: ImportLineError[] = [];
    if (record.length !== columns.length) {
      errors.push({ line, message: `expected ${columns.length} fields, found ${record.length}` });
      continue;
    }
    const get = (name: string): string | null => {
      const i = columns.indexOf(name);
      const v = i < 0 ? undefined : record[i];
      return v === undefined || v === '' ? null : v;
    };
    const rawEmail = get('email');
    const email = emailKey(rawEmail);
    if (!email) lineErrors.push({ line, field: 'email', message: rawEmail ? `"${rawEmail}" is not an e-mail address` : 'email is required' });
    else if (seen.has(email)) lineErrors.push({ line, field: 'email', message: `${email} already appears on line ${seen.get(email)}` });
    else seen.set(email, line);
    const rawRole = get('role')?.toLowerCase() ?? null;
    if (!isRole(rawRole)) lineErrors.push({ line, field: 'role', message: rawRole ? `role "${rawRole}" is not admin, editor or viewer` : 'role is required' });
    const external = email !== null && !isInternalEmail(email, options.internalDomains);
    const company = get('company');
    if (external && !company) lineErrors.push({ line, field: 'company', message: `${email} is an external user: company is required` });
    const rawUntil = get('validUntil');
    let validUntil: Date | null = null;
    if (rawUntil !== null) {
      // A date alone means "through that day" (UTC).
      const date = /^\d{4}-\d{2}-\d{2}$/.test(rawUntil) ? new Date(`${rawUntil}T23:59:59.999Z`) : new Date(rawUntil);
      if (Number.isNaN(date.getTime())) lineErrors.push({ line, field: 'validUntil', message: `"${rawUntil}" is not a date (YYYY-MM-DD or ISO-8601)` });
      else if (date.getTime() <= options.now.getTime()) lineErrors.push({ line, field: 'validUntil', message: `${rawUntil} is in the past` });
      else if (date.getTime() > maxUntil) lineErrors.push({ line, field: 'validUntil', message: `${rawUntil} is beyond lifecycle.maxExtension from now (${new Date(maxUntil).toISOString().slice(0, 10)})` });
      else validUntil = date;
    }
    for (const [field, value] of [['firstName', get('firstName')], ['lastName', get('lastName')], ['company', company]] as const) {
      if (value !== null && value.length > 200) lineErrors.push({ line, field, message: `${field} is longer than 200 characters` });
    }
    if (lineErrors.length > 0 || !email || !isRole(rawRole)) {
      errors.push(...lineErrors);
      continue;
    }
    rows.push({ line, email, firstName: get('firstName'), lastName: get('lastName'), company, role: rawRole, validUntil, external });
  }
  return { rows, errors };
}
