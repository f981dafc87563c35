import { existsSync, statSync } from "node:fs";
import type { Store } from "../store/store.js";
import { UnknownEncodingError, checkEncoding } from "./encoding.js";
import { ImportError, ImportFileError } from "./errors.js";
import { IMPORT_KINDS, type ImportKind, MappingError, resolveMapping } from "./fields.js";
import { openRecords, type FileFormat, type RecordSource } from "./records.js";
import { FieldError, contentId, parseRecord } from "./rows.js";
import type { DateFormat } from "./values.js";
import { BatchWriter } from "./writer.js";
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
 * Imports one file all-or-nothing: rows are validated and written in batches inside one
 * transaction that commits only if every row is valid (and it is not a dry run). Streaming
 * keeps memory flat; rolling back keeps the store untouched by a bad file.
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

  const customerColumn = mapping.get("customer") ?? "customer";
  const errors: ImportError[] = [];
  let errorCount = 0;
  const addError = (error: ImportError) => {
    errorCount++;
    if (errors.length < REPORTED_ERRORS) errors.push(error);
  };
  const now = storedTime(options.now ?? new Date());
  const writer = new BatchWriter(
    store.db,
    kind,
    now,
    new Set(mapping.keys()),
    (row) =>
      addError(
        new ImportError(
          name,
          row.line,
          customerColumn,
          row.customer,
          "no customer with this id in the store; import the customers file first, or fix the id",
        ),
      ),
    (row) =>
      addError(
        new ImportError(name, row.line, mapping.get("external_id") ?? null, row.externalId, row.reason),
      ),
  );
  const dates = { format: options.dateFormat ?? "auto" };
  const occurrences = new Map<string, number>();
  const seenExternalIds = new Set<string>();
  let rowsRead = 0;
  let skippedWithoutCustomer = 0;

  let committed = false;
  await store.db.transaction(async ({ rollback }) => {
    for await (const record of source.records) {
      rowsRead++;
      if (record.problem) {
        addError(new ImportError(name, record.line, null, null, record.problem));
        continue;
      }
      let row;
      try {
        row = parseRecord(kind, record.values, mapping, dates);
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
      const hasOwnId = row.external_id !== null;
      let externalId = row.external_id;
      if (externalId === null) {
        const key = contentId(kind, row, 0);
        const seen = occurrences.get(key) ?? 0;
        occurrences.set(key, seen + 1);
        externalId = seen === 0 ? key : contentId(kind, row, seen);
      } else if (kind !== "transactions") {
        // Transactions sharing an id are line items of one order; anything else sharing an id
        // would overwrite the earlier line (customers) or be skipped as a duplicate, unseen.
        if (seenExternalIds.has(externalId)) {
          addError(
            new ImportError(
              name,
              record.line,
              mapping.get("external_id")!,
              externalId,
              "this id appears on an earlier line of the file; ids must be unique",
            ),
          );
          continue;
        }
        seenExternalIds.add(externalId);
      }
      // After the first error nothing will be committed, so stop writing and only validate.
      if (errorCount === 0) {
        const conflict = await writer.add({ line: record.line, externalId, row }, hasOwnId);
        if (conflict)
          addError(
            new ImportError(name, record.line, mapping.get("external_id") ?? null, externalId, conflict),
          );
      }
      if (options.onProgress && rowsRead % 5000 === 0) options.onProgress(source.bytesRead(), totalBytes);
    }
    if (errorCount === 0) await writer.flush();
    if (rowsRead === 0 && errorCount === 0) {
      addError(new ImportError(name, 1, null, null, "the file has a header but no rows; nothing to import"));
    }
    if (kind === "transactions" && errorCount === 0) {
      await store.db.run(
        `UPDATE customers SET acquired_at = (SELECT MIN(occurred_at) FROM transactions WHERE customer_id = customers.id)
         WHERE acquired_at IS NULL AND EXISTS (SELECT 1 FROM transactions WHERE customer_id = customers.id)`,
      );
    }
    if (errorCount === 0 && !options.dryRun) {
      if (writer.counts.inserted + writer.counts.updated > 0) await store.markChanged();
      committed = true;
    } else {
      rollback();
    }
  });
  options.onProgress?.(totalBytes, totalBytes);

  return {
    file,
    kind,
    dryRun: options.dryRun ?? false,
    committed,
    rowsRead,
    ...writer.counts,
    skippedWithoutCustomer,
    errorCount,
    errors: errors.map((error) => error.toJSON()),
    mapping: Object.fromEntries(mapping),
    seconds: (performance.now() - started) / 1000,
  };
}
