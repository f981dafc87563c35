import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { CrmClient } from "../../extension/crmClient.js";
import { REPO_ROOT, ensureBuilt } from "../helpers/cli.js";
import { createTempDir, type TempDir } from "../helpers/tempFiles.js";

export const AS_OF = "2026-06-30";

export interface DemoServer {
  client: CrmClient;
  dir: TempDir;
  db: string;
  log: string[];
  close(): Promise<void>;
}

/** The extension's MCP client connected to the built `dist/server.js` over a fresh demo store. */
export function startDemoServer(options: { allowWrites?: boolean; customers?: number } = {}): DemoServer {
  ensureBuilt();
  const dir = createTempDir("crm-ext-");
  const db = dir.join("crm.db");
  execFileSync(
    process.execPath,
    [
      join(REPO_ROOT, "dist/cli.js"),
      "--db",
      db,
      "demo",
      "--customers",
      String(options.customers ?? 150),
      "--as-of",
      AS_OF,
    ],
    { stdio: "pipe" },
  );
  const log: string[] = [];
  const client = new CrmClient(
    () => ({
      command: process.execPath,
      args: [
        join(REPO_ROOT, "dist/server.js"),
        "--db",
        db,
        ...(options.allowWrites ? ["--allow-writes"] : []),
      ],
      env: { ELECTRON_RUN_AS_NODE: "1" },
    }),
    (line) => log.push(line),
  );
  return {
    client,
    dir,
    db,
    log,
    async close() {
      await client.dispose();
      dir.remove();
    },
  };
}
