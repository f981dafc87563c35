import { gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildViews, VIEW_SIZE_LIMIT, VIEW_SOURCES, type BuiltView } from "../../../esbuild.views.mjs";
import { APP_VIEW_NAMES } from "../../../mcp-server/apps/catalogue.js";
import { REPO_ROOT } from "../../helpers/cli.js";
import { createTempDir, type TempDir } from "../../helpers/tempFiles.js";

/**
 * URLs that appear as plain strings inside the bundled dependencies and are never requested:
 * zod's JSON Schema dialect identifiers, the SDK's IPv6 URL template and an example domain in
 * ext-apps' CSP help text. Anything else in a view's script fails the test.
 */
const INERT_URLS = [
  "https://json-schema.org/draft/2020-12/schema",
  "http://json-schema.org/draft-07/schema#",
  "http://json-schema.org/draft-04/schema#",
  "http://[${",
  "https://*.example.com",
];

/** The view's script, unpacked the way its inline loader does it in the browser. */
function unpackedScript(html: string): string {
  const packed = /<script type="application\/gzip-base64" id="crm-view-code">([^<]*)<\/script>/.exec(html);
  if (!packed) throw new Error("no packed script in the view");
  return gunzipSync(Buffer.from(packed[1], "base64")).toString("utf8");
}

describe("the built MCP Apps views", () => {
  let out: TempDir;
  let built: BuiltView[];

  beforeAll(async () => {
    out = createTempDir("crm-view-bundles-");
    built = await buildViews({ outdir: out.path, root: REPO_ROOT });
  });

  afterAll(() => out?.remove());

  it("builds a page for every catalogued view, and only those", () => {
    expect(Object.keys(VIEW_SOURCES).sort()).toEqual([...APP_VIEW_NAMES].sort());
    expect(built.map((entry) => entry.view).sort()).toEqual([...APP_VIEW_NAMES].sort());
  });

  it("keeps every page under 150 KB", () => {
    for (const entry of built) {
      expect(entry.bytes, entry.view).toBeLessThan(VIEW_SIZE_LIMIT);
      expect(readFileSync(entry.file).byteLength).toBe(entry.bytes);
    }
    expect(VIEW_SIZE_LIMIT).toBe(150 * 1024);
  });

  it("loads nothing from elsewhere: no src or href, no URL in the page, only inert strings in the script", () => {
    for (const entry of built) {
      const html = readFileSync(entry.file, "utf8");
      const script = unpackedScript(html);
      const page = html.replace(/(id="crm-view-code">)[^<]*/, "$1");
      expect(page, entry.view).not.toMatch(/https?:\/\//);
      expect(page, entry.view).not.toMatch(/\s(src|href)\s*=/i);
      expect(page, entry.view).not.toMatch(/@import|url\(/i);
      const urls = script.match(/https?:\/\/[^\s"'`)]*/g) ?? [];
      for (const url of urls)
        expect(
          INERT_URLS.some((inert) => url.startsWith(inert)),
          `${entry.view}: ${url}`,
        ).toBe(true);
      expect(script, entry.view).not.toMatch(/\bfetch\(|XMLHttpRequest|new WebSocket|\.src\s*=/);
    }
  });

  it("packs a script that is the view: the App runtime and the view's own renderer", () => {
    const board = built.find((entry) => entry.view === "at-risk-board") as BuiltView;
    const script = unpackedScript(readFileSync(board.file, "utf8"));
    expect(Buffer.byteLength(script)).toBe(board.scriptBytes);
    expect(script).toContain("ui/initialize");
    expect(script).toContain("有流失风险的客户");
  });
});
