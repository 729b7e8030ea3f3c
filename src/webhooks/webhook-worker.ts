import { UnrecoverableError, Worker } from 'bullmq';
import type { RedisConnection } from '../queue/redis.js';
import type { Logger } from 'pino';
import { QUEUE_NAMES } from '../queue/names.js';
import { deliveryJobSchema, webhookTargetLabel } from './delivery-job.js';
import { deliverWebhook } from './deliver-webhook.js';

export interface WebhookWorkerOptions {
  connection: RedisConnection;
  prefix: string;
  /** Looks up the secrets named by `secretEnv`. */
  secret: (envName: string) => string | undefined;
  /** Deliveries at once. Default 8. */
  concurrency?: number;
  /** Per-attempt timeout. Default 10 s. */
  timeoutMs?: number;
  logger?: Logger;
  /** Told how each delivery attempt ended, by target (`webhookTargetLabel`): metrics. */
  onAttempt?: (target: string, outcome: 'delivered' | 'retrying' | 'failed') => void;
}

/** The `webhooks` worker: parses the job and delivers it; a failed attempt is retried with backoff. */
export function startWebhookWorker(options: WebhookWorkerOptions): Worker {
  const worker = new Worker(
    QUEUE_NAMES.webhooks,
    async (job) => {
      const parsed = deliveryJobSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid webhook job payload: ${parsed.error.message}`);
      const secret = options.secret(parsed.data.secretEnv);
      if (!secret) throw new UnrecoverableError(`webhook secret ${parsed.data.secretEnv} is not set`);
      await deliverWebhook(parsed.data, { deliveryId: job.id ?? `${parsed.data.event.id}`, secret, timeoutMs: options.timeoutMs ?? 10_000 });
    },
    { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency ?? 8 },
  );
  worker.on('completed', (job) => options.onAttempt?.(webhookTargetLabel(String((job.data as { url?: unknown }).url)), 'delivered'));
  worker.on('failed', (job, error) => {
    const final = job ? job.attemptsMade >= (job.opts.attempts ?? 1) || error instanceof UnrecoverableError : true;
    if (job) options.onAttempt?.(webhookTargetLabel(String((job.data as { url?: unknown }).url)), final ? 'failed' : 'retrying');
    options.logger?.warn({ jobId: job?.id, attempts: job?.attemptsMade, final, err: error }, 'webhook delivery failed');
  });
  worker.on('error', (error) => options.logger?.error({ err: error }, 'webhook worker error'));
  return worker;
}
