import { createHash } from "node:crypto";
import { onTestFinished } from "vitest";
import { Store } from "../../mcp-server/store/store.js";
import { createTempDir, type TempDir } from "./tempFiles.js";

/** A store on a fresh database file in its own temp folder. */
export interface TempStore {
  store: Store;
  /** The database file. */
  path: string;
  /** The folder holding the database; tests may write their input files here too. */
  dir: TempDir;
  /** Closes the store (if still open) and removes the folder. */
  dispose(): Promise<void>;
}

/** Opens a store on a new temp database file; the caller disposes of it. */
export async function createTempStore(prefix = "crm-store-"): Promise<TempStore> {
  const dir = createTempDir(prefix);
  const path = dir.join("crm.db");
  let store: Store;
  try {
    store = await Store.open(path);
  } catch (error) {
    dir.remove();
    throw error;
  }
  let closed = false;
  const close = store.close.bind(store);
  // Tests may close the store themselves (to reopen the file); closing twice must not fail.
  store.close = async () => {
    if (closed) return;
    closed = true;
    await close();
  };
  return {
    store,
    path,
    dir,
    async dispose() {
      await store.close().catch(() => undefined);
      dir.remove();
    },
  };
}

/** Opens a store on a new temp database file that is closed and removed when the test finishes. */
export async function useTempStore(prefix?: string): Promise<TempStore> {
  const temp = await createTempStore(prefix);
  onTestFinished(() => temp.dispose());
  return temp;
}

/** Every row of every table, reduced to row counts and one checksum. */
export interface StoreSnapshot {
  rowCounts: Record<string, number>;
  checksum: string;
}

/**
 * Takes a snapshot of all user tables (rows sorted, so it does not depend on scan order). Two
 * equal snapshots mean the store's contents did not change.
 */
export async function snapshotStore(store: Store): Promise<StoreSnapshot> {
  const tables = await store.db.all<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  const hash = createHash("sha256");
  const rowCounts: Record<string, number> = {};
  for (const { name } of tables) {
    const rows = await store.db.all<Record<string, unknown>>(`SELECT * FROM "${name.replace(/"/g, '""')}"`);
    rowCounts[name] = rows.length;
    const serialised = rows.map((row) => JSON.stringify(row)).sort();
    hash.update(`${name}\n${serialised.join("\n")}\n`);
  }
  return { rowCounts, checksum: hash.digest("hex") };
}
