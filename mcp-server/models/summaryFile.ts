import { ImportError, ImportFileError } from "../import/errors.js";
import { normaliseHeader } from "../import/fields.js";
import { openRecords } from "../import/records.js";
import { ValueError, parseNumber } from "../import/values.js";

/** One row of a customer-summary file: the inputs of BG/NBD (and Gamma-Gamma with monetary). */
export interface SummaryRow {
  x: number;
  tx: number;
  T: number;
  monetary: number | null;
}

const COLUMNS: Record<keyof SummaryRow, string[]> = {
  x: ["x", "frequency", "repeatpurchases"],
  tx: ["tx", "recency", "tx"],
  T: ["t", "age"],
  monetary: ["monetary", "monetaryvalue", "zbar", "averagespend"],
};

/**
 * Reads a customer-summary CSV as the lifetimes library writes it (`frequency, recency, T
 * [, monetary_value]`) or as Fader and Hardie publish it (`x, t_x, T [, zbar]`).
 */
export async function readSummaryFile(file: string): Promise<SummaryRow[]> {
  const source = await openRecords(file, { format: "csv" });
  const find = (field: keyof SummaryRow) =>
    source.header.find((column) => COLUMNS[field].includes(normaliseHeader(column)));
  const columns = { x: find("x"), tx: find("tx"), T: find("T"), monetary: find("monetary") };
  for (const field of ["x", "tx", "T"] as const) {
    if (!columns[field]) {
      throw new ImportFileError(
        file,
        `no column for ${field} (one of ${COLUMNS[field].join(", ")}); the columns are ${source.header.join(", ")}`,
      );
    }
  }
  const rows: SummaryRow[] = [];
  for await (const record of source.records) {
    if (record.problem) throw new ImportError(file, record.line, null, null, record.problem);
    const read = (column: string) => {
      try {
        const value = parseNumber(record.values[column]);
        if (value < 0) throw new ValueError("must not be negative");
        return value;
      } catch (error) {
        if (error instanceof ValueError)
          throw new ImportError(file, record.line, column, record.values[column], error.message);
        throw error;
      }
    };
    const row = {
      x: read(columns.x!),
      tx: read(columns.tx!),
      T: read(columns.T!),
      monetary: columns.monetary ? read(columns.monetary) : null,
    };
    if (row.tx > row.T)
      throw new ImportError(
        file,
        record.line,
        columns.tx!,
        String(row.tx),
        "recency tx must not exceed age T",
      );
    if (row.x === 0 && row.tx !== 0)
      throw new ImportError(
        file,
        record.line,
        columns.tx!,
        String(row.tx),
        "recency must be 0 when there are no repeat purchases",
      );
    rows.push(row);
  }
  if (rows.length === 0) throw new ImportFileError(file, "the file has no rows");
  return rows;
}
