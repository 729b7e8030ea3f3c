import type { ThrottleEvent } from '../../src/connector/connector.js';
import { sleep as realSleep } from './sleep.js';

/**
 * One per source: when the directory asks us to wait (429 + Retry-After, Okta's
 * `X-Rate-Limit-Remaining: 0`) or throttles without saying how long (Google's 403
 * `userRateLimitExceeded`), every request of that source waits, not only the one that was
 * told — concurrent requests would otherwise spend the next window's budget at once.
 */
export class RateLimiter {
  #resumeAt = 0;
  #reason = '';
  /** The pause (its `resumeAt`) already reported: each is reported once, however many requests wait it out. */
  #reportedResumeAt = 0;
  readonly #now: () => number;
  readonly #sleep: typeof realSleep;

  /** `now` and `sleep` are the clock (default `Date.now` and timers); tests pass a virtual one. */
  constructor(options: { now?: () => number; sleep?: typeof realSleep } = {}) {
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? realSleep;
  }

  /** Holds every request until `resumeAt` (epoch ms); a later pause extends an earlier one. */
  pauseUntil(resumeAt: number, reason: string): void {
    if (resumeAt > this.#resumeAt) {
      this.#resumeAt = resumeAt;
      this.#reason = reason;
    }
  }

  /** Milliseconds until requests may go again (0 when not paused). */
  pendingMs(): number {
    return Math.max(0, this.#resumeAt - this.#now());
  }

  /**
   * Waits out a pause. The first request to wait on a pause reports it; the others, and a timer
   * that wakes a millisecond before the pause ends, wait without reporting it again.
   */
  async ready(options: { attempt: number; signal?: AbortSignal | undefined; onThrottle?: ((e: ThrottleEvent) => void) | undefined }): Promise<void> {
    for (;;) {
      const waitMs = this.pendingMs();
      if (waitMs <= 0) return;
      if (this.#reportedResumeAt !== this.#resumeAt) {
        this.#reportedResumeAt = this.#resumeAt;
        options.onThrottle?.({ waitMs, reason: this.#reason, attempt: options.attempt });
      }
      await this.#sleep(waitMs, options.signal);
    }
  }
}
