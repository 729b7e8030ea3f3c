import * as crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTestStore, type TestStore } from '../../../test/helpers/db.js';
import { hashToken } from '../../domain/secret-tokens.js';
import type { Queryable } from '../../store/db.js';
import { insertSourceToken, revokeToken } from '../../store/tokens/api-tokens.js';
import { SourceTokens } from './source-tokens.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

describe('SourceTokens', () => {
  let store: TestStore;
  const clock = { now: new Date('2026-03-01T12:00:00Z') };
  const advance = (ms: number) => (clock.now = new Date(clock.now.getTime() + ms));

  beforeAll(async () => {
    store = await openTestStore('pglite');
    await store.db.query(`insert into sources (id, kind) values ('idp', 'scim'), ('dir', 'ldap')`);
  });
  afterAll(async () => {
    await store?.close();
  });

  async function stored(secret: string, options: { sourceId?: string; expiresAt?: Date } = {}): Promise<string> {
    const r = await insertSourceToken(store.db, { hash: hashToken(secret), sourceId: options.sourceId ?? 'idp', createdAt: clock.now, expiresAt: options.expiresAt ?? null });
    if (!r.issued) throw new Error(r.reason);
    return r.token.id;
  }
  const lastUsed = async (id: string) => (await store.db.query<{ last_used_at: Date | null }>('select last_used_at from api_tokens where id = $1', [id])).rows[0]?.last_used_at ?? null;

  it('compares the presented token with every configured one in constant time, also after a match', async () => {
    const tokens = new SourceTokens({ db: store.db, configured: [{ sourceId: 'a', token: 'token-a' }, { sourceId: 'b', token: 'token-b' }, { sourceId: 'c', token: 'token-c' }] });
    vi.mocked(crypto.timingSafeEqual).mockClear();
    expect(await tokens.sourceOf('token-a')).toBe('a');
    expect(vi.mocked(crypto.timingSafeEqual)).toHaveBeenCalledTimes(3);
  });

  it('accepts several live tokens of one source; a revoked one keeps working at most cacheMs (2 s) elsewhere, and not at all after forget', async () => {
    const tokens = new SourceTokens({ db: store.db, configured: [], now: () => clock.now });
    const first = await stored('rotation-old');
    await stored('rotation-new');
    expect(await tokens.sourceOf('rotation-old')).toBe('idp');
    expect(await tokens.sourceOf('rotation-new')).toBe('idp');

    // Revoked by another process: this one trusts its cache for at most 2 s.
    await revokeToken(store.db, first, { at: clock.now });
    advance(1900);
    expect(await tokens.sourceOf('rotation-old')).toBe('idp');
    advance(200);
    expect(await tokens.sourceOf('rotation-old')).toBeUndefined();
    expect(await tokens.sourceOf('rotation-new')).toBe('idp');

    // Revoked through this process: forgotten at once.
    const third = await stored('rotation-third');
    expect(await tokens.sourceOf('rotation-third')).toBe('idp');
    await revokeToken(store.db, third, { at: clock.now });
    tokens.forget(third);
    expect(await tokens.sourceOf('rotation-third')).toBeUndefined();
  });

  it('trusts its cache only for what it found in the current revocation session, and not a lookup a revocation overtook', async () => {
    const watch: { session: number | undefined } = { session: undefined };
    let queries = 0;
    const db: Queryable = { query: (text, params) => (queries++, store.db.query(text, params)) };
    const tokens = new SourceTokens({ db, configured: [], now: () => clock.now, revocations: watch });
    const id = await stored('watched');
    const lookedUp = async () => {
      const before = queries;
      expect(await tokens.sourceOf('watched')).toBe('idp');
      return queries > before;
    };

    expect([await lookedUp(), await lookedUp()], 'not subscribed: every request looks up').toEqual([true, true]);
    watch.session = 1;
    expect([await lookedUp(), await lookedUp()], 'subscribed: cached').toEqual([true, false]);
    watch.session = undefined;
    expect(await lookedUp(), 'subscription lost: the cache is not trusted').toBe(true);
    watch.session = 2;
    expect(await lookedUp(), 'subscribed again: entries from before the break are not trusted').toBe(true);
    expect(await lookedUp()).toBe(false);

    // A revocation heard while a lookup is under way: the lookup's answer may predate it, so it is not kept.
    tokens.forget(id);
    const pending = tokens.sourceOf('watched');
    tokens.forget(id);
    expect(await pending).toBe('idp');
    expect(await lookedUp(), 'the overtaken lookup was not cached').toBe(true);
  });

  it('refuses a token past its expiry, even one it has cached, and a token of a source that is not kind: scim', async () => {
    const tokens = new SourceTokens({ db: store.db, configured: [], now: () => clock.now });
    await stored('expiring', { expiresAt: new Date(clock.now.getTime() + 1000) });
    expect(await tokens.sourceOf('expiring')).toBe('idp');
    advance(1001);
    expect(await tokens.sourceOf('expiring')).toBeUndefined();

    await store.db.query(`insert into api_tokens (token_hash, kind, source_id) values ($1, 'source', 'dir')`, [hashToken('ldap-token')]);
    expect(await tokens.sourceOf('ldap-token')).toBeUndefined();
  });

  it('records the last use at most once a minute', async () => {
    const tokens = new SourceTokens({ db: store.db, configured: [], now: () => clock.now });
    const id = await stored('busy');
    const firstUse = clock.now;
    expect(await tokens.sourceOf('busy')).toBe('idp');
    expect(await lastUsed(id)).toEqual(firstUse);
    advance(30_000); // past the cache, within the minute: looked up again, not written
    expect(await tokens.sourceOf('busy')).toBe('idp');
    expect(await lastUsed(id)).toEqual(firstUse);
    advance(31_000);
    expect(await tokens.sourceOf('busy')).toBe('idp');
    expect(await lastUsed(id)).toEqual(clock.now);
  });
});
