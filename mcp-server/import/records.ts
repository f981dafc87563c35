import { createInterface } from "node:readline";
import { pipeline } from "node:stream";
import { CsvError, parse } from "csv-parse";
import { MAX_LENGTH, formatLimit } from "../limits.js";
import { CsvScanner, NeedsFullParser, scannerSupports, type ScannedRecord } from "./csvScanner.js";
import { openText } from "./encoding.js";
import { ImportFileError } from "./errors.js";

/** How the file separates its fields. */
export type FileFormat = "csv" | "whitespace";

export interface ReadOptions {
  format: FileFormat;
  /** CSV delimiter; detected from the header line when absent. */
  delimiter?: string;
  /** Column names for files without a header line. */
  columns?: readonly string[];
  /** The file's encoding (iconv-lite name); UTF-8, or UTF-16/32 with a byte-order mark, when absent. */
  encoding?: string;
}

/** One data row of a file: its fields in the header's order, with the line it starts on. */
export interface FileRecord {
  line: number;
  /** The fields as read; a file may have one empty field too many (a trailing delimiter). */
  fields: readonly string[];
  /** Set when the row cannot be split into the header's columns. */
  problem?: string;
}

/** One data row of a file, keyed by header name, with the line it starts on. */
export interface SourceRecord {
  line: number;
  /**
   * Values by header name, in an object without a prototype: a column named "__proto__" or
   * "constructor" is an ordinary key here, not a property of every object.
   */
  values: Record<string, string>;
  /** Set when the row cannot be split into the header's columns. */
  problem?: string;
}

/** A file being read: its header, its rows (streamed once) and how far the reading has got. */
export interface RecordSource {
  header: string[];
  /** The line the header was read from (null when `columns` named the columns). */
  headerLine: number | null;
  /** The rows in batches as they are read (a few hundred at a time); read this or `records`. */
  batches: AsyncIterable<FileRecord[]>;
  /** The rows one at a time, keyed by header name; read this or `batches`. */
  records: AsyncIterable<SourceRecord>;
  bytesRead(): number;
  /** Stops reading and releases the file (an import may stop before the last row). */
  close(): void;
}

const CANDIDATE_DELIMITERS = [",", ";", "\t", "|"];

/**
 * Opens `file` for streaming. The header is read first (so mapping errors surface before any
 * row is processed); rows then stream one at a time, so memory stays flat on large files.
 */
