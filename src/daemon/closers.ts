import type { Logger } from 'pino';

/**
 * What shutdown does, in order. Each part registers its own closer as it starts: `first` for what
 * must stop before everything already registered (workers before the connections they use),
 * `last` for what must outlive them (the store).
 */
export class Closers {
  readonly #steps: Array<() => Promise<unknown>> = [];

  first(close: () => Promise<unknown>): void {
    this.#steps.unshift(close);
  }

  last(close: () => Promise<unknown>): void {
    this.#steps.push(close);
  }

  /** Runs every closer in order; one that fails is logged and the next still runs. */
  async run(logger: Logger): Promise<void> {
    for (const close of this.#steps) {
      try {
        await close();
      } catch (error) {
        logger.warn({ err: error }, 'error while shutting down');
      }
    }
  }
}
