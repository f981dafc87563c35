// Bundles each MCP Apps view (mcp-server/apps/views/<camelName>/main.ts and the CSS it imports)
// into one self-contained HTML file, dist/apps/<view>.html: inline script and style, no
// network. Hosts render these in a sandboxed iframe under a CSP that allows inline code only.
import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { gzipSync } from "node:zlib";

/** view name (as served: ui://crm/<view>.html) → source folder under mcp-server/apps/views. */
export const VIEW_SOURCES = {
  "at-risk-board": "atRiskBoard",
  "customer-card": "customerCard",
  "segment-explorer": "segmentExplorer",
  "cohorts-kpis": "cohortsKpis",
  backtest: "backtest",
};

/** The budget each built HTML file must stay under. */
export const VIEW_SIZE_LIMIT = 150 * 1024;

/**
 * The App class of @modelcontextprotocol/ext-apps 1.7 weighs 500 KB minified as published,
 * almost all of it zod (ext-apps issue #649), for two reasons esbuild cannot see through:
 * - it imports `{ z } from "zod/v4"` and uses the namespace object `z`, which keeps every
 *   export of zod (its 50 locales included; colinhacks/zod#6597). Rewritten to
 *   `import * as z`, the same code keeps only what it calls.
 * - a fallback for zod 3 schemas (`App.registerTool` with a zod 3.25 schema) imports
 *   "zod/v4" lazily. The views register no tools, so that import is left unresolved.
 * With both, the App costs about 158 KB minified (38 KB gzipped).
 */
const slimAppsRuntime = {
  name: "slim-ext-apps-runtime",
  setup(builder) {
    builder.onResolve({ filter: /^zod(\/|$)/ }, (args) =>
      args.kind === "dynamic-import" ? { path: args.path, external: true } : undefined,
    );
    builder.onLoad({ filter: /[\\/]@modelcontextprotocol[\\/]ext-apps[\\/]dist[\\/].*\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const namedZod = /import\s*\{\s*z as ([\w$]+)\s*\}\s*from\s*"zod\/v4"/g;
      return { contents: source.replace(namedZod, 'import * as $1 from "zod/v4"'), loader: "js" };
    });
  },
};

/**
 * The page of one view. The script is stored gzipped (base64) and unpacked by a few lines of
 * inline code with the browser's DecompressionStream: the App runtime alone is larger than
 * the 150 KB budget, compressed the whole view is about a third of it.
 */
function page(view, script, style) {
  const packed = gzipSync(Buffer.from(script, "utf8"), { level: 9 }).toString("base64");
  // The unpacked script carries the loader's nonce, so a host whose policy allows scripts by
  // nonce rather than 'unsafe-inline' runs it too.
  const unpack =
    "(async()=>{const n=document.currentScript&&document.currentScript.nonce;" +
    "const d=document.getElementById('crm-view-code');" +
    "const b=Uint8Array.from(atob(d.textContent.trim()),(c)=>c.charCodeAt(0));" +
    "const s=new Blob([b]).stream().pipeThrough(new DecompressionStream('gzip'));" +
    "const e=document.createElement('script');if(n)e.nonce=n;e.textContent=await new Response(s).text();" +
    "document.body.appendChild(e)})()";
  return [
    "<!doctype html>",
    `<html lang="en" data-view="${view}">`,
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${view}</title>`,
    `<style>${style.replace(/<\/style/gi, "<\\/style")}</style>`,
    "</head>",
    "<body>",
    '<main id="app"></main>',
    `<script type="application/gzip-base64" id="crm-view-code">${packed}</script>`,
    `<script>${unpack}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** Builds every view into `outdir` (default dist/apps); returns each file's path and size. */
export async function buildViews({ outdir = "dist/apps", root = process.cwd() } = {}) {
  mkdirSync(resolve(root, outdir), { recursive: true });
  return Promise.all(
    Object.entries(VIEW_SOURCES).map(async ([view, folder]) => {
      const result = await build({
        absWorkingDir: root,
        entryPoints: { [view]: `mcp-server/apps/views/${folder}/main.ts` },
        outdir: "views-out",
        bundle: true,
        write: false,
        minify: true,
        format: "iife",
        platform: "browser",
        target: "es2022",
        charset: "utf8",
        legalComments: "none",
        logLevel: "warning",
        plugins: [slimAppsRuntime],
      });
      const text = (ext) =>
        result.outputFiles
          .filter((file) => file.path.endsWith(ext))
          .map((file) => file.text)
          .join("\n");
      const html = page(view, text(".js"), text(".css"));
      const file = resolve(root, outdir, `${view}.html`);
      writeFileSync(file, html);
      return { view, file, bytes: Buffer.byteLength(html), scriptBytes: Buffer.byteLength(text(".js")) };
    }),
  );
}
