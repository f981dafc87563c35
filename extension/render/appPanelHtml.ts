import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { escapeHtml } from "./format.js";

/**
 * The extension shows the server's MCP Apps views (the same `ui://crm/<view>.html` bundles chat
 * hosts render) in its own webviews. A webview has no MCP Apps host, so this page is one, as
 * small as the views need: it answers `ui/initialize` with VS Code's theme and locale, hands each
 * view the tool call it draws, resizes it, and passes its `tools/call` requests to the extension,
 * which calls the server (writes stay refused unless the server runs with --allow-writes).
 */

/** The MCP Apps protocol version this host speaks when a view names none. */
export const APP_PROTOCOL_VERSION = "2026-01-26";

/** A view to show: its HTML as the server serves it and the tool call it draws. */
export interface EmbeddedView {
  /** The view's name, e.g. "cohorts-kpis" (its resource is ui://crm/<name>.html). */
  name: string;
  title: string;
  html: string;
  tool: string;
  input: Record<string, unknown>;
  result: CallToolResult;
}

/** A view that could not be shown (not built, or its tool failed), with what to do about it. */
export interface UnavailableView {
  name: string;
  title: string;
  error: string;
}

/** The views of the Portfolio dashboard, top to bottom, and the tool call each one draws. */
export const PORTFOLIO_VIEWS: readonly {
  name: string;
  title: string;
  tool: string;
  input: Record<string, unknown>;
}[] = [
  { name: "cohorts-kpis", title: "Cohorts and KPIs", tool: "portfolio_overview", input: {} },
  { name: "segment-explorer", title: "Segments", tool: "segment_customers", input: { by: "rfm" } },
];

/** The `ui://` resource of a view. */
export function viewResourceUri(name: string): string {
  return `ui://crm/${name}.html`;
}

/** Messages the panel posts to the extension. */
export type AppPanelMessage =
  | { type: "callTool"; requestId: number; name: string; arguments: Record<string, unknown> }
  | { type: "openLink"; url: string }
  | HostActionMessage;

/**
 * A click on one of the page's own controls around the views (`data-host-action` on a button or
 * a form), with the form's text fields. What an action means is up to the panel that offers it.
 */
export interface HostActionMessage {
  type: "hostAction";
  action: string;
  fields: Record<string, string>;
}

/** What the extension posts back for a `callTool` message. */
export interface AppPanelToolReply {
  type: "toolResult";
  requestId: number;
  result: CallToolResult;
}

/** Checks a message from the webview (untrusted input: the views draw customer data). */
export function parseAppPanelMessage(message: unknown): AppPanelMessage | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const fields = message as Record<string, unknown>;
  if (fields.type === "callTool") {
    const { requestId, name } = fields;
    const args = fields.arguments ?? {};
    if (
      !Number.isSafeInteger(requestId) ||
      typeof name !== "string" ||
      !/^[a-z][a-z0-9_]{0,63}$/.test(name)
    ) {
      return undefined;
    }
    if (typeof args !== "object" || args === null || Array.isArray(args)) return undefined;
    return {
      type: "callTool",
      requestId: requestId as number,
      name,
      arguments: args as Record<string, unknown>,
    };
  }
  if (fields.type === "openLink" && typeof fields.url === "string" && /^https?:\/\//i.test(fields.url)) {
    return { type: "openLink", url: fields.url };
  }
  if (
    fields.type === "hostAction" &&
    typeof fields.action === "string" &&
    /^[a-zA-Z]{1,40}$/.test(fields.action)
  ) {
    const given = fields.fields ?? {};
    if (typeof given !== "object" || given === null || Array.isArray(given)) return undefined;
    const entries = Object.entries(given as Record<string, unknown>);
    if (!entries.every(([, value]) => typeof value === "string")) return undefined;
    return {
      type: "hostAction",
      action: fields.action,
      fields: Object.fromEntries(entries) as Record<string, string>,
    };
  }
  return undefined;
}

/** A tool call that failed in the extension, as the view expects a failed call to read. */
export function toolErrorResult(message: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text: message }] };
}

/**
 * The panel's Content-Security-Policy, which the views' srcdoc frames inherit: scripts only with
 * the nonce (put on the views' inline scripts here) and those they create ('strict-dynamic': the
 * views unpack their compressed code into a script element), inline styles (the views' bars are
 * sized in style attributes), nothing fetched from anywhere.
 */
export function appPanelCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'unsafe-inline'",
    "img-src data:",
    "font-src data:",
    "connect-src 'none'",
    "form-action 'none'",
  ].join("; ");
}

