import type { Store } from "./store.js";

/**
 * Results remembered per store, oldest dropped first. What is remembered must be a function of
 * its key: an aggregate over one score set (a set never changes once written; key it by the set's
 * id and computed_at, since ids can be reused after eviction) or over the book at one data version
 * (every write, from any process, bumps it). Paging, asking again and another owner's view of the
 * same aggregate then cost nothing. A computation in flight is shared by concurrent callers, and
 * one that fails is forgotten so the next call tries again.
 */
export class Memo<T> {
  private readonly stores = new WeakMap<Store, Map<string, Promise<T>>>();

  /** @param size entries kept per store */
  constructor(private readonly size: number) {}

  remember(store: Store, key: readonly unknown[], compute: () => Promise<T>): Promise<T> {
    let entries = this.stores.get(store);
    if (!entries) this.stores.set(store, (entries = new Map()));
    const text = JSON.stringify(key);
    const known = entries.get(text);
    if (known) {
      // Most recently used last, so eviction drops the least recently used.
      entries.delete(text);
      entries.set(text, known);
      return known;
    }
    const pending = compute();
    entries.set(text, pending);
    pending.catch(() => {
      if (entries.get(text) === pending) entries.delete(text);
    });
    if (entries.size > this.size) entries.delete(entries.keys().next().value!);
    return pending;
  }
}
