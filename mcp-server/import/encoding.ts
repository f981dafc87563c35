import { isUtf8 } from "node:buffer";
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { pipeline, Transform, type Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import iconv from "iconv-lite";
import { formatLimit } from "../limits.js";
import { ImportFileError } from "./errors.js";

/**
 * Turns an import file's bytes into text. UTF-8 is read by default and checked byte for byte;
 * a UTF-16 or UTF-32 byte-order mark selects that encoding; anything else must be named with
 * `--encoding`, because a GBK or Latin-1 file read as UTF-8 silently becomes U+FFFD mojibake.
 */

/** Encodings spreadsheets and older systems commonly write, as named in messages and help. */
export const COMMON_ENCODINGS = [
  "gbk",
  "gb18030",
  "big5",
  "shift_jis",
  "euc-kr",
  "latin1",
  "windows-1252",
  "utf-16le",
  "utf-16be",
] as const;

/** How to name an encoding on the command line, for messages. */
export const ENCODING_OPTION = `--encoding ${COMMON_ENCODINGS.join("|")}`;

/** Raised for an encoding name iconv-lite does not know. */
export class UnknownEncodingError extends Error {
  constructor(readonly encoding: string) {
    super(
      `unknown encoding "${encoding}"; use one of ${COMMON_ENCODINGS.join(", ")}, utf-8 or another name iconv-lite knows`,
    );
    this.name = "UnknownEncodingError";
  }
}

/** Throws `UnknownEncodingError` unless `encoding` can be decoded. */
export function checkEncoding(encoding: string): void {
  if (!iconv.encodingExists(encoding)) throw new UnknownEncodingError(encoding);
}

/** A file being decoded: its text as a stream of strings, and how many bytes were read. */
export interface TextSource {
  text: Readable;
  bytesRead(): number;
}

const UTF8_NAMES = new Set(["utf8", "utf-8"]);

/**
 * Opens `file` as a stream of text with any byte-order mark removed. Undecodable bytes end the
 * stream with an `ImportFileError` naming the line, and `ENCODING_OPTION` when the file is not
 * UTF-8.
 */
export function openText(file: string, encoding?: string): TextSource {
  const named = encoding?.trim();
  if (named) checkEncoding(named);
  const chosen = named && !UTF8_NAMES.has(named.toLowerCase()) ? named : (byteOrderMark(file) ?? "utf-8");
  const bytes = createReadStream(file);
  let count = 0;
  bytes.on("data", (chunk) => (count += chunk.length));
  const decoder = chosen === "utf-8" ? utf8Decoder(file) : iconvDecoder(file, chosen);
  // pipeline (not pipe) so a decoding error destroys the text stream and reaches its reader.
  const text = pipeline(bytes, decoder, () => undefined);
  return { text, bytesRead: () => count };
}

/** The Unicode encoding a byte-order mark announces, or undefined (then UTF-8 is assumed). */
function byteOrderMark(file: string): string | undefined {
  const head = Buffer.alloc(4);
  const handle = openSync(file, "r");
  let length: number;
  try {
    length = readSync(handle, head, 0, 4, 0);
  } finally {
    closeSync(handle);
  }
  const starts = (...bytes: number[]) => length >= bytes.length && bytes.every((byte, i) => head[i] === byte);
  // UTF-32 LE's mark begins like UTF-16 LE's, so it is checked first.
  if (starts(0xff, 0xfe, 0x00, 0x00)) return "utf-32le";
  if (starts(0x00, 0x00, 0xfe, 0xff)) return "utf-32be";
  if (starts(0xff, 0xfe)) return "utf-16le";
  if (starts(0xfe, 0xff)) return "utf-16be";
  return undefined;
}

/**
 * Checks UTF-8 chunk by chunk (Node's native `isUtf8`), holding back a character split across
 * chunks, and decodes it. The first invalid byte stops the import with its line.
 */
function utf8Decoder(file: string): Transform {
  const strings = new StringDecoder("utf8");
  let carry = Buffer.alloc(0);
  let offset = 0;
  let first = true;
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, done) {
      let data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      if (first) {
        first = false;
        const problem = utf16WithoutMark(data);
        if (problem) return done(new ImportFileError(file, problem, 1));
        if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
          data = data.subarray(3);
          offset = 3;
        }
      }
      const complete = completeLength(data);
      const whole = data.subarray(0, complete);
      if (!isUtf8(whole)) return done(notUtf8(file, offset + firstInvalidUtf8(whole)));
      carry = Buffer.from(data.subarray(complete));
      offset += complete;
      const text = strings.write(whole);
      done(null, text === "" ? undefined : text);
    },
    flush(done) {
      // A character cut off by the end of the file.
      if (carry.length > 0) return done(notUtf8(file, offset, true));
      done();
    },
  });
}

/** Bytes of `data` that end on a character boundary (up to 3 bytes of a split character remain). */
function completeLength(data: Buffer): number {
  for (let back = 1; back <= Math.min(3, data.length); back++) {
    const byte = data[data.length - back];
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: keep looking for the lead
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? data.length - back : data.length;
  }
  return data.length;
}