/** The view's HTML with the nonce on each of its inline scripts, so the inherited CSP runs them. */
export function withScriptNonce(html: string, nonce: string): string {
  return html.replace(/<script(?=[\s>])/gi, `<script nonce="${nonce}"`);
}

/** JSON safe inside a `<script>` element (no `</script>`, no HTML comment openers). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * The host side of the MCP Apps protocol, for views in sandboxed srcdoc frames of this page.
 * Plain browser JavaScript (it runs in the webview as written).
 */
const HOST_SCRIPT = `
(() => {
  const vscode = acquireVsCodeApi();
  const config = JSON.parse(document.getElementById("crm-views").textContent);
  const pending = new Map();
  let nextRequest = 1;

  function frameOf(source) {
    for (const iframe of document.querySelectorAll("iframe[data-view]")) {
      if (iframe.contentWindow === source) return { iframe, view: config.views[Number(iframe.dataset.view)] };
    }
    return undefined;
  }
  function theme() {
    const classes = document.body.classList;
    if (classes.contains("vscode-high-contrast-light") || classes.contains("vscode-light")) return "light";
    return classes.contains("vscode-dark") || classes.contains("vscode-high-contrast") ? "dark" : "light";
  }
  function styles() {
    const style = getComputedStyle(document.body);
    const read = (...names) => names.map((name) => style.getPropertyValue(name).trim()).find(Boolean);
    const variables = {
      "--color-background-primary": read("--vscode-editor-background"),
      "--color-background-secondary": read("--vscode-editorWidget-background", "--vscode-sideBar-background"),
      "--color-text-primary": read("--vscode-editor-foreground", "--vscode-foreground"),
      "--color-text-secondary": read("--vscode-descriptionForeground"),
      "--color-border-primary": read("--vscode-panel-border", "--vscode-editorWidget-border"),
      "--color-text-danger": read("--vscode-errorForeground"),
      "--color-text-warning": read("--vscode-editorWarning-foreground"),
      "--color-text-success": read("--vscode-testing-iconPassed"),
      "--color-text-info": read("--vscode-textLink-foreground"),
      "--font-sans": read("--vscode-font-family"),
      "--font-mono": read("--vscode-editor-font-family"),
    };
    for (const key of Object.keys(variables)) if (!variables[key]) delete variables[key];
    return { variables };
  }
  function context(view) {
    return {
      theme: theme(),
      styles: styles(),
      locale: config.locale,
      displayMode: "inline",
      availableDisplayModes: ["inline"],
      platform: "desktop",
      toolInfo: { tool: { name: view.tool, inputSchema: { type: "object" } } },
    };
  }
  const post = (frame, message) => frame.iframe.contentWindow.postMessage({ jsonrpc: "2.0", ...message }, "*");
  const reply = (frame, id, result) => post(frame, { id, result });
  const notify = (frame, method, params) => post(frame, { method, params });

  function fromView(frame, message) {
    if (!message || message.jsonrpc !== "2.0" || typeof message.method !== "string") return;
    const { id, method } = message;
    const params = message.params || {};
    switch (method) {
      case "ui/initialize":
        return reply(frame, id, {
          protocolVersion: params.protocolVersion || config.protocolVersion,
          hostInfo: { name: "crm-assistant-vscode", version: "1.0.0" },
          hostCapabilities: { serverTools: {}, openLinks: {}, logging: {} },
          hostContext: context(frame.view),
        });
      case "ui/notifications/initialized":
        notify(frame, "ui/notifications/tool-input", { arguments: frame.view.input });
        return notify(frame, "ui/notifications/tool-result", frame.view.result);
      case "ui/notifications/size-changed":
        if (typeof params.height === "number") frame.iframe.style.height = Math.ceil(params.height) + "px";
        return;
      case "tools/call": {
        const requestId = nextRequest++;
        pending.set(requestId, { frame, id });
        return vscode.postMessage({ type: "callTool", requestId, name: params.name, arguments: params.arguments || {} });
      }
      case "ui/open-link":
        vscode.postMessage({ type: "openLink", url: params.url });
        return reply(frame, id, {});
      case "ui/request-display-mode":
        return reply(frame, id, { mode: "inline" });
      case "ping":
      case "ui/message":
      case "ui/update-model-context":
        return reply(frame, id, {});
      default:
        if (id !== undefined) post(frame, { id, error: { code: -32601, message: "not offered by this panel: " + method } });
    }
  }

  window.addEventListener("message", (event) => {
    const frame = frameOf(event.source);
    if (frame) return fromView(frame, event.data);
    const data = event.data;
    if (data && data.type === "toolResult" && pending.has(data.requestId)) {
      const { frame: caller, id } = pending.get(data.requestId);
      pending.delete(data.requestId);
      reply(caller, id, data.result);
    }
  });
  // VS Code changes the body's theme classes when the user switches theme. (This script runs in
  // the head, so that it listens before the frames load: the body exists only later.)
  document.addEventListener("DOMContentLoaded", () => {
    for (const control of document.querySelectorAll("button[data-host-action]")) {
      control.addEventListener("click", () =>
        vscode.postMessage({ type: "hostAction", action: control.dataset.hostAction, fields: {} }),
      );
    }
    for (const form of document.querySelectorAll("form[data-host-action]")) {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const fields = {};
        for (const [key, value] of new FormData(form)) if (typeof value === "string") fields[key] = value;
        vscode.postMessage({ type: "hostAction", action: form.dataset.hostAction, fields });
        form.reset();
      });
    }
    new MutationObserver(() => {
      for (const iframe of document.querySelectorAll("iframe[data-view]")) {
        const frame = { iframe, view: config.views[Number(iframe.dataset.view)] };
        notify(frame, "ui/notifications/host-context-changed", { theme: theme(), styles: styles() });
      }
    }).observe(document.body, { attributes: true, attributeFilter: ["class"] });
  });
})();
`;

