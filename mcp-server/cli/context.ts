import type { Store } from "../store/store.js";

/** What every command needs: the store named by --db, opened once, and hooks after writes. */
export interface CliContext {
  openStore(): Promise<Store>;
  /** Called after a command changed the store, so derived data (scores) can be refreshed. */
  /** Scores the changed store as of `asOf` (default: today, or $CRM_AS_OF). */
  afterWrite(store: Store, asOf?: Date): Promise<void>;
}
