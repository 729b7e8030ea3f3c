import { z } from 'zod';
import { ConnectorError } from '../../src/connector/errors.js';
import type { HttpClient, RequestOptions, UpstreamError } from '../shared/http-client.js';

/** 403 reasons that mean "slow down", not "forbidden". */
const THROTTLE_REASONS = new Set(['userRateLimitExceeded', 'rateLimitExceeded', 'quotaExceeded']);

const googleErrorBody = z
  .object({
    error: z
      .object({
        message: z.string().optional(),
        status: z.string().optional(),
        errors: z.array(z.object({ reason: z.string().optional() }).passthrough()).optional(),
      })
      .passthrough(),
  })
  .passthrough();

/**
 * Google's error text: `error.message` (with the first `errors[].reason`). Rate-limit 403s are
 * throttles; a 429 is one anyway, its reason kept to name it. Any other 403 (`forbidden`, …) is not.
 */
export function describeGoogleError(status: number, body: unknown): UpstreamError {
  const parsed = googleErrorBody.safeParse(body);
  if (!parsed.success) return { message: typeof body === 'string' && body.length < 200 ? body : `HTTP ${status}` };
  const reason = parsed.data.error.errors?.find((e) => e.reason !== undefined)?.reason;
  const message = [reason, parsed.data.error.message].filter((s) => s !== undefined && s !== '').join(': ').slice(0, 500);
  const throttle = reason !== undefined && ((status === 403 && THROTTLE_REASONS.has(reason)) || status === 429);
  return { message, throttleReason: throttle ? reason : undefined };
}

const listPage = z.object({ nextPageToken: z.string().optional() }).passthrough();

/** Directory API reads: follows `nextPageToken`, yielding the items under `key` of each page. */
export class GoogleClient {
  readonly #http: HttpClient;
  readonly #base: string;

  constructor(http: HttpClient, directoryUrl: string) {
    this.#http = http;
    this.#base = directoryUrl.replace(/\/+$/, '');
  }

  async *pages(path: string, query: Record<string, string>, key: string, options: RequestOptions): AsyncGenerator<unknown[]> {
    let pageToken: string | undefined;
    do {
      const params = new URLSearchParams(query);
      if (pageToken !== undefined) params.set('pageToken', pageToken);
      const { body } = await this.#http.getJson(`${this.#base}${path}?${params.toString()}`, options);
      const page = listPage.safeParse(body);
      const items = page.success ? page.data[key] : undefined;
      if (!page.success || (items !== undefined && !Array.isArray(items))) {
        throw new ConnectorError('connector_upstream', `source "${this.#http.sourceId}": the Directory API answered ${path} with an unexpected body`, {
          sourceId: this.#http.sourceId,
        });
      }
      pageToken = page.data.nextPageToken || undefined;
      // An empty page omits the array altogether.
      yield (items as unknown[] | undefined) ?? [];
    } while (pageToken !== undefined);
  }
}