export interface AppPanelOptions {
  nonce: string;
  title: string;
  /** BCP 47 locale the views read in (VS Code's display language). */
  locale: string;
  /**
   * The page's own controls above and below the views, as HTML the caller built (and escaped):
   * a `data-host-action` button or form posts a `hostAction` message to the extension.
   */
  header?: string;
  footer?: string;
}

/** VS Code's display language ("zh-cn") as the BCP 47 tag hosts send ("zh-CN"). */
export function hostLocale(vscodeLanguage: string): string {
  const [language, region] = vscodeLanguage.split("-");
  return region ? `${language}-${region.toUpperCase()}` : language || "en";
}

/** The webview page hosting `views` (and saying why any of them is missing). */
export function appPanelHtml(
  views: readonly (EmbeddedView | UnavailableView)[],
  options: AppPanelOptions,
): string {
  const shown = views.filter((view): view is EmbeddedView => "html" in view);
  const config = {
    locale: options.locale,
    protocolVersion: APP_PROTOCOL_VERSION,
    views: shown.map(({ name, tool, input, result }) => ({ name, tool, input, result })),
  };
  const sections = views.map((view) => {
    if (!("html" in view)) {
      return `<section aria-label="${escapeHtml(view.title)}"><h2>${escapeHtml(view.title)}</h2><p class="error" role="alert">${escapeHtml(view.error)}</p></section>`;
    }
    const index = shown.indexOf(view);
    return (
      `<section aria-label="${escapeHtml(view.title)}">` +
      `<iframe data-view="${index}" data-view-name="${escapeHtml(view.name)}" title="${escapeHtml(view.title)}" sandbox="allow-scripts" srcdoc="${escapeHtml(withScriptNonce(view.html, options.nonce))}"></iframe>` +
      `</section>`
    );
  });
  return `<!DOCTYPE html>
<html lang="${escapeHtml(options.locale)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${appPanelCsp(options.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(options.title)}</title>
<style>
  body { padding: 8px 16px 24px; color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); }
  section { margin-bottom: 16px; }
  iframe { display: block; width: 100%; height: 420px; border: 0; }
  h2 { font-size: 1.1em; }
  .error { color: var(--vscode-errorForeground); }
  .muted { color: var(--vscode-descriptionForeground); }
  .host-controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; }
  .host-controls input[name=summary] { flex: 1 1 240px; }
  button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 5px 12px; cursor: pointer; border-radius: 2px; }
  button:hover { background: var(--vscode-button-hoverBackground); }
  button.secondary { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
  input, select { background: var(--vscode-input-background); color: var(--vscode-input-foreground); border: 1px solid var(--vscode-input-border, transparent); padding: 3px 6px; }
</style>
<script type="application/json" id="crm-views">${scriptJson(config)}</script>
<script nonce="${options.nonce}">${HOST_SCRIPT}</script>
</head>
<body>
${options.header ?? ""}
${sections.join("\n")}
${options.footer ?? ""}
</body>
</html>`;
}
