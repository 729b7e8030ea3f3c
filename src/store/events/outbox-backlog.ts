import type { Queryable } from '../db.js';

/**
 * When the oldest outbox event that the webhook relay has not yet read was written; undefined when
 * it has read them all. Walks `outbox_tx_id` from the relay's cursor (`outbox_cursors`, name
 * `webhooks`), in the relay's own (tx, id) order; before the relay's first run, from the start.
 */
export async function oldestUnrelayedEventAt(q: Queryable): Promise<Date | undefined> {
  const r = await q.query<{ at: Date }>(
    `select o.at from outbox o
      where (o.tx, o.id) > (coalesce((select tx from outbox_cursors where name = 'webhooks'), '0'::xid8),
                            coalesce((select id from outbox_cursors where name = 'webhooks'), 0))
      order by o.tx, o.id limit 1`,
  );
  return r.rows[0]?.at;
}
