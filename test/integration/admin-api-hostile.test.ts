/**
 * The admin API with hostile input, on both stores: the literal requests the fuzzer
 * (test/fuzz/admin-api-fuzz.test.ts) found answered with a 500 or a library's words, the CSV export
 * of permissions with formulas in its cells, and imports too big or broken to be a real file.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApp, type AdminApp } from '../helpers/admin-app.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/db.js';

type ErrorBody = { error: { code: string; message: string; lines?: Array<{ line: number; message: string }> } };
const CONFIG = { organization: { internalDomains: ['example.com'] }, sources: [{ id: 'hr', kind: 'scim' }] };

describe.each(STORE_KINDS)('admin API with hostile input (%s)', (kind) => {
  let store: TestStore;
  let app: AdminApp;
  let seq = 0;

  beforeAll(async () => {
    store = await openTestStore(kind);
    app = await startAdminApp(store.db, CONFIG);
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  async function workspace(): Promise<string> {
    const id = `hostile${++seq}`;
    expect((await app.call('POST', '/workspaces', { body: { id, name: id } })).status).toBe(201);
    return id;
  }

  it('a path parameter that is not UTF-8 once decoded (/workspaces/%FF/imports): 400 invalid_path in our words', async () => {
    const res = await app.call<ErrorBody>('POST', '/workspaces/%FF/imports?dryRun=true', { body: 'email,firstName,lastName,company,role,validUntil\n', contentType: 'text/csv' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_path', message: 'the request path is not valid: a percent-encoded part does not decode to UTF-8' } });
  });

  it('a NUL character in an e-mail (PostgreSQL refuses it): 400 invalid_value, not 500', async () => {
    const ws = await workspace();
    const res = await app.call<ErrorBody>('POST', `/workspaces/${ws}/members`, { body: { email: 'a\u0000b@example.com', role: 'admin', validUntil: '2026-06-01T00:00:00Z' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_value');
  });

  it('malformed JSON and a body that does not decompress: 400 in our words, not the parser\'s', async () => {
    const ws = await workspace();
    const malformed = await app.call<ErrorBody>('POST', `/workspaces/${ws}/members`, { body: '{"email":', contentType: 'application/json' });
    expect(malformed.body).toEqual({ error: { code: 'invalid_json', message: 'the request body is not valid JSON' } });
    const res = await fetch(`${app.url}/api/v1/workspaces/${ws}/members`, { method: 'POST', headers: { authorization: 'Bearer system-token-admin-tests', 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'invalid_request', message: 'the request body cannot be read' } });
  });

  it('the CSV export of permissions neutralises cells that begin with =, +, - or @ (a leading single quote)', async () => {
    const ws = await workspace();
    const hostile = ["=cmd|'/ccalc'!a0@example.com", '+1+1@example.com', '-2+3@example.com', 'plain@example.com'];
    for (const email of hostile) {
      const res = await app.call('POST', `/workspaces/${ws}/members`, { body: { email, role: 'viewer' } });
      expect(res.status, `${email}: ${res.text}`).toBe(201);
    }
    const csv = await app.call('GET', `/permissions?workspace=${ws}`, { accept: 'text/csv' });
    expect(csv.status).toBe(200);
    const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r['email']).sort()).toEqual(["'+1+1@example.com", "'-2+3@example.com", "'=cmd|'/ccalc'!a0@example.com", 'plain@example.com']);
    for (const row of rows) for (const cell of Object.values(row)) expect(cell, `a cell that a spreadsheet would run: ${cell}`).not.toMatch(/^[=+\-@\t\r]/);
    // The JSON view is data, not a spreadsheet: it keeps the addresses as they are.
    const json = await app.call<{ permissions: Array<{ email: string }> }>('GET', `/permissions?workspace=${ws}`);
    expect(json.body.permissions.map((p) => p.email)).toContain("=cmd|'/ccalc'!a0@example.com");
  });

  it('a CSV export asked for with a NUL in ?workspace=%00: a 400, not a 200 cut off mid-file', async () => {
    const res = await app.call<ErrorBody>('GET', '/permissions?workspace=%00', { accept: 'text/csv' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_value');
  });

  it('imports with formulas, broken quoting and BOMs are refused line by line, or imported as plain text', async () => {
    const ws = await workspace();
    const broken = await app.call<ErrorBody>('POST', `/workspaces/${ws}/imports?dryRun=true`, { body: '\ufeffemail,role\n"unterminated@example.com,viewer\n', contentType: 'text/csv' });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('invalid_import');
    const formulas = "\ufeffemail,firstName,lastName,company,role,validUntil\n=1+1@example.com,=HYPERLINK(\"http://x\"),@x,+1,viewer,\n";
    const dry = await app.call<{ import?: { changes: Array<{ email: string }> } } & Partial<ErrorBody>>('POST', `/workspaces/${ws}/imports?dryRun=true`, { body: formulas, contentType: 'text/csv' });
    expect(dry.status, dry.text).toBeLessThan(500);
    expect([200, 400]).toContain(dry.status);
  });

  it('an import of 100,000 lines is answered within seconds: refused as too long, nothing written', async () => {
    const ws = await workspace();
    const lines = Array.from({ length: 100_000 }, (_, i) => `bulk${i}@example.com,viewer`);
    const started = Date.now();
    const res = await app.call<ErrorBody>('POST', `/workspaces/${ws}/imports`, { body: `email,role\n${lines.join('\n')}\n`, contentType: 'text/csv' });
    const seconds = (Date.now() - started) / 1000;
    expect(res.status, res.text.slice(0, 300)).toBe(400);
    expect(res.body.error.code).toBe('invalid_import');
    expect(seconds).toBeLessThan(30);
    const members = await app.call<{ members: unknown[] }>('GET', `/workspaces/${ws}/members`);
    expect(members.body.members).toEqual([]);
  });
});
