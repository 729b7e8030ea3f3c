/**
 * Names for the statements a process runs again and again, so that PostgreSQL parses and plans
 * each once per connection instead of at every call (what pgjdbc does after five runs). A SCIM
 * lookup spends more of the database's time on parse and plan than on the index read itself.
 *
 * A text is named on its second run: statements built once (a rare filter) stay unnamed and take
 * no room on the server. The number of names is capped, because every connection keeps each
 * statement it was sent; past the cap, new texts run unnamed as before.
 */
export class StatementNames {
  readonly #names = new Map<string, string>();
  readonly #seenOnce = new Set<string>();
  readonly #maxNames: number;

  constructor(maxNames = 200) {
    this.#maxNames = maxNames;
  }

  /** The name to run `text` under, or undefined to run it unnamed. */
  nameOf(text: string): string | undefined {
    const name = this.#names.get(text);
    if (name !== undefined || this.#names.size >= this.#maxNames) return name;
    if (!this.#seenOnce.has(text)) {
      // Bounded like the names: a flood of one-off texts must not grow this set without end.
      if (this.#seenOnce.size >= this.#maxNames * 10) this.#seenOnce.clear();
      this.#seenOnce.add(text);
      return undefined;
    }
    this.#seenOnce.delete(text);
    const named = `idsync_${this.#names.size + 1}`;
    this.#names.set(text, named);
    return named;
  }

  get size(): number {
    return this.#names.size;
  }
}
