import { formatLimit } from "../limits.js";

/** Longest value quoted back in an error; a 700 KB text would drown the report. */
const SHOWN_VALUE_CHARACTERS = 120;

/** The value as a report quotes it: whole when short, else its start and its length. */
function shownValue(value: string | null): string | null {
  if (value === null || value.length <= SHOWN_VALUE_CHARACTERS) return value;
  return `${value.slice(0, SHOWN_VALUE_CHARACTERS)}… (${formatLimit(value.length)} characters)`;
}

/** One invalid value or row in an import file, located precisely enough to fix it. */
export class ImportError extends Error {
  readonly value: string | null;

  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: string | null,
    value: string | null,
    readonly reason: string,
  ) {
    const shown = shownValue(value);
    const where = column ? `${file}:${line}, column "${column}"` : `${file}:${line}`;
    super(`${where}${shown === null ? "" : ` (value ${JSON.stringify(shown)})`}: ${reason}`);
    this.name = "ImportError";
    this.value = shown;
  }

  toJSON(): { file: string; line: number; column: string | null; value: string | null; reason: string } {
    return { file: this.file, line: this.line, column: this.column, value: this.value, reason: this.reason };
  }
}

/**
 * A file-level problem (missing file, empty file, unusable header, bytes that are not text in
 * the file's encoding): nothing can be read. `line` says where, when the problem has a place.
 */
export class ImportFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly line: number | null = null,
  ) {
    super(`${line === null ? file : `${file}:${line}`}: ${reason}`);
    this.name = "ImportFileError";
  }
}
