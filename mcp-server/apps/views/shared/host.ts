import {
  App,
  applyDocumentTheme,
  applyHostFonts,
  applyHostStyleVariables,
  type McpUiHostContext,
} from "@modelcontextprotocol/ext-apps";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { escapeHtml } from "./html.js";

/** What a view's main module gets from the host connection. */
export interface ViewHost {
  app: App;
  /** The host's BCP 47 locale, when it said one. */
  locale(): string | undefined;
  /** Calls a server tool through the host; a tool error comes back as an Error with its text. */
  callTool(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export interface ViewOptions {
  name: string;
  /** A tool result arrived (the one the view is attached to). */
  onResult(structured: Record<string, unknown>): void;
  /** The tool failed, or its result had no structuredContent. */
  onError(message: string): void;
  /** Theme or locale changed: draw again. */
  onContextChange(): void;
  /** The arguments the tool was called with (before its result arrives). */
  onInput?(args: Record<string, unknown>): void;
}

/** The text of a tool result's content, for error messages. */
export function resultText(result: Pick<CallToolResult, "content">): string {
  return (result.content ?? [])
    .map((block) => (block.type === "text" ? block.text : ""))
    .join("\n")
    .trim();
}

function applyContext(context: McpUiHostContext | undefined): void {
  if (!context) return;
  if (context.theme) applyDocumentTheme(context.theme);
  if (context.styles?.variables) applyHostStyleVariables(context.styles.variables);
  if (context.styles?.css?.fonts) applyHostFonts(context.styles.css.fonts);
  if (context.locale) document.documentElement.lang = context.locale;
}

/**
 * Connects the view to its host (the MCP Apps postMessage protocol through the package's App):
 * applies the host's theme, style variables and fonts, reports size changes, and hands each
 * tool result to the view.
 *
 * Nothing the user can act on is drawn before the ui/initialize handshake has completed: a host
 * may send the tool result before it answers ui/initialize, and a view drawn from it then had live
 * buttons whose tools/call went out before the handshake (and the redraw on connecting could
 * swallow a click in flight). So a result that comes early is kept and drawn once connected, and
 * `callTool` waits for the connection too.
 */
export function startView(options: ViewOptions): ViewHost {
  const app = new App({ name: `crm-${options.name}`, version: "0.1.0" }, {}, { autoResize: true });
  let locale: string | undefined;
  let connected = false;
  let early: CallToolResult | undefined;
  const root = document.getElementById("app");
  // Until the result arrives; the language is not known yet, so both.
  if (root && !root.hasChildNodes()) root.innerHTML = '<p class="muted" role="status">Loading… 加载中…</p>';
  const deliver = (result: CallToolResult) => {
    if (result.isError || !result.structuredContent) {
      options.onError(resultText(result) || "the tool returned no data");
      return;
    }
    options.onResult(result.structuredContent);
  };
  app.ontoolinput = (input) => options.onInput?.(input.arguments ?? {});
  app.ontoolresult = (result) => {
    if (connected) deliver(result);
    else early = result;
  };
  app.onhostcontextchanged = (context) => {
    applyContext(context);
    if (context.locale) locale = context.locale;
    options.onContextChange();
  };
  app.onteardown = async () => ({});
  const connection = app.connect().then(() => {
    const context = app.getHostContext();
    applyContext(context);
    locale = context?.locale;
    connected = true;
    options.onContextChange();
    if (early) deliver(early);
    early = undefined;
  });
  connection.catch((error: unknown) => options.onError(`could not connect to the host: ${String(error)}`));
  return {
    app,
    locale: () => locale,
    async callTool(name, args) {
      await connection.catch((error: unknown) => {
        throw new Error(`${name} was not called: the view could not connect to the host (${String(error)})`);
      });
      const result = await app.callServerTool({ name, arguments: args });
      if (result.isError || !result.structuredContent) {
        throw new Error(resultText(result) || `${name} returned no data`);
      }
      return result.structuredContent;
    },
  };
}

/**
 * A view that only draws the tool result it is attached to: renders it (again when the host's
 * theme or language changes), or the tool's failure in its place.
 */
export function startRenderedView<T>(
  name: string,
  render: (data: T, locale: string | undefined) => string,
): ViewHost {
  const root = document.getElementById("app") as HTMLElement;
  let data: T | null = null;
  let failure: string | null = null;
  const draw = () => {
    if (failure) root.innerHTML = `<p class="error" role="alert">${escapeHtml(failure)}</p>`;
    else if (data) root.innerHTML = render(data, host.locale());
  };
  const host = startView({
    name,
    onResult(structured) {
      data = structured as T;
      failure = null;
      draw();
    },
    onError(message) {
      failure = message;
      draw();
    },
    onContextChange: draw,
  });
  return host;
}
