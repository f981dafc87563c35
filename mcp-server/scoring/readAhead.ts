/**
 * Yields what `source` yields, asking for the next item as soon as the current one is handed
 * over. When the source reads from SQLite (whose work runs on a worker thread) and the caller
 * computes in JavaScript, the read of the next chunk overlaps the work on this one instead of
 * the two taking turns. At most one item is read ahead.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = iterator.next();
      // Should the caller stop early, the read ahead may fail with nobody waiting for it.
      next.catch(() => undefined);
      yield current.value;
    }
  } finally {
    await iterator.return?.();
  }
}
