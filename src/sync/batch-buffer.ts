/**
 * Collects items and hands them on in batches: once `size` have gathered (a batch may hold more,
 * when items come a page at a time), or when flushed.
 */
export class BatchBuffer<T> {
  #items: T[] = [];

  constructor(
    private readonly size: number,
    private readonly onBatch: (batch: T[]) => Promise<void>,
  ) {}

  async add(items: readonly T[]): Promise<void> {
    for (const item of items) this.#items.push(item);
    if (this.#items.length >= this.size) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#items.length === 0) return;
    const batch = this.#items;
    this.#items = [];
    await this.onBatch(batch);
  }
}
