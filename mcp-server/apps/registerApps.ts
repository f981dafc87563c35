import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { RESOURCE_MIME_TYPE, registerAppResource } from "@modelcontextprotocol/ext-apps/server";
import { APP_VIEW_NAMES, APP_VIEWS, viewUri } from "./catalogue.js";
import { locateViewsDir, readViewHtml } from "./resources.js";

export interface AppsOptions {
  /** Where the built `<view>.html` files are; default: dist/apps next to the running bundle. */
  viewsDir?: string;
}

/**
 * Serves every view as a `ui://crm/<view>.html` resource (`text/html;profile=mcp-app`). The
 * HTML is read on each request, so a rebuilt view shows without restarting the server, and a
 * missing one fails only its own read (with the fix in the message), never the server or a tool.
 */
export function registerApps(server: McpServer, options: AppsOptions = {}): void {
  const viewsDir = options.viewsDir ?? locateViewsDir();
  for (const view of APP_VIEW_NAMES) {
    const uri = viewUri(view);
    registerAppResource(
      server,
      APP_VIEWS[view].title,
      uri,
      {
        description: `${APP_VIEWS[view].description} Drawn from ${APP_VIEWS[view].tool}.`,
        // The views are self-contained (inline script and style) and make no network requests.
        _meta: { ui: { prefersBorder: false } },
      },
      async () => ({
        contents: [{ uri, mimeType: RESOURCE_MIME_TYPE, text: await readViewHtml(view, viewsDir) }],
      }),
    );
  }
}
