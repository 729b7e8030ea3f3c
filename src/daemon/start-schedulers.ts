import type { Logger } from 'pino';
import type { DurablePublisher } from '../ingest/durable-publisher.js';
import { scheduleLifecycleSweeps } from '../lifecycle/lifecycle-worker.js';
import { watchQueueData } from '../queue/queue-data-watch.js';
import type { Db } from '../store/db.js';
import { parkEveryone } from '../store/pending-changes.js';
import { failQueuedRuns } from '../store/runs/sync-runs.js';
import type { SyncService } from '../sync/sync-service.js';
import type { Closers } from './closers.js';
import type { DaemonQueues } from './queues.js';

export interface SchedulerParts {
  db: Db;
  logger: Logger;
  queues: DaemonQueues;
  sync: SyncService;
  publisher: DurablePublisher;
  closers: Closers;
  /** Between lifecycle sweeps; the lifecycle module's default when absent. */
  sweepEveryMs: number | undefined;
}

/** The scheduler role: arms the sync schedules and lifecycle sweeps, and re-arms them if Redis loses its data. */
export async function startSchedulers(parts: SchedulerParts): Promise<void> {
  const { sync, queues, sweepEveryMs } = parts;
  await sync.schedule();
  await scheduleLifecycleSweeps(queues.lifecycle, sweepEveryMs);
  await watchForLostQueueData(parts);
}

/**
 * Redis restarted without its data (or flushed): queued changes and job schedulers are gone,
 * observed state is not. Every person is reconciled again and the schedulers re-armed.
 */
async function watchForLostQueueData({ db, logger, queues, sync, publisher, closers, sweepEveryMs }: SchedulerParts): Promise<void> {
  const watch = watchQueueData({
    redis: queues.producerRedis,
    prefix: queues.prefix,
    logger,
    onLost: async () => {
      const parked = await parkEveryone(db, 'recovery: Redis lost the queued changes');
      const runs = await failQueuedRuns(db);
      // A first start finds no marker either; only a store with people makes it news.
      if (parked + runs > 0) logger.warn({ people: parked, queuedRunsFailed: runs }, 'Redis has lost the queue data (restarted without persistence, flushed or replaced): reconciling every person, re-arming schedules');
      await sync.schedule();
      await scheduleLifecycleSweeps(queues.lifecycle, sweepEveryMs);
      await publisher.relayAll();
    },
  });
  await watch.check().catch((error: unknown) => logger.warn({ err: error }, 'queue data check failed; trying again'));
  closers.first(() => watch.stop());
}
