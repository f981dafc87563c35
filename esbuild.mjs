// Bundles the CLI, the MCP server, the core library and the MCP Apps views (esbuild.views.mjs).
// sqlite3 stays external: it is a native addon that must be loaded from node_modules at run time.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { buildViews } from "./esbuild.views.mjs";

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  sourcemap: true,
  external: ["sqlite3"],
  logLevel: "warning",
};

const entries = [
  { entryPoints: ["mcp-server/cli/main.ts"], outfile: "dist/cli.js", banner: { js: "#!/usr/bin/env node" } },
];
if (existsSync("mcp-server/server/main.ts")) {
  entries.push({
    entryPoints: ["mcp-server/server/main.ts"],
    outfile: "dist/server.js",
    banner: { js: "#!/usr/bin/env node" },
  });
}
if (existsSync("extension/extension.ts")) {
  entries.push({
    entryPoints: ["extension/extension.ts"],
    outfile: "dist/extension.js",
    external: ["sqlite3", "vscode"],
  });
}

await Promise.all([
  ...entries.map((entry) =>
    build({ ...common, format: "cjs", ...entry, external: entry.external ?? common.external }),
  ),
  build({
    ...common,
    entryPoints: ["core/index.ts"],
    outfile: "dist/core/index.mjs",
    format: "esm",
    platform: "neutral",
  }),
  build({
    ...common,
    entryPoints: ["core/index.ts"],
    outfile: "dist/core/index.cjs",
    format: "cjs",
    platform: "neutral",
  }),
]);

// The MCP Apps views: one self-contained dist/apps/<view>.html each.
await buildViews();

// Type declarations for the "./core" library export.
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.core.json"], {
  stdio: "inherit",
});
