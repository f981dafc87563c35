import { chmodSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Store } from "../../mcp-server/store/store.js";
import { createTempDir } from "../helpers/tempFiles.js";

const mode = (path: string) => statSync(path).mode & 0o777;

describe.skipIf(process.platform === "win32")("the store's files on disk", () => {
  it("creates the store's folders private to the user (0700) and the file and its WAL and SHM 0600", async () => {
    const dir = createTempDir("crm-files-");
    try {
      const path = join(dir.join("nested"), "deeper", "crm.db");
      const warnings: string[] = [];
      const store = await Store.open(path, (line) => warnings.push(line));
      // Write something so SQLite creates the -wal and -shm files next to the database.
      await store.setSetting("probe", "1");
      expect(mode(dir.join("nested"))).toBe(0o700);
      expect(mode(join(dir.join("nested"), "deeper"))).toBe(0o700);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(mode(file), file).toBe(0o600);
      expect(warnings).toEqual([]);
      await store.close();
    } finally {
      dir.remove();
    }
  });

  it("warns, saying how to fix it, when an existing store can be read by other users", async () => {
    const dir = createTempDir("crm-files-");
    try {
      const path = dir.join("crm.db");
      await (await Store.open(path, () => undefined)).close();
      chmodSync(path, 0o644);
      const warnings: string[] = [];
      const store = await Store.open(path, (line) => warnings.push(line));
      await store.close();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(
        `the store ${path} can be read by other users of this machine (mode 644)`,
      );
      expect(warnings[0]).toContain(`chmod 600 "${path}"*`);
    } finally {
      dir.remove();
    }
  });
});
