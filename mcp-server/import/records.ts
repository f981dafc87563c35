import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { CsvError, parse } from "csv-parse";
import { ImportFileError } from "./errors.js";

/** How the file separates its fields. */
export type FileFormat = "csv" | "whitespace";

export interface ReadOptions {
  format: FileFormat;
  /** CSV delimiter; detected from the header line when absent. */
  delimiter?: string;
  /** Column names for files without a header line. */
  columns?: readonly string[];
}

/** One data row of a file, keyed by header name, with the line it starts on. */
export interface SourceRecord {
  line: number;
  values: Record<string, string>;
  /** Set when the row cannot be split into the header's columns. */
  problem?: string;
}

/** A file being read: its header, its rows (streamed once) and how far the reading has got. */
export interface RecordSource {
  header: string[];
  records: AsyncIterable<SourceRecord>;
  bytesRead(): number;
}

const CANDIDATE_DELIMITERS = [",", ";", "\t", "|"];

/**
 * Opens `file` for streaming. The header is read first (so mapping errors surface before any
 * row is processed); rows then stream one at a time, so memory stays flat on large files.
 */
export async function openRecords(file: string, options: ReadOptions): Promise<RecordSource> {
  return options.format === "whitespace" ? openWhitespace(file, options) : openCsv(file, options);
}

function streamFile(file: string): { stream: NodeJS.ReadableStream; bytesRead: () => number } {
  const stream = createReadStream(file);
  let bytes = 0;
  stream.on("data", (chunk) => (bytes += chunk.length));
  return { stream, bytesRead: () => bytes };
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

async function firstLine(file: string): Promise<string | undefined> {
  const lines = createInterface({ input: createReadStream(file, { end: 64 * 1024 }), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (line.trim() !== "") return stripBom(line);
    }
    return undefined;
  } finally {
    lines.close();
  }
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

function checkHeader(file: string, header: string[]): string[] {
  const names = header.map((name) => stripBom(name).trim());
  const seen = new Set<string>();
  names.forEach((name, index) => {
    if (name === "")
      throw new ImportFileError(
        file,
        `column ${index + 1} of the header has no name; give every column a name`,
      );
    if (seen.has(name))
      throw new ImportFileError(file, `the header names column "${name}" twice; rename one of them`);
    seen.add(name);
  });
  return names;
}

async function openCsv(file: string, options: ReadOptions): Promise<RecordSource> {
  const headerLine = await firstLine(file);
  if (headerLine === undefined)
    throw new ImportFileError(file, "the file is empty; expected a header line and at least one row");
  const delimiter = options.delimiter ?? detectDelimiter(headerLine);
  const { stream, bytesRead } = streamFile(file);
  const parser = stream.pipe(
    parse({ bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, info: true, trim: true }),
  );
  const parsed = parser[Symbol.asyncIterator]() as AsyncIterator<{
    record: string[];
    info: { lines: number };
  }>;
  // A quoting mistake stops the parser: report it as a problem with the file, not a crash.
  const iterator = {
    async next() {
      try {
        return await parsed.next();
      } catch (error) {
        if (!(error instanceof CsvError)) throw error;
        throw new ImportFileError(
          file,
          `${error.message}; put a value holding quotes, delimiters or line breaks in double quotes and double the quotes inside it ("He said ""hi""")`,
        );
      }
    },
  };

  let header: string[];
  if (options.columns) {
    header = checkHeader(file, [...options.columns]);
  } else {
    const first = await iterator.next();
    if (first.done)
      throw new ImportFileError(file, "the file is empty; expected a header line and at least one row");
    header = checkHeader(file, first.value.record);
  }
  const pendingFirst = options.columns ? await iterator.next() : undefined;

  async function* records(): AsyncIterable<SourceRecord> {
    let next = pendingFirst ?? (await iterator.next());
    while (!next.done) {
      const { record, info } = next.value;
      yield toRecord(header, record, info.lines);
      next = await iterator.next();
    }
  }
  return { header, records: records(), bytesRead };
}

async function openWhitespace(file: string, options: ReadOptions): Promise<RecordSource> {
  const { stream, bytesRead } = streamFile(file);
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const iterator = lines[Symbol.asyncIterator]();
  let lineNumber = 0;

  const nextFields = async (): Promise<{ fields: string[]; line: number } | undefined> => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return undefined;
      lineNumber++;
      const text = (lineNumber === 1 ? stripBom(next.value) : next.value).trim();
      if (text !== "") return { fields: text.split(/\s+/), line: lineNumber };
    }
  };

  const first = await nextFields();
  if (!first) throw new ImportFileError(file, "the file is empty; expected at least one row");
  let header: string[];
  let pending: { fields: string[]; line: number } | undefined;
  // Whitespace files often have no header: a first line of numbers is data.
  const looksLikeHeader = first.fields.some(
    (field) => /[A-Za-z_\u4e00-\u9fff]/.test(field) && !/^[-+$]?[\d.,]+$/.test(field),
  );
  if (options.columns) {
    header = checkHeader(file, [...options.columns]);
    pending = looksLikeHeader ? undefined : first;
  } else if (looksLikeHeader) {
    header = checkHeader(file, first.fields);
  } else {
    throw new ImportFileError(
      file,
      "the first line is data, not a header; name the columns with --columns, e.g. --columns customer_id,date,quantity,amount",
    );
  }

  async function* records(): AsyncIterable<SourceRecord> {
    let next = pending ?? (await nextFields());
    while (next) {
      yield toRecord(header, next.fields, next.line);
      next = await nextFields();
    }
  }
  return { header, records: records(), bytesRead };
}

function toRecord(header: string[], fields: string[], line: number): SourceRecord {
  if (fields.length !== header.length) {
    // A trailing delimiter leaves one empty field too many; that is harmless.
    const trailingEmpty = fields.length === header.length + 1 && fields[fields.length - 1] === "";
    if (!trailingEmpty) {
      return {
        line,
        values: {},
        problem: `expected ${header.length} fields as in the header, found ${fields.length}; check for an unquoted delimiter inside a value`,
      };
    }
  }
  const values: Record<string, string> = {};
  header.forEach((name, index) => (values[name] = fields[index]));
  return { line, values };
}
