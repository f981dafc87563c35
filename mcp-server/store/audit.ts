import { randomUUID } from "node:crypto";
import type { ChangeArea, Store } from "./store.js";

/** One row of `audit_log` as written. */
export interface AuditEntry {
  /** When the write happened (ISO 8601 UTC). */
  at: string;
  /** Who asked for it: the OS user, or the HTTP client's name. */
  actor: string;
  /** What was done, e.g. `log_interaction`. */
  action: string;
  customerId: number | null;
  /** The request that caused the write (stored as JSON). */
  details: unknown;
}

/** An `audit_log` row as SQLite returns it. */
export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  customer_id: number | null;
  details: string;
}

export interface AuditedWriteOptions {
  /**
   * Bump the data version (`Store.markChanged`) so cached scores are recomputed. Every write to
   * a table the scores read (transactions, interactions, feedback) must; writes the scores never
   * read (saved follow-up drafts) need not, and skipping it spares a full rescore.
   */
  changesScores: boolean;
  /**
   * What the write changed (`Store.markChanged`), so aggregates over other areas stay remembered;
   * omitted: everything.
   */
  areas?: readonly ChangeArea[];
  /**
   * Brings cached scores up to the new data version (`scoring/carryScores.ts`), given the
   * versions before and after the bump. Runs in the write's transaction under a savepoint: if it
   * fails, its changes are undone and the write still lands (the scores are then recomputed on
   * the next read, as without it).
   */
  carryScores?: (fromVersion: number, toVersion: number) => Promise<unknown>;
}

/** An id for rows written through the MCP server, unique across processes: `mcp:<uuid>`. */
export function mcpExternalId(): string {
  return `mcp:${randomUUID()}`;
}

/**
 * Runs `write` and records it in `audit_log` inside one transaction: both happen or neither
 * does, and the data version is bumped in the same transaction when the write changes scores.
 * Returns what `write` returned, the audit row's id and the data version after the write.
 */
export async function auditedWrite<T>(
  store: Store,
  entry: AuditEntry,
  options: AuditedWriteOptions,
  write: () => Promise<T>,
): Promise<{ result: T; auditId: number; dataVersion: number }> {
  return store.db.transaction(async () => {
    const result = await write();
    const { lastID } = await store.db.run(
      "INSERT INTO audit_log (at, actor, action, customer_id, details) VALUES (?, ?, ?, ?, ?)",
      [entry.at, entry.actor, entry.action, entry.customerId, JSON.stringify(entry.details)],
    );
    if (options.changesScores) {
      const before = await store.dataVersion();
      await store.markChanged(options.areas);
      if (options.carryScores) {
        await store.db.exec("SAVEPOINT carry_scores");
        try {
          await options.carryScores(before, await store.dataVersion());
          await store.db.exec("RELEASE carry_scores");
        } catch {
          await store.db.exec("ROLLBACK TO carry_scores; RELEASE carry_scores");
        }
      }
    }
    return { result, auditId: lastID, dataVersion: await store.dataVersion() };
  });
}

/** The newest audit entries first; for tests, the CLI and the extension's history view. */
export async function recentAuditEntries(store: Store, limit = 50): Promise<AuditRow[]> {
  return store.db.all<AuditRow>("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", [limit]);
}
