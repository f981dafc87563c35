import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";

/** A fresh folder under the system temp dir, with a helper to write files into it. */
export interface TempDir {
  path: string;
  /** Writes `content` (UTF-8 text or bytes) to `name` inside the folder and returns its path. */
  write(name: string, content: string | Uint8Array): string;
  /** Joins `name` onto the folder's path without creating anything. */
  join(name: string): string;
  remove(): void;
}

/** Creates a temp folder; the caller removes it (see `useTempDir` for automatic cleanup). */
export function createTempDir(prefix = "crm-test-"): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    write(name, content) {
      const file = join(path, name);
      writeFileSync(file, content);
      return file;
    },
    join: (name) => join(path, name),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** Creates a temp folder that is removed when the current test finishes. Call inside a test. */
export function useTempDir(prefix?: string): TempDir {
  const dir = createTempDir(prefix);
  onTestFinished(() => dir.remove());
  return dir;
}

/** Joins lines with `eol` and ends the text with it, as a spreadsheet export would. */
export function lines(rows: readonly string[], eol: "\n" | "\r\n" = "\n"): string {
  return rows.map((row) => row + eol).join("");
}
