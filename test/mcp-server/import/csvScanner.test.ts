import { parse } from "csv-parse";
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvScanner, NeedsFullParser, type ScannedRecord } from "../../../mcp-server/import/csvScanner.js";
import { importFile } from "../../../mcp-server/import/importFile.js";
import { useTempStore } from "../../helpers/tempStore.js";

/**
 * The fast CSV reader must give exactly what csv-parse gives with the importer's options: the
 * same fields and the same line numbers, or hand the file to csv-parse. Both read the same text,
 * cut into chunks at random places (csv-parse keeps state across chunks, and so must the port).
 */

type Outcome = { records: ScannedRecord[] } | { error: true };

function withCsvParse(chunks: readonly string[], delimiter: string, maxRecordSize: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const parser = parse({
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      trim: true,
      max_record_size: maxRecordSize,
    });
    const records: ScannedRecord[] = [];
    parser.on("data", (record: { record: string[]; info: { lines: number } }) =>
      records.push({ fields: record.record, lines: record.info.lines }),
    );
    parser.on("error", () => resolve({ error: true }));
    parser.on("end", () => resolve({ records }));
    for (const chunk of chunks) parser.write(chunk);
    parser.end();
  });
}

/** The scanner's records, or the records it gave before handing over to csv-parse. */
function withScanner(chunks: readonly string[], delimiter: string, maxRecordSize: number) {
  const scanner = new CsvScanner(delimiter, maxRecordSize);
  const records: ScannedRecord[] = [];
  try {
    if (chunks.length === 0) scanner.push("", true, records);
    chunks.forEach((chunk, index) => scanner.push(chunk, index === chunks.length - 1, records));
    return { records, handedOver: false };
  } catch (error) {
    if (!(error instanceof NeedsFullParser)) throw error;
    return { records, handedOver: true };
  }
}

/** Text cut into chunks at the given code-point offsets (never inside a surrogate pair). */
function chunked(text: string, cuts: readonly number[]): string[] {
  const points = [...text];
  const at = [...new Set(cuts.map((cut) => cut % (points.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const cut of [...at, points.length]) {
    if (cut > from) chunks.push(points.slice(from, cut).join(""));
    from = Math.max(from, cut);
  }
  return chunks;
}

/**
 * Checks the scanner against csv-parse on `text` cut at `cuts`; returns whether the scanner
 * handed over a text that csv-parse reads without an error.
 */
async function expectSameAsCsvParse(
  text: string,
  delimiter: string,
  cuts: number[],
  maxRecordSize = 1_000_000,
): Promise<boolean> {
  const chunks = chunked(text, cuts);
  const reference = await withCsvParse(chunks, delimiter, maxRecordSize);
  const scanned = withScanner(chunks, delimiter, maxRecordSize);
  if ("error" in reference) {
    // csv-parse refuses the text: the scanner must not have accepted it.
    expect(scanned.handedOver).toBe(true);
    return false;
  }
  if (scanned.handedOver) {
    // Handed over: what it returned first must be what csv-parse returns first.
    expect(scanned.records).toEqual(reference.records.slice(0, scanned.records.length));
    return true;
  }
  expect(scanned.records).toEqual(reference.records);
  return false;
}

/** Pieces CSV files are made of, the awkward ones included. */
const PIECES = [
  "a",
  "Zoë",
  "王芳",
  "😀",
  " ",
  "\t",
  ",",
  ";",
  '"',
  '""',
  "\r",
  "\n",
  "\r\n",
  "\f",
  "\u3000",
  "\u00a0",
  "1.5",
  "\u000b",
];

describe("the fast CSV reader", () => {
  it("gives csv-parse's records and line numbers, or hands the text to csv-parse, on any mix of awkward pieces", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }),
        fc.constantFrom(",", ";", "\t", " ", "|"),
        fc.array(fc.nat(80), { maxLength: 6 }),
        async (pieces, delimiter, cuts) => {
          await expectSameAsCsvParse(pieces.join(""), delimiter, cuts);
        },
      ),
      { numRuns: 3000, seed: 20261129 },
    );
  });

  it("reads well-formed files itself: quoted delimiters, quotes and line breaks, CRLF, CR or LF ends, blank lines and spaces", async () => {
    const cell = fc.stringMatching(/^[a-zé王, ;"\r\n\t]{0,8}$/);
    let handedOver = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 12 }),
        fc.constantFrom("\n", "\r\n", "\r"),
        fc.constantFrom(",", ";", "\t"),
        fc.boolean(),
        fc.array(fc.nat(400), { maxLength: 8 }),
        async (rows, recordDelimiter, delimiter, quoteAll, cuts) => {
          const text = stringify(rows, { delimiter, record_delimiter: recordDelimiter, quoted: quoteAll });
          if (await expectSameAsCsvParse(text, delimiter, cuts)) handedOver++;
        },
      ),
      { numRuns: 1500, seed: 20261130 },
    );
    // Every file csv-parse reads, the scanner reads itself.
    expect(handedOver).toBe(0);
  });

  it("hands a record that may be near the size limit to csv-parse, which decides", async () => {
    // Over a third of the limit in characters: a record of 3-byte characters could pass it.
    const near = `id,name\nC1,${"x".repeat(40)}\n`;
    expect(withScanner([near], ",", 100).handedOver).toBe(true);
    expect(await withCsvParse([near], ",", 100)).not.toEqual({ error: true });
    const over = `id,name\nC1,${"x".repeat(120)}\n`;
    expect(withScanner([over], ",", 100).handedOver).toBe(true);
    expect(await withCsvParse([over], ",", 100)).toEqual({ error: true });
  });

  it("imports through csv-parse from where the scanner stopped, the rows before included exactly once", async () => {
    const temp = await useTempStore();
    // A value over a third of the record limit is left to csv-parse; the rows around it import.
    const big = "y".repeat(400_000);
    const rows = Array.from(
      { length: 3000 },
      (_, index) => `C${index},Name ${index},"${index === 2500 ? big : "co"}"`,
    );
    const file = temp.dir.write("customers.csv", ["id,name,company", ...rows].join("\n") + "\n");
    const report = await importFile(temp.store, { kind: "customers", file });
    // The company field holds at most MAX_LENGTH.shortText characters: that row is refused, once.
    expect(report.rowsRead).toBe(3000);
    expect(report.errorCount).toBe(1);
    expect(report.errors[0]).toMatchObject({ line: 2502, column: "company" });
  });
});
