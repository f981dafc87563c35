import { Transform, type TransformCallback } from "node:stream";

/** Largest JSON-RPC message accepted on stdio: far above any real request, far below the SDK's 10 MB fuse. */
export const MAX_STDIO_MESSAGE_BYTES = 4 * 1024 * 1024;
/** How much of a dropped message's start and end is kept to find its id. */
const ID_WINDOW = 2048;

const NEWLINE = 0x0a;

/**
 * Passes stdin on one whole line (one JSON-RPC message) at a time, dropping any line longer than
 * `maxBytes`. The SDK's stdio transport closes itself when its buffer overflows, which ends the
 * server; this guard keeps it up and lets the caller answer the dropped request with an error
 * instead (its id is looked for in the message's first and last bytes). Holds at most one line.
 */
export class MessageSizeGuard extends Transform {
  private line: Buffer[] = [];
  private lineBytes = 0;
  private dropping = false;
  private head = "";
  private tail = "";

  constructor(
    private readonly maxBytes: number,
    private readonly onOversize: (id: string | number | null, bytes: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline + 1;
      const piece = chunk.subarray(start, end);
      if (this.lineBytes === 0) this.head = piece.subarray(0, ID_WINDOW).toString("utf8");
      this.tail = (this.tail + piece.subarray(Math.max(0, piece.length - ID_WINDOW)).toString("utf8")).slice(
        -ID_WINDOW,
      );
      this.lineBytes += piece.length;
      if (!this.dropping && this.lineBytes > this.maxBytes + 1) {
        this.dropping = true;
        this.line = [];
      }
      if (!this.dropping) this.line.push(piece);
      if (newline !== -1) this.endLine();
      start = end;
    }
    done();
  }

  private endLine(): void {
    if (this.dropping) this.onOversize(findId(this.head) ?? findId(this.tail), this.lineBytes);
    else this.push(Buffer.concat(this.line));
    this.line = [];
    this.dropping = false;
    this.lineBytes = 0;
    this.head = "";
    this.tail = "";
  }

  override _flush(done: TransformCallback): void {
    if (!this.dropping && this.line.length > 0) this.push(Buffer.concat(this.line));
    done();
  }
}

/** The JSON-RPC id in a fragment of a message, when it shows one. */
function findId(fragment: string): string | number | null {
  const match = /"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,200}")/.exec(fragment);
  if (!match) return null;
  return match[1].startsWith('"') ? (JSON.parse(match[1]) as string) : Number(match[1]);
}