/** Offset of the first byte that breaks UTF-8 in `data` (which `isUtf8` refused). */
function firstInvalidUtf8(data: Buffer): number {
  let i = 0;
  while (i < data.length) {
    const byte = data[i];
    const needed =
      byte < 0x80
        ? 1
        : byte >= 0xc2 && byte <= 0xdf
          ? 2
          : byte >= 0xe0 && byte <= 0xef
            ? 3
            : byte >= 0xf0 && byte <= 0xf4
              ? 4
              : 0;
    if (needed === 0 || i + needed > data.length) return i;
    for (let k = 1; k < needed; k++) if ((data[i + k] & 0xc0) !== 0x80) return i;
    const second = data[i + 1];
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    if (byte === 0xe0 && second < 0xa0) return i;
    if (byte === 0xed && second > 0x9f) return i;
    if (byte === 0xf0 && second < 0x90) return i;
    if (byte === 0xf4 && second > 0x8f) return i;
    i += needed;
  }
  return data.length;
}

function notUtf8(file: string, offset: number, truncated = false): ImportFileError {
  const { line, byte } = locate(file, offset);
  const what =
    truncated || byte === undefined
      ? `it ends inside a character (from byte ${formatLimit(offset + 1)})`
      : `byte ${formatLimit(offset + 1)} of the file (0x${byte.toString(16).toUpperCase().padStart(2, "0")}) is not part of a UTF-8 character`;
  return new ImportFileError(
    file,
    `the file is not valid UTF-8: ${what}; if it was saved in another encoding, name it with ${ENCODING_OPTION}, or save it as UTF-8`,
    line,
  );
}

/** The line holding byte `offset` of the file, and that byte; read again only on this error path. */
function locate(file: string, offset: number): { line: number; byte: number | undefined } {
  const handle = openSync(file, "r");
  const buffer = Buffer.alloc(64 * 1024);
  let line = 1;
  let position = 0;
  let previous = -1;
  try {
    while (position < offset) {
      const read = readSync(handle, buffer, 0, Math.min(buffer.length, offset - position), position);
      if (read === 0) break;
      for (let i = 0; i < read; i++) {
        const byte = buffer[i];
        // \r\n, \n and a lone \r each end a line.
        if (byte === 0x0a ? previous !== 0x0d : byte === 0x0d) line++;
        previous = byte;
      }
      position += read;
    }
    const one = Buffer.alloc(1);
    const found = readSync(handle, one, 0, 1, offset);
    return { line, byte: found === 1 ? one[0] : undefined };
  } finally {
    closeSync(handle);
  }
}

/**
 * UTF-16 saved without a byte-order mark is valid UTF-8 full of NUL bytes; say what it is
 * rather than reporting a NUL in the first value.
 */
function utf16WithoutMark(data: Buffer): string | null {
  const sample = data.subarray(0, 1024);
  if (sample.length < 4) return null;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) i % 2 === 0 ? even++ : odd++;
  const pairs = sample.length / 2;
  if (odd > pairs * 0.3 && even < pairs * 0.05)
    return `the file looks like UTF-16 without a byte-order mark; import it with --encoding utf-16le`;
  if (even > pairs * 0.3 && odd < pairs * 0.05)
    return `the file looks like UTF-16 without a byte-order mark; import it with --encoding utf-16be`;
  return null;
}

/**
 * Decodes with iconv-lite, which stands U+FFFD in for bytes the encoding cannot read. In a
 * legacy encoding that character can only mean such bytes, so it stops the import at its line.
 */
function iconvDecoder(file: string, encoding: string): Transform {
  const decoder = iconv.getDecoder(encoding);
  // In UTF-16 and UTF-32, U+FFFD is an ordinary character a file may hold.
  const checkReplacement = !/^(utf|ucs|unicode)/i.test(encoding);
  let line = 1;
  let afterCarriageReturn = false;
  let first = true;
  const emit = (text: string): Error | string => {
    if (first && text !== "") {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const bad = checkReplacement ? text.indexOf("\uFFFD") : -1;
    const counted = bad < 0 ? text : text.slice(0, bad);
    for (let i = 0; i < counted.length; i++) {
      const code = counted.charCodeAt(i);
      if (code === 0x0a ? !afterCarriageReturn : code === 0x0d) line++;
      afterCarriageReturn = code === 0x0d;
    }
    if (bad >= 0) {
      return new ImportFileError(
        file,
        `some bytes on this line are not valid ${encoding}; check that the file was saved in ${encoding}, or name its encoding with ${ENCODING_OPTION}`,
        line,
      );
    }
    return text;
  };
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, done) {
      const text = emit(decoder.write(chunk));
      if (text instanceof Error) return done(text);
      done(null, text === "" ? undefined : text);
    },
    flush(done) {
      const text = emit(decoder.end() ?? "");
      if (text instanceof Error) return done(text);
      done(null, text === "" ? undefined : text);
    },
  });
}
