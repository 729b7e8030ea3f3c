import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { migrate } from './migrate.js';
import { createPostgresDb } from './postgres.js';

describe('migrate', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('several processes migrating one fresh database at once all succeed, and each migration is applied once', async () => {
    // As an orchestrator starts replicas: each with its own connection, all at the same moment.
    const dbs = Array.from({ length: 6 }, () => createPostgresDb({ connectionString: database.url, max: 1 }));
    try {
      const results = await Promise.allSettled(dbs.map((db) => migrate(db)));
      expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      const applied = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
      const rows = await dbs[0]!.query<{ name: string }>('select name from schema_migrations order by name');
      expect(applied.sort()).toEqual(rows.rows.map((r) => r.name));
      expect(rows.rows.length).toBeGreaterThan(5);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });
});
