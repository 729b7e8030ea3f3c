import type { Db } from '../db.js';

export type StagedKind = 'user' | 'group' | 'members' | 'remove-user' | 'remove-group';

/**
 * A staged sync run's diff (`sync_staging`), by kind: where it waits until the whole run has been
 * read and judged (deletion threshold, dry run): constant memory however large the directory, and
 * nothing applied before the verdict.
 */
export class Staging {
  constructor(
    private readonly db: Db,
    private readonly runId: string,
  ) {}

  async add(kind: StagedKind, records: readonly unknown[]): Promise<void> {
    if (records.length === 0) return;
    await this.db.query(
      `insert into sync_staging (run_id, kind, record) select $1, $2, x from jsonb_array_elements($3::jsonb) as x`,
      [this.runId, kind, JSON.stringify(records)],
    );
  }

  /** The staged records of one kind, in the order they were staged, `batch` at a time. */
  async *read<T>(kind: StagedKind, batch: number): AsyncIterable<T[]> {
    let after = 0;
    for (;;) {
      const rows = await this.db.query<{ seq: number; record: T }>(
        'select seq, record from sync_staging where run_id = $1 and kind = $2 and seq > $3 order by seq limit $4',
        [this.runId, kind, after, batch],
      );
      if (rows.rows.length === 0) return;
      after = (rows.rows[rows.rows.length - 1] as { seq: number }).seq;
      yield rows.rows.map((r) => r.record);
    }
  }

  async count(kind: StagedKind): Promise<number> {
    const r = await this.db.query<{ n: number }>('select count(*)::int as n from sync_staging where run_id = $1 and kind = $2', [this.runId, kind]);
    return r.rows[0]?.n ?? 0;
  }

  async clear(): Promise<void> {
    await this.db.query('delete from sync_staging where run_id = $1', [this.runId]);
  }
}
