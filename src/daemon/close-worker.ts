import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { settlesWithin } from '../runtime/settles-within.js';

/**
 * Lets active jobs finish for up to `graceMs`, then cuts the worker's Redis connections: BullMQ
 * answers a second `close(true)` with the first, graceful close, so only failing the commands it
 * waits on ends it (seen after Redis restarted under a worker). Jobs cut off keep their locks until
 * these lapse; another worker then retries them. Shutdown never waits on a worker for long.
 */
export async function closeWorker(worker: Worker, graceMs: number, logger: Logger): Promise<void> {
  const closed = worker.close();
  if (await settlesWithin(closed, graceMs)) return;
  logger.warn({ worker: worker.name }, 'worker did not stop in time; disconnecting it');
  // Shutting down either way: a worker that cannot even disconnect is reported by the warning below.
  const disconnected = worker.disconnect().catch(() => {});
  if (!(await settlesWithin(Promise.all([closed, disconnected]), 2000))) logger.warn({ worker: worker.name }, 'worker still closing; shutting down without it');
}
