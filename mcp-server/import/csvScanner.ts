/**
 * A CSV reader for the common case, about ten times faster than csv-parse, that gives exactly
 * what csv-parse gives with the options the importer uses (`delimiter` of one character,
 * `trim`, `skip_empty_lines`, `relax_column_count`, `info`, `max_record_size`, quote and escape
 * `"`, the record delimiter discovered from the first line break). It is a port of csv-parse's
 * parsing loop to strings, line counting included, down to its quirks: a CRLF inside quotes
 * counts as two lines, a lone CR or LF that is not the file's record delimiter is data, and a
 * value outside quotes is right-trimmed of any Unicode space but left-trimmed of ASCII ones only.
 *
 * Anything else (every input csv-parse refuses, and the rare records this port does not cover)
 * raises `NeedsFullParser`; the reader then hands the file to csv-parse, which decides. The port
 * is checked against csv-parse on generated files (test/mcp-server/import/csvScanner.test.ts).
 */

/** Raised when a record needs csv-parse: an error to report, or a case the port leaves to it. */
export class NeedsFullParser extends Error {
  constructor(reason: string) {
    super(`csv-parse must read this file: ${reason}`);
    this.name = "NeedsFullParser";
  }
}

/** One record as csv-parse returns it: its fields and `info.lines` when it was emitted. */
export interface ScannedRecord {
  fields: string[];
  /** csv-parse's line count at the record's end (the line its record delimiter is on). */
  lines: number;
}

const CR = 13;
const LF = 10;
const FORM_FEED = 12;
const SPACE = 32;
const TAB = 9;
const QUOTE = 34;

/** csv-parse's trimmable characters (its `timchars`). */
function trimmable(code: number): boolean {
  return code === SPACE || code === TAB || code === CR || code === LF || code === FORM_FEED;
}

const SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether the fast reader can take a file with this delimiter. */
export function scannerSupports(delimiter: string): boolean {
  if (delimiter.length !== 1) return false;
  const code = delimiter.charCodeAt(0);
  return code !== QUOTE && code !== CR && code !== LF && !(code >= 0xd800 && code <= 0xdfff);
}

/**
 * Reads records from text pushed in chunks. Only whole records are returned; the start of an
 * unfinished one waits for the next chunk and is read again from its first character then.
 */
export class CsvScanner {
  private readonly delimiter: number;
  /** Longest record (in UTF-16 units) that cannot exceed csv-parse's byte limit: 3 bytes per unit. */
  private readonly maxRecordUnits: number;
  /** Text not yet returned, starting at a record boundary. */
  private pending = "";
  /** csv-parse state at the start of `pending`. */
  private lines = 1;
  private wasRowDelimiter = false;
  private recordDelimiter = "";

  constructor(delimiter: string, maxRecordBytes: number) {
    if (!scannerSupports(delimiter)) throw new NeedsFullParser(`the delimiter ${JSON.stringify(delimiter)}`);
    this.delimiter = delimiter.charCodeAt(0);
    this.maxRecordUnits = Math.floor(maxRecordBytes / 3);
  }

