import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, type Worker } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember } from '../../src/admin/add-member.js';
import { changeRole } from '../../src/admin/change-role.js';
import { adminContext } from '../../src/admin/context.js';
import { removeMember } from '../../src/admin/remove-member.js';
import { parseConfig } from '../../src/config/load.js';
import { runSweeps } from '../../src/lifecycle/run-sweeps.js';
import { lifecycleSettings } from '../../src/lifecycle/settings.js';
import { bullPrefix, QUEUE_NAMES } from '../../src/queue/names.js';
import { registerConfig } from '../../src/store/registry.js';
import { webhookTargets } from '../../src/webhooks/delivery-job.js';
import { relayOutbox } from '../../src/webhooks/outbox-relay.js';
import { verifyWebhookSignature, WEBHOOK_HEADERS } from '../../src/webhooks/signature.js';
import { startWebhookWorker } from '../../src/webhooks/webhook-worker.js';
import { openTestStore, type TestStore } from '../helpers/db.js';
import { waitFor } from '../helpers/process.js';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis.js';

const SECRET = 'whsec-test-secret';
const DAY = 86_400_000;
const SYSTEM = { kind: 'system' } as const;

interface Delivery {
  path: string;
  deliveryId: string;
  eventId: number;
  type: string;
  valid: boolean;
}

/** A webhook receiver that checks every signature; `/flaky` fails each delivery's first attempt, `/down` always fails. */
async function startReceiver(): Promise<{ url: string; deliveries: Delivery[]; attempts: Map<string, number>; close(): Promise<void> }> {
  const deliveries: Delivery[] = [];
  const attempts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const deliveryId = String(req.headers[WEBHOOK_HEADERS.delivery]);
      const n = (attempts.get(deliveryId) ?? 0) + 1;
      attempts.set(deliveryId, n);
      if (req.url === '/down' || (req.url === '/flaky' && n === 1)) {
        res.statusCode = 503;
        res.end();
        return;
      }
      const valid = verifyWebhookSignature({ secret: SECRET, body, timestamp: req.headers[WEBHOOK_HEADERS.timestamp] as string, signature: req.headers[WEBHOOK_HEADERS.signature] as string });
      const event = JSON.parse(body) as { id: number; type: string };
      deliveries.push({ path: req.url ?? '', deliveryId, eventId: event.id, type: event.type, valid });
      res.statusCode = valid ? 204 : 401;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deliveries,
    attempts,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('webhooks: outbox → relay → queue → signed deliveries (PostgreSQL, Redis)', () => {
  let store: TestStore;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const redis = testRedis();
  const prefix = bullPrefix(uniquePrefix('webhooks'));
  let queue: Queue;
  const workers: Worker[] = [];

  beforeAll(async () => {
    store = await openTestStore('postgres');
    receiver = await startReceiver();
    queue = new Queue(QUEUE_NAMES.webhooks, { connection: redis, prefix });
    // Two worker processes' worth of delivery workers.
    for (let i = 0; i < 2; i++) workers.push(startWebhookWorker({ connection: testRedis(), prefix, secret: (name) => (name === 'HOOK_SECRET' ? SECRET : undefined) }));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await queue?.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
    await receiver?.close();
    await store?.close();
  });

  it('delivers every event exactly once per endpoint, signed, with retries; keeps failed jobs after the last attempt', async () => {
    const config = parseConfig({
      organization: { internalDomains: ['example.com'] },
      workspaces: [{ id: 'hooks', name: 'Hooks' }],
      webhooks: [
        { url: `${receiver.url}/all`, secretEnv: 'HOOK_SECRET', events: ['*'] },
        { url: `${receiver.url}/flaky`, secretEnv: 'HOOK_SECRET', events: ['membership.role_changed'] },
        { url: `${receiver.url}/down`, secretEnv: 'HOOK_SECRET', events: ['membership.removed'] },
      ],
    });
    await registerConfig(store.db, config);
    const clock = { now: new Date('2026-01-01T00:00:00Z') };
    const ctx = adminContext(store.db, config, () => clock.now);
    const relay = { db: store.db, queue, targets: webhookTargets(config.webhooks), batchSize: 7, attempts: 3, backoffMs: 30 };

    // Events while two relays run at once, again and again.
    const relaying = (async () => {
      for (let i = 0; i < 40; i++) await Promise.all([relayOutbox(relay), relayOutbox(relay)]);
    })();
    const members = [];
    for (let i = 0; i < 12; i++) members.push(await addMember(ctx, SYSTEM, 'hooks', { email: `p${i}@partner.example.org`, role: i === 0 ? 'admin' : 'viewer' }));
    for (const m of members.slice(1, 5)) await changeRole(ctx, SYSTEM, 'hooks', m.personId, 'editor');
    for (const m of members.slice(5, 7)) await removeMember(ctx, SYSTEM, 'hooks', m.personId);
    await runSweeps(store.db, lifecycleSettings(config), new Date(clock.now.getTime() + 91 * DAY));

    // A slow transaction takes an outbox id before others commit; its event must not be skipped.
    const slow = new pg.Client({ connectionString: store.url });
    await slow.connect();
    await slow.query('begin');
    await slow.query(`insert into outbox (type, workspace_id, payload) values ('membership.granted', 'hooks', '{"slow":true}')`);
    await addMember(ctx, SYSTEM, 'hooks', { email: 'after-slow@example.com', role: 'viewer' });
    await Promise.all([relayOutbox(relay), relayOutbox(relay)]);
    await slow.query('commit');
    await slow.end();
    await relaying;

    const outbox = (await store.db.query<{ id: number; type: string }>('select id, type from outbox order by id')).rows;
    expect(outbox.length).toBeGreaterThanOrEqual(30);
    await waitFor(async () => {
      await relayOutbox(relay);
      return receiver.deliveries.filter((d) => d.path === '/all').length >= outbox.length ? true : undefined;
    }, 30_000, 'every event at /all');
    const all = receiver.deliveries.filter((d) => d.path === '/all');
    expect(all.every((d) => d.valid)).toBe(true);
    expect(all.map((d) => d.eventId).sort((a, b) => a - b)).toEqual(outbox.map((e) => e.id));
    expect(new Set(all.map((d) => d.deliveryId)).size).toBe(all.length);

    // The flaky endpoint got each role change on the second attempt, with the same delivery id.
    const roleChanges = outbox.filter((e) => e.type === 'membership.role_changed').map((e) => e.id);
    await waitFor(async () => (receiver.deliveries.filter((d) => d.path === '/flaky').length >= roleChanges.length ? true : undefined), 20_000, 'flaky deliveries');
    const flaky = receiver.deliveries.filter((d) => d.path === '/flaky');
    expect(flaky.map((d) => d.eventId).sort((a, b) => a - b)).toEqual(roleChanges);
    for (const d of flaky) expect(receiver.attempts.get(d.deliveryId)).toBe(2);

    // The endpoint that is down: each job tried 3 times, then kept as failed.
    const removals = outbox.filter((e) => e.type === 'membership.removed').length;
    const failed = await waitFor(async () => {
      const jobs = await queue.getFailed();
      return jobs.length >= removals ? jobs : undefined;
    }, 20_000, 'failed jobs');
    expect(failed).toHaveLength(removals);
    for (const job of failed) {
      expect(job.attemptsMade).toBe(3);
      expect(job.failedReason).toMatch(/answered 503/);
    }
  });
});
