import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { describe, expect, it } from "vitest";
import { ensureBuilt, REPO_ROOT } from "../helpers/cli.js";
import { useTempDir } from "../helpers/tempFiles.js";
import { readZip } from "./zip.js";

/** Exactly what the .vsix holds: the bundles, the sqlite3 addon and what loads it, README, manifest, icon. */
const EXPECTED_FILES = [
  "[Content_Types].xml",
  "extension.vsixmanifest",
  "extension/README.md",
  // The MCP Apps views the bundled server serves (and the Portfolio dashboard shows).
  "extension/dist/apps/at-risk-board.html",
  "extension/dist/apps/backtest.html",
  "extension/dist/apps/cohorts-kpis.html",
  "extension/dist/apps/customer-card.html",
  "extension/dist/apps/segment-explorer.html",
  "extension/dist/cli.js",
  "extension/dist/extension.js",
  "extension/dist/server.js",
  "extension/media/crm.svg",
  "extension/media/vscode-agent-board.png",
  "extension/media/vscode-chat.png",
  "extension/media/vscode-customer.png",
  "extension/node_modules/bindings/LICENSE.md",
  "extension/node_modules/bindings/bindings.js",
  "extension/node_modules/bindings/package.json",
  "extension/node_modules/file-uri-to-path/LICENSE",
  "extension/node_modules/file-uri-to-path/index.js",
  "extension/node_modules/file-uri-to-path/package.json",
  "extension/node_modules/sqlite3/LICENSE",
  "extension/node_modules/sqlite3/build/Release/node_sqlite3.node",
  "extension/node_modules/sqlite3/lib/sqlite3-binding.js",
  "extension/node_modules/sqlite3/lib/sqlite3.js",
  "extension/node_modules/sqlite3/lib/trace.js",
  "extension/node_modules/sqlite3/package.json",
  "extension/package.json",
];

function buildExtension(): void {
  ensureBuilt();
  if (!existsSync(join(REPO_ROOT, "dist/extension.js"))) {
    execFileSync(process.execPath, ["esbuild.mjs"], { cwd: REPO_ROOT, stdio: "inherit" });
  }
}

describe("the .vsix", () => {
  it("holds the bundles and the sqlite3 addon and nothing else, and its server runs from the installed folder", async () => {
    buildExtension();
    const dir = useTempDir("crm-vsix-");
    const vsix = dir.join("crm-assistant.vsix");
    const packed = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, "node_modules/@vscode/vsce/vsce"),
        "package",
        "--skip-license",
        "--allow-missing-repository",
        "--no-rewrite-relative-links",
        "--out",
        vsix,
      ],
      { cwd: REPO_ROOT, encoding: "utf8", timeout: 170_000 },
    );
    expect(packed.status, `${packed.stdout}\n${packed.stderr}`).toBe(0);
    const entries = readZip(readFileSync(vsix));
    const names = entries.map((entry) => entry.name.replace(/readme\.md$/i, "README.md")).sort();
    expect(names).toEqual([...EXPECTED_FILES].sort());

    // Install it the way VS Code does (unpack extension/), then run the server from there.
    const installed = dir.join("installed");
    for (const entry of entries) {
      if (!entry.name.startsWith("extension/")) continue;
      const target = join(installed, entry.name.slice("extension/".length));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, entry.data());
    }
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    expect(manifest.main).toBe("./dist/extension.js");
    const db = dir.join("crm.db");
    execFileSync(
      process.execPath,
      [join(installed, "dist/cli.js"), "--db", db, "demo", "--customers", "40"],
      {
        stdio: "pipe",
      },
    );
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [join(installed, "dist/server.js"), "--db", db],
      env: { ELECTRON_RUN_AS_NODE: "1" },
      cwd: dir.path,
      stderr: "pipe",
    });
    const client = new Client({ name: "vsix-test", version: "1.0.0" });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain("find_at_risk_customers");
      const result = await client.callTool({ name: "portfolio_overview", arguments: {} });
      expect(result.isError).toBeFalsy();
      expect((result.structuredContent as { customers: number }).customers).toBe(40);
    } finally {
      await client.close();
    }
  }, 240_000);
});