  /**
   * Adds `chunk` and appends the records it completes to `out`. With `end`, the text is complete
   * and the last record is returned even without a line break after it.
   */
  push(chunk: string, end: boolean, out: ScannedRecord[]): void {
    // csv-parse reads bytes: half a surrogate pair would become U+FFFD there.
    if (SURROGATE.test(chunk) && LONE_SURROGATE.test(chunk))
      throw new NeedsFullParser("half of a surrogate pair in the text");
    const text = this.pending === "" ? chunk : this.pending + chunk;
    const length = text.length;
    const delimiter = this.delimiter;
    let recordDelimiter = this.recordDelimiter;
    let lines = this.lines;
    let wasRowDelimiter = this.wasRowDelimiter;

    // State of the record being read; saved at its start so an unfinished one can be re-read.
    let recordStart = 0;
    let savedLines = lines;
    let savedWasRowDelimiter = wasRowDelimiter;
    let savedRecordDelimiter = recordDelimiter;
    let fields: string[] = [];
    let quoting = false;
    let wasQuoting = false;
    /** Start of the field's content, or -1 while nothing has been appended to it. */
    let contentStart = -1;
    let quotedStart = -1;
    let quotedEscapes = false;

    const fieldValue = (contentEnd: number): string => {
      if (wasQuoting) {
        const raw = text.slice(quotedStart, contentEnd);
        return quotedEscapes ? raw.replaceAll('""', '"') : raw;
      }
      return contentStart < 0 ? "" : text.slice(contentStart, contentEnd).trimEnd();
    };

    let pos = 0;
    let contentEnd = 0;
    scan: for (;;) {
      if (pos >= length) {
        if (!end) break scan;
        // End of the text: csv-parse emits a last record without a line break after it, with the
        // line count before that break is counted.
        if (quoting) throw new NeedsFullParser("a quote that is never closed");
        if (wasQuoting || fields.length > 0 || contentStart >= 0) {
          fields.push(fieldValue(wasQuoting ? contentEnd : length));
          this.checkSize(length - recordStart);
          out.push({ fields, lines });
        }
        recordStart = length;
        if (wasRowDelimiter) {
          lines++;
          wasRowDelimiter = false;
        }
        savedLines = lines;
        savedWasRowDelimiter = wasRowDelimiter;
        savedRecordDelimiter = recordDelimiter;
        break scan;
      }
      if (wasRowDelimiter) {
        lines++;
        wasRowDelimiter = false;
      }
      const code = text.charCodeAt(pos);
      if (!quoting && recordDelimiter === "" && (code === CR || code === LF)) {
        if (code === CR && pos + 1 >= length && !end) break scan;
        recordDelimiter = code === LF ? "\n" : text.charCodeAt(pos + 1) === LF ? "\r\n" : "\r";
      }
      if (code === CR || code === LF) wasRowDelimiter = true;

      if (quoting) {
        if (code === QUOTE) {
          if (pos + 1 >= length && !end) break scan;
          const next = pos + 1 < length ? text.charCodeAt(pos + 1) : -1;
          if (next === QUOTE) {
            // An escaped quote: both characters are read, the second one kept.
            quotedEscapes = true;
            pos += 2;
            continue;
          }
          if (next === 0) throw new NeedsFullParser("a NUL after a closing quote");
          let closes = next === -1 || next === delimiter || trimmable(next);
          if (!closes && recordDelimiter !== "") closes = text.startsWith(recordDelimiter, pos + 1);
          if (!closes) throw new NeedsFullParser("a character after a closing quote");
          if (recordDelimiter === "" && (next === CR || next === LF)) {
            if (next === CR && pos + 2 >= length && !end) break scan;
            recordDelimiter = next === LF ? "\n" : text.charCodeAt(pos + 2) === LF ? "\r\n" : "\r";
          }
          quoting = false;
          wasQuoting = true;
          contentEnd = pos;
          pos++;
          continue;
        }
        pos++;
        continue;
      }

      if (code === QUOTE) {
        if (contentStart >= 0 || wasQuoting) throw new NeedsFullParser("a quote inside a value");
        quoting = true;
        quotedStart = pos + 1;
        quotedEscapes = false;
        pos++;
        continue;
      }
      if (recordDelimiter !== "" && code === recordDelimiter.charCodeAt(0)) {
        if (recordDelimiter.length === 2 && pos + 1 >= length && !end) break scan;
        if (recordDelimiter.length === 1 || text.charCodeAt(pos + 1) === LF) {
          if (!wasQuoting && fields.length === 0 && contentStart < 0) {
            // An empty line (or one of spaces): skipped.
          } else {
            fields.push(fieldValue(wasQuoting ? contentEnd : pos));
            this.checkSize(pos - recordStart);
            out.push({ fields, lines });
          }
          pos += recordDelimiter.length;
          fields = [];
          wasQuoting = false;
          contentStart = -1;
          recordStart = pos;
          savedLines = lines;
          savedWasRowDelimiter = wasRowDelimiter;
          savedRecordDelimiter = recordDelimiter;
          continue;
        }
      }
      if (code === delimiter) {
        fields.push(fieldValue(wasQuoting ? contentEnd : pos));
        wasQuoting = false;
        contentStart = -1;
        pos++;
        continue;
      }
      if (wasQuoting) {
        if (!trimmable(code)) throw new NeedsFullParser("a character after a closing quote");
      } else if (contentStart < 0) {
        if (!trimmable(code)) contentStart = pos;
      }
      pos++;
      if (pos - recordStart > this.maxRecordUnits) this.checkSize(pos - recordStart);
    }

    this.pending = text.slice(recordStart);
    this.checkSize(this.pending.length);
    this.lines = savedLines;
    this.wasRowDelimiter = savedWasRowDelimiter;
    this.recordDelimiter = savedRecordDelimiter;
  }

  private checkSize(units: number): void {
    if (units > this.maxRecordUnits) throw new NeedsFullParser("a record near the size limit");
  }
}
