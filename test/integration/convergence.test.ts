import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcilePeople } from '../../src/reconcile/reconcile-people.js';
import { reconcileContext } from '../../src/reconcile/context.js';
import type { PersonChange } from '../../src/ingest/records.js';
import { parseConfig } from '../../src/config/load.js';
import type { Db } from '../../src/store/db.js';
import { registerConfig } from '../../src/store/registry.js';
import { Ingest } from '../../src/ingest/ingest.js';
import { createPostgresDb } from '../../src/store/postgres.js';
import { group, user } from '../helpers/data.js';
import { openTestStore, type TestStore } from '../helpers/db.js';
import { createPipeline } from '../helpers/pipeline.js';

const RAW = {
  organization: { internalDomains: ['example.com'] },
  sources: [{ id: 'hr', kind: 'scim' }],
  workspaces: [
    { id: 'w1', name: 'W1', roles: { admin: [{ source: 'hr', group: 'g0' }], editor: [{ source: 'hr', group: 'g1' }], viewer: [{ source: 'hr', group: 'g2' }] } },
    { id: 'w2', name: 'W2', roles: { editor: [{ source: 'hr', group: 'g3' }], viewer: [{ source: '*', group: 'g4' }] } },
  ],
};
const config = parseConfig(RAW);

/** Granted state without ids or timestamps: what must be identical however the changes arrived. */
async function grantedState(db: Db): Promise<string[]> {
  const rows = await db.query<{ line: string }>(
    `select p.email || ' ' || m.workspace_id || ' ' || m.role || ' ' || m.status || ' ' || m.origin as line
       from memberships m join people p on p.id = m.person_id order by 1`,
  );
  const people = await db.query<{ line: string }>(`select email || ' ' || status || ' ' || kind as line from people order by 1`);
  return [...rows.rows.map((r) => r.line), ...people.rows.map((r) => `person ${r.line}`)];
}

/** 2,000 people in 5 groups with memberships that change over several rounds. */
async function seed(db: Db, people: number, round: number): Promise<void> {
  const ingest = new Ingest({ db, changes: { publish: async () => {} } });
  const users = Array.from({ length: people }, (_, i) => user('hr', i, { active: (i + round) % 7 !== 0 }));
  await ingest.writeUsers('hr', users);
  await ingest.writeGroups(
    'hr',
    Array.from({ length: 5 }, (_, k) => group('hr', `g${k}`, users.filter((_, i) => (i * (round + 1) + k) % 5 < 2).map((u) => u.id))),
  );
}

describe('convergence', () => {
  const stores: TestStore[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });
  async function store(): Promise<TestStore> {
    const s = await openTestStore('postgres', { poolSize: 8 });
    await registerConfig(s.db, config);
    stores.push(s);
    return s;
  }

  it('the same changes delivered twice, and in reverse order, give identical granted state', async () => {
    const changes: PersonChange[] = Array.from({ length: 300 }, (_, i) => ({ key: `user${i}@example.com`, sourceId: 'hr', cause: 'test' }));
    const [once, twice, reversed] = [await store(), await store(), await store()];
    const clock = () => new Date('2026-03-01T00:00:00Z');
    for (const s of [once, twice, reversed]) await seed(s.db, 300, 0);
    await reconcilePeople(reconcileContext(once.db, config, clock), changes);
    await reconcilePeople(reconcileContext(twice.db, config, clock), changes);
    await reconcilePeople(reconcileContext(twice.db, config, clock), changes);
    for (const c of [...changes].reverse()) await reconcilePeople(reconcileContext(reversed.db, config, clock), [c]);
    const expected = await grantedState(once.db);
    expect(expected.filter((l) => l.includes(' w1 ')).length).toBeGreaterThan(100);
    expect(await grantedState(twice.db)).toEqual(expected);
    expect(await grantedState(reversed.db)).toEqual(expected);
    // a replay writes nothing: as many audit rows after two runs as after one
    const audit = async (db: Db) => (await db.query<{ n: number }>('select count(*)::int as n from audit_log')).rows[0]?.n;
    expect(await audit(twice.db)).toBe(await audit(once.db));
  });

  it('two workers on separate connections, 20,000 changes about 2,000 people: same result as one worker, no deadlock', async () => {
    const single = await store();
    const double = await store();
    const runs: Array<{ db: Db; workers: number }> = [{ db: single.db, workers: 1 }, { db: double.db, workers: 2 }];
    for (const run of runs) {
      await seed(run.db, 2000, 3);
      const pipeline = await createPipeline(run.db, RAW, `conv${run.workers}`);
      try {
        // Workers use their own pools when there are two, so they contend for the same people rows.
        const extra: TestStore[] = [];
        for (let w = 0; w < run.workers; w++) {
          if (run.workers === 1) pipeline.startWorker({ concurrency: 4 });
          else {
            const url = (run.db === double.db ? double : single).url as string;
            const db = createPostgresDb({ connectionString: url, max: 4 });
            extra.push({ db, kind: 'postgres', url, close: () => db.close() });
            pipeline.startWorker({ db, concurrency: 4 });
          }
        }
        // 20,000 changes: 10 per person, in jobs that overlap on people (unsorted, interleaved).
        for (let round = 0; round < 10; round++) {
          const batch: PersonChange[] = [];
          for (let i = 0; i < 2000; i++) batch.push({ key: `user${(i * 7 + round * 13) % 2000}@example.com`, sourceId: 'hr', cause: `round ${round}` });
          for (let i = 0; i < batch.length; i += 250) await pipeline.changes.publish(batch.slice(i, i + 250));
        }
        await pipeline.drain(120_000);
        // not one attempt failed: no deadlock, no lock timeout, no retry
        expect(pipeline.failures).toEqual([]);
        await pipeline.close();
        await Promise.all(extra.map((e) => e.close()));
      } catch (error) {
        await pipeline.close();
        throw error;
      }
    }
    const expected = await grantedState(single.db);
    expect(expected.length).toBeGreaterThan(2000);
    expect(await grantedState(double.db)).toEqual(expected);
  });
});
