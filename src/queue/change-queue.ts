import { Queue, type JobsOptions } from 'bullmq';
import type { RedisConnection } from './redis.js';
import { z } from 'zod';
import type { ChangePublisher, PersonChange } from '../ingest/records.js';
import { QUEUE_NAMES } from './names.js';

/** People per job: one reconcile transaction handles one job's people. */
const PEOPLE_PER_JOB = 500;
const ADD_BULK_CHUNK = 1000;

export const changeJobSchema = z.object({
  changes: z
    .array(z.object({ key: z.string().min(3), sourceId: z.string(), cause: z.string() }))
    .min(1)
    .max(PEOPLE_PER_JOB),
  /**
   * When the oldest of these changes was written to observed state, ms since the epoch: the start
   * of `idsync_change_to_grant_seconds`. Optional: jobs queued by an older idsync have none.
   */
  observedAt: z.number().int().positive().optional(),
});
export type ChangeJob = z.infer<typeof changeJobSchema>;

const JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 14 * 86_400 },
};

/**
 * Publishes identity changes to the `changes` queue. A change about one person becomes a job
 * deduplicated on that person (at most one waiting job, plus one running, per person); larger
 * writes become jobs of up to 500 people, added with `addBulk`.
 */
export class ChangeQueue implements ChangePublisher {
  readonly queue: Queue<ChangeJob>;

  constructor(options: { connection: RedisConnection; prefix: string }) {
    this.queue = new Queue<ChangeJob>(QUEUE_NAMES.changes, { connection: options.connection, prefix: options.prefix, defaultJobOptions: JOB_OPTIONS });
  }

  async publish(changes: readonly PersonChange[]): Promise<void> {
    if (changes.length === 0) return;
    // Ingest publishes once its write has committed: now is when the change was observed, unless
    // the change says otherwise (parked while the queue was down).
    const published = Date.now();
    const byKey = new Map<string, PersonChange>();
    for (const c of changes) if (!byKey.has(c.key)) byKey.set(c.key, c);
    const unique = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (unique.length === 1) {
      const only = unique[0] as PersonChange;
      // A job already waiting for this person keeps its own (older) time: the later change is applied with it.
      const data: ChangeJob = { changes: [payloadOf(only)], observedAt: Math.min(only.observedAt ?? published, published) };
      await this.queue.add('person', data, { deduplication: { id: `person:${only.key}`, keepLastIfActive: true } });
      return;
    }
    const jobs = [];
    for (let i = 0; i < unique.length; i += PEOPLE_PER_JOB) {
      const slice = unique.slice(i, i + PEOPLE_PER_JOB);
      let observedAt = published;
      for (const c of slice) if (c.observedAt !== undefined && c.observedAt < observedAt) observedAt = c.observedAt;
      jobs.push({ name: 'people', data: { changes: slice.map(payloadOf), observedAt } satisfies ChangeJob });
    }
    for (let i = 0; i < jobs.length; i += ADD_BULK_CHUNK) await this.queue.addBulk(jobs.slice(i, i + ADD_BULK_CHUNK));
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

/** A change as the job carries it: its time travels once, on the job. */
function payloadOf(c: PersonChange): ChangeJob['changes'][number] {
  return c.observedAt === undefined ? c : { key: c.key, sourceId: c.sourceId, cause: c.cause };
}
