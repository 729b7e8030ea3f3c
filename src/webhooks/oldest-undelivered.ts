import type { Queue } from 'bullmq';
import type { Db } from '../store/db.js';
import { oldestUnrelayedEventAt } from '../store/events/outbox-backlog.js';
import { deliveryJobSchema } from './delivery-job.js';

/** Pending deliveries examined per state: beyond these the answer may be younger than the truth. */
const EXAMINED_PER_STATE = 1000;

/**
 * When the oldest membership event not yet delivered was written: the oldest of the events the
 * relay has not read yet (the outbox, past its cursor) and of those whose delivery job still waits,
 * runs or waits for a retry (the `webhooks` queue; up to 1000 jobs per state are examined). Events
 * whose delivery was given up are not counted: they show as failed deliveries and failed jobs.
 */
export async function oldestUndeliveredAt(options: { db: Db; queue: Queue }): Promise<Date | undefined> {
  const [unrelayed, jobs] = await Promise.all([
    oldestUnrelayedEventAt(options.db),
    options.queue.getJobs(['waiting', 'prioritized', 'active', 'delayed'], 0, EXAMINED_PER_STATE - 1, true),
  ]);
  let oldest = unrelayed?.getTime();
  for (const job of jobs) {
    const parsed = deliveryJobSchema.safeParse(job?.data);
    if (!parsed.success) continue;
    const at = Date.parse(parsed.data.event.at);
    if (!Number.isNaN(at) && (oldest === undefined || at < oldest)) oldest = at;
  }
  return oldest === undefined ? undefined : new Date(oldest);
}
