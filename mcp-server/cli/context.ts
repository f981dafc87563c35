import type { Store } from "../store/store.js";

/** What every command needs: the store named by --db, opened once, and hooks after writes. */
export interface CliContext {
  openStore(): Promise<Store>;
  /** Called after a command changed the store, so derived data (scores) can be refreshed. */
  afterWrite(store: Store): Promise<void>;
}
