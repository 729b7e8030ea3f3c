import type { RequestHandler } from 'express';

/**
 * Counts requests whose handler has not answered yet. A client that hangs up does not end its
 * request's work, so shutdown waits for the handlers themselves (they answer with `res.end`)
 * before it closes the database and Redis under them.
 */
export class InFlightRequests {
  #count = 0;
  #waiters: Array<() => void> = [];

  get count(): number {
    return this.#count;
  }

  readonly middleware: RequestHandler = (_req, res, next) => {
    this.#count++;
    let done = false;
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    res.end = ((...args: unknown[]) => {
      if (!done) {
        done = true;
        this.#count--;
        if (this.#count === 0) for (const wake of this.#waiters.splice(0)) wake();
      }
      return end(...args);
    }) as typeof res.end;
    next();
  };

  /** Resolves when no request is in flight, or after `timeoutMs`; true when it drained. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.#count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
