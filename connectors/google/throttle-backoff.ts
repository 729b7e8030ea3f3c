/** Google's `maximum_backoff` ("typically 32 or 64 seconds"): the longer, since a quota is per minute. */
const MAX_BACKOFF_MS = 64_000;
/** The step and the jitter's upper bound ("random_number_milliseconds", up to 1,000). */
const SECOND_MS = 1000;

/**
 * The wait before retry `attempt` (1 = first failure) of a Google throttle, which names no
 * `Retry-After`: Google's truncated exponential backoff, min(2^n s + random ms, maximum_backoff)
 * for n = 0, 1, 2… — 1-2 s, then 2-3 s, 4-5 s… — also capped by the source's `maxWaitMs`
 * ([Directory API: limits and quotas](https://developers.google.com/workspace/admin/directory/v1/limits#backoff)).
 * The jitter spreads the retries of many clients hit by one quota.
 */
export function googleThrottleBackoff(attempt: number, options: { maxMs: number; random: () => number }): number {
  const exponential = SECOND_MS * 2 ** Math.max(0, attempt - 1);
  return Math.min(exponential + Math.floor(options.random() * SECOND_MS), MAX_BACKOFF_MS, options.maxMs);
}
