import { z } from 'zod';

/**
 * How a cloud connector retries throttled, failed and timed-out requests. Every field has a
 * default, so the whole block is optional in the config file.
 */
export const retryOptions = z
  .object({
    /** Tries per request, the first included. Default 5. */
    maxAttempts: z.number().int().min(1).max(20).default(5),
    /** First backoff for 5xx and network errors (doubles each attempt, with jitter). Default 500 ms. */
    baseDelayMs: z.number().int().min(0).default(500),
    /**
     * The longest single wait accepted. A `Retry-After` or rate-limit reset further away than this
     * fails the run with a retryable error carrying `retryAfterMs` instead of holding it open.
     * Default 120 000 ms.
     */
    maxWaitMs: z.number().int().positive().default(120_000),
    /** Per-request timeout (a timed-out request is retried like a network error). Default 60 000 ms. */
    requestTimeoutMs: z.number().int().positive().default(60_000),
  })
  .strict();

export type RetryOptions = z.infer<typeof retryOptions>;

