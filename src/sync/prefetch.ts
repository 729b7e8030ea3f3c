/**
 * Iterates `source` one item ahead: while the caller works on an item, the next one is already being
 * fetched, so a directory read and the database writes of a sync overlap instead of taking turns.
 * An error of the source surfaces when the caller reaches it; stopping early closes the source.
 */
export async function* prefetch<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  // Until the caller takes it, a rejected prefetch is not an unhandled rejection.
  next.catch(() => {});
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = iterator.next();
      // As above: the failure reaches the caller at the next `await next`.
      next.catch(() => {});
      yield current.value;
    }
  } finally {
    await iterator.return?.();
  }
}
