/**
 * A first ("direct") full run writes each page as it is read and publishes the people it wrote at
 * its end, read back from observed state. Real stores, an in-memory connector, a recording publisher.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ingest } from '../../src/ingest/ingest.js';
import type { ChangePublisher, PersonChange } from '../../src/ingest/records.js';
import type { Connector, ConnectorPage, SourceUser } from '../../src/connector/connector.js';
import { ConnectorError } from '../../src/connector/errors.js';
import { runSync } from '../../src/sync/run-sync.js';
import { STORE_KINDS, openTestStore, type TestStore } from '../helpers/db.js';

class RecordingPublisher implements ChangePublisher {
  readonly changes: PersonChange[] = [];
  async publish(changes: readonly PersonChange[]): Promise<void> {
    this.changes.push(...changes);
  }
}

const users = (from: number, count: number): SourceUser[] =>
  Array.from({ length: count }, (_, i) => ({ externalId: `ext-${from + i}`, userName: `u${from + i}`, email: `U${from + i}@Example.com`, active: true }));

/** Yields `pages`, then fails when `failAfter` is set. */
function connector(pages: ConnectorPage[], failAfter = false): Connector {
  return {
    kind: 'ldap',
    async *full() {
      for (const page of pages) yield page;
      if (failAfter) throw new ConnectorError('connector_timeout', 'ldap source "corp": the directory stopped answering', { sourceId: 'corp' });
    },
  };
}

describe.each(STORE_KINDS)('a direct full run (%s)', (kind) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await openTestStore(kind);
    await store.db.query(`insert into sources (id, kind) values ('corp', 'ldap')`);
  });
  afterEach(async () => store.close());

  const run = async (c: Connector, runId: string, db = store.db) => {
    const publisher = new RecordingPublisher();
    const ingest = new Ingest({ db, changes: publisher });
    const outcome = await runSync({ db, ingest, connector: c, source: { id: 'corp', maxDeletes: 10 }, runId, mode: 'full', cursor: undefined });
    return { outcome, keys: publisher.changes.map((ch) => ch.key).sort() };
  };

  it('publishes every person it wrote once, at its end', async () => {
    const { outcome, keys } = await run(connector([{ users: users(0, 3) }, { users: users(3, 2), cursor: 'c1' }]), randomUUID());
    expect(outcome.error).toBeUndefined();
    expect(outcome).toMatchObject({ status: 'succeeded', detail: { direct: true } });
    expect(keys).toEqual(['u0@example.com', 'u1@example.com', 'u2@example.com', 'u3@example.com', 'u4@example.com']);
  });

  it('when it fails part-way, still publishes the people whose users it had written', async () => {
    const { outcome, keys } = await run(connector([{ users: users(0, 2) }, { users: users(2, 2) }], true), randomUUID());
    expect(outcome).toMatchObject({ status: 'failed', errorCode: 'connector_timeout' });
    const written = await store.db.query<{ n: number }>(`select count(*)::int as n from source_users where source_id = 'corp' and deleted_at is null`);
    expect(written.rows[0]?.n).toBe(4);
    expect(keys).toEqual(['u0@example.com', 'u1@example.com', 'u2@example.com', 'u3@example.com']);
  });

  it('when refreshing statistics fails, fails the run and still publishes each person it wrote once', async () => {
    // The store, but `analyze` (which runs while the written users are published) fails.
    const failing = { ...store.db, query: (text: string, params?: readonly unknown[]) => (text.startsWith('analyze') ? Promise.reject(new Error('statistics unavailable')) : store.db.query(text, params)) };
    const { outcome, keys } = await run(connector([{ users: users(0, 3), cursor: 'c1' }]), randomUUID(), failing as typeof store.db);
    expect(outcome).toMatchObject({ status: 'failed', cursor: undefined });
    expect(outcome.error).toContain('statistics unavailable');
    expect(keys).toEqual(['u0@example.com', 'u1@example.com', 'u2@example.com']);
  });
});
