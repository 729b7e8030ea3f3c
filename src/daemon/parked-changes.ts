import type { Logger } from 'pino';
import { DurablePublisher } from '../ingest/durable-publisher.js';
import type { ChangeQueue } from '../queue/change-queue.js';
import type { Db } from '../store/db.js';
import type { Closers } from './closers.js';

const RELAY_INTERVAL_MS = 2000;

/**
 * The publisher ingest writes changes through: while Redis is down it parks them in the store, and
 * they are published as soon as the queue answers again (tried every two seconds, all of them at once).
 */
export function startParkedChangesRelay({ db, changes, logger, closers }: { db: Db; changes: ChangeQueue; logger: Logger; closers: Closers }): DurablePublisher {
  const publisher = new DurablePublisher({
    db,
    inner: changes,
    onParked: (count, error) => logger.warn({ count, err: error }, 'queue unavailable: changes parked until it answers'),
  });
  let relaying = false;
  const relayTimer = setInterval(() => {
    // A tick that finds the last one still publishing leaves it to finish.
    if (relaying) return;
    relaying = true;
    publisher
      .relayAll()
      .then(
        (n) => n > 0 && logger.info({ count: n }, 'parked changes published'),
        // Redis still away: the changes stay parked and the next tick tries again.
        () => {},
      )
      .finally(() => (relaying = false));
  }, RELAY_INTERVAL_MS);
  relayTimer.unref();
  closers.first(async () => clearInterval(relayTimer));
  return publisher;
}
