import { existsSync, statSync } from "node:fs";
import type { Store } from "../store/store.js";
import { UnknownEncodingError, checkEncoding } from "./encoding.js";
import { ImportError, ImportFileError } from "./errors.js";
import { IMPORT_KINDS, type ImportKind, MappingError, resolveMapping } from "./fields.js";
import { openRecords, type FileFormat, type RecordSource } from "./records.js";
import { FieldError, RecordParser } from "./rows.js";
import type { DateFormat } from "./values.js";
import { ImportWriter, type WriteCounts } from "./writer.js";
import { storedTime } from "../store/timestamps.js";

/** How many row errors a report lists; the total is always given. */
export const REPORTED_ERRORS = 20;

export interface ImportOptions {
  kind: ImportKind;
  file: string;
  format?: FileFormat;
  delimiter?: string;
  /** Column names for files without a header line. */
  columns?: string[];
  /** field → header name, overriding automatic matching. */
  map?: Record<string, string>;
  dateFormat?: DateFormat;
  /**
   * The file's encoding, as iconv-lite names it (gbk, gb18030, latin1, windows-1252, ...).
   * Without it the file must be UTF-8, or UTF-16/UTF-32 with a byte-order mark.
   */
  encoding?: string;
  /**
   * Skip rows that name no customer (guest purchases in retail exports) instead of failing;
   * they are counted in the report.
   */
  skipMissingCustomer?: boolean;
  /** Validate and count, then roll everything back. */
  dryRun?: boolean;
  /** When the import runs (stored as the created time of new customers). */
  now?: Date;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface ImportReport {
  file: string;
  kind: ImportKind;
  dryRun: boolean;
  /** True when the rows were written (false on errors and dry runs). */
  committed: boolean;
  rowsRead: number;
  inserted: number;
  updated: number;
  duplicates: number;
  customersCreated: number;
  /** Rows skipped because they name no customer (only with `skipMissingCustomer`). */
  skippedWithoutCustomer: number;
  errorCount: number;
  /** The first `REPORTED_ERRORS` row errors. */
  errors: ReturnType<ImportError["toJSON"]>[];
  mapping: Record<string, string>;
  seconds: number;
}

/**
 * Imports one file all-or-nothing: rows are validated as they stream in and staged inside one
 * transaction, checked against the store and each other, and written with one statement per
 * table; the transaction commits only if every row is valid (and it is not a dry run). Memory
 * stays flat (the staged rows are SQLite's); rolling back keeps the store untouched by a bad file.
 */
export async function importFile(store: Store, options: ImportOptions): Promise<ImportReport> {
  const started = performance.now();
  const { kind, file } = options;
  const name = file;
  if (!IMPORT_KINDS.includes(kind))
    throw new ImportFileError(file, `unknown kind "${kind}"; use one of ${IMPORT_KINDS.join(", ")}`);
  if (options.encoding !== undefined) {
    try {
      checkEncoding(options.encoding);
    } catch (error) {
      if (error instanceof UnknownEncodingError) throw new ImportFileError(file, error.message);
      throw error;
    }
  }
  if (!existsSync(file)) throw new ImportFileError(file, "no such file; check the path");
  if (statSync(file).isDirectory())
    throw new ImportFileError(file, "this is a folder; give the path of a CSV file");
  const totalBytes = statSync(file).size;

  const source = await openRecords(file, {
    format: options.format ?? "csv",
    delimiter: options.delimiter,
    columns: options.columns,
    encoding: options.encoding,
  });
  try {
    return await importRecords(store, options, source, totalBytes, started);
  } finally {
    source.close();
  }
}

async function importRecords(
  store: Store,
  options: ImportOptions,
  source: RecordSource,
  totalBytes: number,
  started: number,
): Promise<ImportReport> {
  const { kind, file } = options;
  const name = file;
  let mapping: Map<string, string>;
  try {
    mapping = resolveMapping(kind, source.header, options.map ?? {});
  } catch (error) {
    if (error instanceof MappingError)
      throw new ImportFileError(file, error.message, error.inHeader ? source.headerLine : null);
    throw error;
  }

  // Row errors by line: the first REPORTED_ERRORS are kept, all are counted.
  const errors: ImportError[] = [];
  let errorCount = 0;
  const addError = (error: ImportError) => {
    errorCount++;
    if (errors.length < REPORTED_ERRORS || error.line < errors[errors.length - 1].line) {
      errors.push(error);
      errors.sort((a, b) => a.line - b.line);
      errors.length = Math.min(errors.length, REPORTED_ERRORS);
    }
  };
  const now = storedTime(options.now ?? new Date());
  const writer = new ImportWriter(store.db, kind, now, new Set(mapping.keys()));
  const parser = new RecordParser(kind, source.header, mapping, { format: options.dateFormat ?? "auto" });
  let rowsRead = 0;
  let skippedWithoutCustomer = 0;
  let counts: WriteCounts = { inserted: 0, updated: 0, duplicates: 0, customersCreated: 0 };

  let committed = false;
  const cache = await withImportCache(store);
  try {
    await store.db.transaction(async ({ rollback }) => {
      await writer.start();
      for await (const batch of source.batches) {
        for (const record of batch) {
          rowsRead++;
          if (options.onProgress && rowsRead % 5000 === 0) options.onProgress(source.bytesRead(), totalBytes);
          if (record.problem) {
            addError(new ImportError(name, record.line, null, null, record.problem));
            continue;
          }
          let row;
          try {
            row = parser.parse(record.fields);
          } catch (error) {
            if (!(error instanceof FieldError)) throw error;
            if (error.missingField === "customer" && options.skipMissingCustomer) {
              skippedWithoutCustomer++;
              continue;
            }
            const hint =
              error.missingField === "customer" && kind === "transactions"
                ? "; to import the rest and skip such rows, pass --skip-missing-customer"
                : "";
            addError(new ImportError(name, record.line, error.column, error.value, error.message + hint));
            continue;
          }
          // Staged even after an error, so the report also names the rows that contradict others.
          await writer.add(record.line, row.external_id, row);
        }
      }
      if (rowsRead === 0 && errorCount === 0) {
        addError(
          new ImportError(name, 1, null, null, "the file has a header but no rows; nothing to import"),
        );
      }
      // Rows that contradict the store or each other are only known once every row is in.
      const found = await writer.problems(REPORTED_ERRORS);
      for (const problem of found.first) {
        const column =
          problem.field === "customer"
            ? (mapping.get("customer") ?? "customer")
            : (mapping.get("external_id") ?? null);
        addError(new ImportError(name, problem.line, column, problem.value, problem.reason));
      }
      errorCount += found.count - found.first.length;
      if (errorCount === 0) {
        counts = await writer.write();
        if (counts.inserted + counts.updated > 0 && !options.dryRun) await store.markChanged();
      }
      await writer.finish();
      if (errorCount === 0 && !options.dryRun) committed = true;
      else rollback();
    });
  } finally {
    await cache.restore();
  }
  options.onProgress?.(totalBytes, totalBytes);

  return {
    file,
    kind,
    dryRun: options.dryRun ?? false,
    committed,
    rowsRead,
    ...counts,
    skippedWithoutCustomer,
    errorCount,
    errors: errors.map((error) => error.toJSON()),
    mapping: Object.fromEntries(mapping),
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Page cache for an import's connection while it runs, in KiB (SQLite's negative
 * `cache_size`): the staged rows, the sorts over them and the store's indexes being written all
 * stay in memory, instead of spilling pages to disk (2 MB by default) and reading them back.
 */
const IMPORT_CACHE_KIB = 65_536;

/** Raises the page cache of the store's connection for an import; `restore` puts it back. */
async function withImportCache(store: Store): Promise<{ restore(): Promise<void> }> {
  const before = await store.db.all<{ cache_size: number }>("PRAGMA main.cache_size");
  const temp = await store.db.all<{ cache_size: number }>("PRAGMA temp.cache_size");
  await store.db.exec(
    `PRAGMA main.cache_size = -${IMPORT_CACHE_KIB}; PRAGMA temp.cache_size = -${IMPORT_CACHE_KIB}`,
  );
  return {
    async restore() {
      await store.db.exec(
        `PRAGMA main.cache_size = ${before[0].cache_size}; PRAGMA temp.cache_size = ${temp[0].cache_size}`,
      );
    },
  };
}
