import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { APP_VIEWS, type AppViewName } from "./catalogue.js";

/** A view's HTML file is missing: the views are built by `npm run build`, not shipped in sources. */
export class ViewNotBuiltError extends Error {
  constructor(
    readonly view: AppViewName,
    readonly file: string,
  ) {
    super(
      `the ${APP_VIEWS[view].title} view (${view}.html) is not built: ${file} is missing. ` +
        "Run `npm run build` in the CRM Assistant checkout, then open the view again; the tools keep answering meanwhile.",
    );
    this.name = "ViewNotBuiltError";
  }
}

/**
 * Where the built views are. The bundles (dist/server.js, dist/cli.js) find them next to
 * themselves in dist/apps; run from sources (tsx, vitest) this file is mcp-server/apps/, and
 * the views are in the checkout's dist/apps. The first folder that exists wins; when none
 * does, the bundle's own place is named in the error.
 */
export function locateViewsDir(here: string = moduleDir()): string {
  const candidates = [join(here, "apps"), resolve(here, "..", "..", "dist", "apps")];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0];
}

function moduleDir(): string {
  // CommonJS (the esbuild bundles, tsx) and vitest both provide __dirname.
  return typeof __dirname === "string" ? __dirname : process.cwd();
}

/** The built HTML of one view, or a ViewNotBuiltError saying to run `npm run build`. */
export async function readViewHtml(view: AppViewName, viewsDir: string): Promise<string> {
  const file = join(viewsDir, `${view}.html`);
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new ViewNotBuiltError(view, file);
    throw error;
  }
}