export async function openRecords(file: string, options: ReadOptions): Promise<RecordSource> {
  return options.format === "whitespace" ? openWhitespace(file, options) : openCsv(file, options);
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** How much of the file's start is searched for the header line. */
const HEAD_CHARACTERS = 64 * 1024;

/** The first line holding more than blanks, if `head` has one (`complete`: ignore an unfinished last line). */
function firstNonBlank(head: string, complete: boolean): string | undefined {
  const lines = head.split(/\r\n|\r|\n/);
  if (complete) lines.pop();
  return lines.find((line) => line.trim() !== "");
}

/** The first non-blank line of the decoded file, read from at most its first 64 K characters. */
async function firstLine(file: string, encoding: string | undefined): Promise<string | undefined> {
  let head = "";
  for await (const chunk of openText(file, encoding).text) {
    head += chunk;
    if (firstNonBlank(head, true) !== undefined || head.length >= HEAD_CHARACTERS) break;
  }
  const line = firstNonBlank(head, false);
  return line === undefined ? undefined : stripBom(line);
}

function detectDelimiter(headerLine: string): string {
  let best = ",";
  let bestCount = 0;
  for (const candidate of CANDIDATE_DELIMITERS) {
    const count = headerLine.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

function checkHeader(file: string, header: string[], line: number | null): string[] {
  const names = header.map((name) => stripBom(name).trim());
  const seen = new Set<string>();
  names.forEach((name, index) => {
    if (name === "")
      throw new ImportFileError(
        file,
        `column ${index + 1} of the header has no name; give every column a name`,
        line,
      );
    if (seen.has(name))
      throw new ImportFileError(file, `the header names column "${name}" twice; rename one of them`, line);
    seen.add(name);
  });
  return names;
}

/** Records of a CSV file as csv-parse reports them: fields and `info.lines`. */
interface CsvRows {
  /** The next records (at least one), or null at the end of the file. */
  next(): Promise<ScannedRecord[] | null>;
  bytesRead(): number;
  close(): void;
}

async function openCsv(file: string, options: ReadOptions): Promise<RecordSource> {
  const headerText = await firstLine(file, options.encoding);
  if (headerText === undefined)
    throw new ImportFileError(file, "the file is empty; expected a header line and at least one row", 1);
  const delimiter = options.delimiter ?? detectDelimiter(headerText);
  const rows = scannerSupports(delimiter)
    ? scannedCsv(file, options.encoding, delimiter)
    : parsedCsv(file, options.encoding, delimiter);

  let header: string[];
  let headerLine: number | null = null;
  let pending: ScannedRecord[] | null;
  try {
    pending = await rows.next();
    if (options.columns) {
      header = checkHeader(file, [...options.columns], null);
    } else {
      if (pending === null)
        throw new ImportFileError(file, "the file is empty; expected a header line and at least one row", 1);
      const [first, ...rest] = pending;
      headerLine = first.lines;
      header = checkHeader(file, first.fields, headerLine);
      pending = rest;
    }
  } catch (error) {
    rows.close();
    throw error;
  }

  async function* batches(): AsyncIterable<FileRecord[]> {
    let next = pending ?? (await rows.next());
    while (next !== null) {
      // csv-parse counts to the record's last line; quoted line breaks say how far back it began.
      if (next.length > 0)
        yield next.map(({ fields, lines }) =>
          toRecord(header, fields, lines - fields.reduce((sum, field) => sum + lineBreaks(field), 0)),
        );
      next = await rows.next();
    }
  }
  return withRecords({
    header,
    headerLine,
    batches: batches(),
    bytesRead: rows.bytesRead,
    close: rows.close,
  });
}

/** The options the importer gives csv-parse; `CsvScanner` reads files exactly as they do. */
function parserOptions(delimiter: string) {
  return {
    delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    trim: true,
    max_record_size: MAX_LENGTH.recordBytes,
  } as const;
}

/**
 * Reads with `CsvScanner`; when a record needs csv-parse (a quoting error to report, or a case
 * the scanner leaves to it), reads the file again with csv-parse from the start, skips the
 * records already returned (csv-parse gives the same ones) and goes on from there.
 */
function scannedCsv(file: string, encoding: string | undefined, delimiter: string): CsvRows {
  const source = openText(file, encoding);
  const chunks = source.text[Symbol.asyncIterator]() as AsyncIterator<string>;
  const scanner = new CsvScanner(delimiter, MAX_LENGTH.recordBytes);
  let returned = 0;
  let ended = false;
  let fallback: CsvRows | null = null;
  return {
    async next() {
      if (fallback) return fallback.next();
      const out: ScannedRecord[] = [];
      try {
        while (out.length === 0 && !ended) {
          const chunk = await chunks.next();
          ended = chunk.done === true;
          scanner.push(ended ? "" : chunk.value, ended, out);
        }
      } catch (error) {
        if (!(error instanceof NeedsFullParser)) throw error;
        source.text.destroy();
        fallback = parsedCsv(file, encoding, delimiter, returned);
        return fallback.next();
      }
      returned += out.length;
      return out.length > 0 ? out : null;
    },
    bytesRead: () => (fallback ? fallback.bytesRead() : source.bytesRead()),
    close: () => (fallback ? fallback.close() : source.text.destroy()),
  };
}

/** Reads with csv-parse, turning its errors into `ImportFileError`s; skips the first `skip` records. */
function parsedCsv(file: string, encoding: string | undefined, delimiter: string, skip = 0): CsvRows {
  const { text, bytesRead } = openText(file, encoding);
  const parser = parse(parserOptions(delimiter));
  pipeline(text, parser, () => undefined);
  const parsed = parser[Symbol.asyncIterator]() as AsyncIterator<{
    record: string[];
    info: { lines: number };
  }>;
  // A quoting mistake stops the parser: report it as a problem with the file, not a crash.
  // csv-parse names the line it stopped on; an unclosed quote stops at the end of the file, so
  // the line after the last whole record is where the broken one starts.
  let lastLine = 0;
  let skipped = 0;
  const one = async (): Promise<ScannedRecord | null> => {
    try {
      const next = await parsed.next();
      if (next.done) return null;
      lastLine = next.value.info.lines;
      return { fields: next.value.record, lines: next.value.info.lines };
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      const stoppedAt = (error as CsvError & { lines?: number }).lines ?? null;
      const startedAt = stoppedAt === null ? null : Math.min(lastLine + 1, stoppedAt);
      if (error.code === "CSV_MAX_RECORD_SIZE") {
        throw new ImportFileError(
          file,
          `the record starting on this line runs past ${formatLimit(MAX_LENGTH.recordBytes)} bytes: a quote is probably never closed, or a value is far longer than any field holds (at most ${formatLimit(MAX_LENGTH.longText)} characters)`,
          startedAt,
        );
      }
      if (error.code === "CSV_QUOTE_NOT_CLOSED") {
        throw new ImportFileError(
          file,
          `a double quote opened on this line is never closed (the file ends inside it); close it, and double any quote that is part of a value ("He said ""hi""")`,
          startedAt,
        );
      }
      throw new ImportFileError(
        file,
        `${error.message}; put a value holding quotes, delimiters or line breaks in double quotes and double the quotes inside it ("He said ""hi""")`,
        stoppedAt,
      );
    }
  };
  return {
    async next() {
      for (; skipped < skip; skipped++) if ((await one()) === null) return null;
      const first = await one();
      if (first === null) return null;
      const records = [first];
      // Records csv-parse already holds come without waiting; stop at a batch's worth.
      while (records.length < 256) {
        const record = await one();
        if (record === null) break;
        records.push(record);
      }
      return records;
    },
    bytesRead,
    close: () => text.destroy(),
  };
}

async function openWhitespace(file: string, options: ReadOptions): Promise<RecordSource> {
  const { text, bytesRead } = openText(file, options.encoding);
  const lines = createInterface({ input: text, crlfDelay: Infinity });
  const iterator = lines[Symbol.asyncIterator]();
  let lineNumber = 0;

  const nextFields = async (): Promise<{ fields: string[]; line: number } | undefined> => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return undefined;
      lineNumber++;
      if (next.value.length > MAX_LENGTH.recordBytes) {
        throw new ImportFileError(
          file,
          `this line runs past ${formatLimit(MAX_LENGTH.recordBytes)} characters; whitespace-separated files hold one short row per line`,
          lineNumber,
        );
      }
      const line = (lineNumber === 1 ? stripBom(next.value) : next.value).trim();
      if (line !== "") return { fields: line.split(/\s+/), line: lineNumber };
    }
  };

  const close = () => {
    lines.close();
    text.destroy();
  };
  let header: string[];
  let headerLine: number | null = null;
  let pending: { fields: string[]; line: number } | undefined;
  try {
    const first = await nextFields();
    if (!first) throw new ImportFileError(file, "the file is empty; expected at least one row", 1);
    // Whitespace files often have no header: a first line of numbers is data.
    const looksLikeHeader = first.fields.some(
      (field) => /[A-Za-z_\u4e00-\u9fff]/.test(field) && !/^[-+$]?[\d.,]+$/.test(field),
    );
    if (options.columns) {
      header = checkHeader(file, [...options.columns], null);
      pending = looksLikeHeader ? undefined : first;
    } else if (looksLikeHeader) {
      headerLine = first.line;
      header = checkHeader(file, first.fields, first.line);
    } else {
      throw new ImportFileError(
        file,
        "the first line is data, not a header; name the columns with --columns, e.g. --columns customer_id,date,quantity,amount",
        first.line,
      );
    }
  } catch (error) {
    close();
    throw error;
  }

  async function* batches(): AsyncIterable<FileRecord[]> {
    let batch: FileRecord[] = [];
    let next = pending ?? (await nextFields());
    while (next) {
      batch.push(toRecord(header, next.fields, next.line));
      if (batch.length === 256) {
        yield batch;
        batch = [];
      }
      next = await nextFields();
    }
    if (batch.length > 0) yield batch;
  }
  return withRecords({ header, headerLine, batches: batches(), bytesRead, close });
}

/** Adds the one-row-at-a-time view of `batches`, keyed by header name. */
function withRecords(source: Omit<RecordSource, "records">): RecordSource {
  async function* records(): AsyncIterable<SourceRecord> {
    for await (const batch of source.batches) {
      for (const { line, fields, problem } of batch) {
        const values: Record<string, string> = Object.create(null);
        if (problem === undefined) source.header.forEach((name, index) => (values[name] = fields[index]));
        yield problem === undefined ? { line, values } : { line, values, problem };
      }
    }
  }
  return { ...source, records: records() };
}

function lineBreaks(text: string): number {
  if (!text.includes("\n") && !text.includes("\r")) return 0;
  return text.match(/\r\n|\r|\n/g)!.length;
}

function toRecord(header: readonly string[], fields: readonly string[], line: number): FileRecord {
  if (fields.length !== header.length) {
    // A trailing delimiter leaves one empty field too many; that is harmless.
    const trailingEmpty = fields.length === header.length + 1 && fields[fields.length - 1] === "";
    if (!trailingEmpty) {
      return {
        line,
        fields: [],
        problem: `expected ${header.length} fields as in the header, found ${fields.length}; check for an unquoted delimiter inside a value`,
      };
    }
  }
  return { line, fields };
}
