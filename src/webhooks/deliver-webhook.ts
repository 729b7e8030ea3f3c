import { IdsyncError } from '../errors.js';
import type { DeliveryJob } from './delivery-job.js';
import { signWebhook, WEBHOOK_HEADERS } from './signature.js';

export class WebhookDeliveryError extends IdsyncError<'webhook_delivery_failed'> {
  /** The status the endpoint answered with, when it answered: what it said, not a status idsync answers with. */
  readonly status: number | undefined;
  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super('webhook_delivery_failed', message, options);
    this.status = options.status;
  }
}

/**
 * POSTs one event to its endpoint, signed with HMAC-SHA256 over `<timestamp>.<body>`. Any answer
 * but 2xx, a timeout or a network error throws, so the queue retries it.
 */
export async function deliverWebhook(job: DeliveryJob, options: { deliveryId: string; secret: string; timeoutMs: number }): Promise<void> {
  const body = JSON.stringify(job.event);
  const timestamp = Math.floor(Date.now() / 1000);
  let response: Response;
  try {
    response = await fetch(job.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'idsync-webhooks',
        [WEBHOOK_HEADERS.delivery]: options.deliveryId,
        [WEBHOOK_HEADERS.event]: job.event.type,
        [WEBHOOK_HEADERS.timestamp]: String(timestamp),
        [WEBHOOK_HEADERS.signature]: signWebhook(options.secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'manual',
    });
  } catch (error) {
    throw new WebhookDeliveryError(`webhook ${new URL(job.url).origin} unreachable: ${(error as Error).message}`, { cause: error });
  }
  // Only the status is read: a body that fails to be discarded changes nothing of the delivery.
  await response.body?.cancel().catch(() => {});
  if (response.status < 200 || response.status >= 300) {
    throw new WebhookDeliveryError(`webhook ${new URL(job.url).origin} answered ${response.status}`, { status: response.status });
  }
}
