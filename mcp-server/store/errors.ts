/**
 * What SQLite's errors mean to a user. Raw `SQLITE_*` codes never reach a chat answer or the
 * terminal: each is turned into a typed error whose message says what happened and what to do,
 * with the driver's error kept as `cause` for `--debug`.
 */

/** The store stayed locked by another writer (an import, another server) past the retry budget. */
export class StoreBusyError extends Error {
  constructor(cause?: unknown) {
    super(
      "the store is busy with an import or another write; try again in a few seconds (imports hold the store until they finish)",
      { cause },
    );
    this.name = "StoreBusyError";
  }
}

/**
 * The score set a call was reading was dropped meanwhile: another process published newer sets
 * and no longer keeps it. Asking again reads a set that is kept.
 */
export class ScoreSetGoneError extends Error {
  constructor(cause?: unknown) {
    super(
      "the scores this answer was reading were replaced by newer ones while it read them (another process updated the store); try again",
      { cause },
    );
    this.name = "ScoreSetGoneError";
  }
}

/** Any other failure of the database file itself. */
export class StoreError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "StoreError";
  }
}

/** The SQLite result code of a driver error (`SQLITE_BUSY`, ...), if it is one. */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

/** True for the lock errors worth waiting out. */
export function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED";
}

/** The user-facing error for a driver error; other errors pass through unchanged. */
export function translateStoreError(error: unknown): unknown {
  const code = sqliteCode(error);
  if (code === undefined) return error;
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") return new StoreBusyError(error);
  const messages: Record<string, string> = {
    SQLITE_FULL: "the disk holding the store is full; free some space and try again",
    SQLITE_READONLY:
      "the store cannot be written: check the file's and its folder's permissions (and that the disk is not read-only)",
    SQLITE_CANTOPEN: "the store cannot be opened: check that its folder exists and is writable",
    SQLITE_CORRUPT:
      "the store file is damaged; restore it from a backup (or import the data again into a new store)",
    SQLITE_NOTADB: "the file given as the store is not a CRM Assistant database; check --db / CRM_DB",
    SQLITE_IOERR:
      "the store could not be read or written (a disk or file-system error); try again, and check the disk",
  };
  const known = Object.entries(messages).find(([prefix]) => code.startsWith(prefix));
  if (known) return new StoreError(known[1], error);
  // The driver's own words without its code ("FOREIGN KEY constraint failed").
  const detail = String((error as Error).message ?? "").replace(/^SQLITE_\w+:\s*/, "");
  if (/^no such table: (?:main\.)?customer_scores_\d+$/.test(detail)) return new ScoreSetGoneError(error);
  return new StoreError(
    `the store refused the operation: ${detail || code.replace(/^SQLITE_/, "").toLowerCase()}; run again with --debug for details`,
    error,
  );
}
