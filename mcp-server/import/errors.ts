/** One invalid value or row in an import file, located precisely enough to fix it. */
export class ImportError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: string | null,
    readonly value: string | null,
    readonly reason: string,
  ) {
    const where = column ? `${file}:${line}, column "${column}"` : `${file}:${line}`;
    const shown = value === null ? "" : ` (value ${JSON.stringify(value)})`;
    super(`${where}${shown}: ${reason}`);
    this.name = "ImportError";
  }

  toJSON(): { file: string; line: number; column: string | null; value: string | null; reason: string } {
    return { file: this.file, line: this.line, column: this.column, value: this.value, reason: this.reason };
  }
}

/** A file-level problem (missing file, empty file, unusable header): nothing can be read. */
export class ImportFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = "ImportFileError";
  }
}
