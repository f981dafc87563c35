import type { CallToolResult, JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** What the test host page is asked to do: call a tool as a chat host would and show its view. */
export interface MountRequest {
  /** The tool the model "called"; its `_meta.ui.resourceUri` names the view to show. */
  tool: string;
  arguments?: Record<string, unknown>;
  theme?: "light" | "dark";
  /** BCP 47, as hosts send it: "en-US", "zh-CN". */
  locale?: string;
  /**
   * Act as a hasty host: send the tool input and result as soon as the view asks ui/initialize and
   * answer that request only this many ms later (a host may; the view must not act before it).
   */
  holdHandshakeMs?: number;
}

/** What the host page answers once the view has initialised and received the tool's result. */
export interface MountResult {
  /** The `data-view-id` of the iframe holding the view. */
  viewId: string;
  resourceUri: string;
  mimeType: string;
  /** Size of the view's HTML as served, in bytes (UTF-8). */
  htmlBytes: number;
  /** The tool result the view was given, exactly as the server answered. */
  result: CallToolResult;
}

/** What the host page adds to its window, for the test to call (and one binding the test adds). */
export interface HostPageGlobals {
  /** Exposed by the test (Playwright): hands a message to the server process. */
  crmRelaySend(message: JSONRPCMessage): Promise<void>;
  /** Called by the test with each message the server process sends. */
  crmRelayReceive?: (message: JSONRPCMessage) => void;
  crmHost: {
    connect(): Promise<string[]>;
    mount(request: MountRequest): Promise<MountResult>;
    setHostContext(changes: { theme?: "light" | "dark"; locale?: string }): Promise<void>;
    events(): HostEvent[];
  };
}

/**
 * Something a view asked of the host besides tool calls (messages, links, logs, model context), or
 * (kind "protocol") a JSON-RPC method crossing the line, in order: `{ from: "view" | "host", method }`.
 */
export interface HostEvent {
  kind: "message" | "open-link" | "log" | "model-context" | "size" | "protocol";
  params: unknown;
}

/**
 * The style variables the test host sends for each theme, as a chat client would (distinct from
 * the views' fallbacks, so a test can tell that a view drew with the host's colours).
 */
export const HOST_PALETTES: Record<"light" | "dark", Record<string, string>> = {
  light: {
    "--color-background-primary": "#ffffff",
    "--color-background-secondary": "#f3f4f6",
    "--color-background-tertiary": "#e8eaee",
    "--color-text-primary": "#1f2328",
    "--color-text-secondary": "#59636e",
    "--color-text-tertiary": "#6e7781",
    "--color-border-primary": "#d1d9e0",
    "--color-border-secondary": "#e1e4e8",
    "--color-text-danger": "#cf222e",
    "--color-text-success": "#1a7f37",
    "--color-text-warning": "#9a6700",
    "--color-text-info": "#0969da",
    "--color-background-danger": "#ffebe9",
    "--color-background-info": "#ddf4ff",
    "--color-ring-primary": "#0969da",
    "--font-sans": "system-ui, 'Noto Sans CJK SC', sans-serif",
    "--border-radius-md": "6px",
  },
  dark: {
    "--color-background-primary": "#0d1117",
    "--color-background-secondary": "#151b23",
    "--color-background-tertiary": "#212830",
    "--color-text-primary": "#f0f6fc",
    "--color-text-secondary": "#9198a1",
    "--color-text-tertiary": "#7d8590",
    "--color-border-primary": "#3d444d",
    "--color-border-secondary": "#2f353d",
    "--color-text-danger": "#f85149",
    "--color-text-success": "#3fb950",
    "--color-text-warning": "#d29922",
    "--color-text-info": "#4493f8",
    "--color-background-danger": "#3c1618",
    "--color-background-info": "#0c2d6b",
    "--color-ring-primary": "#1f6feb",
    "--font-sans": "system-ui, 'Noto Sans CJK SC', sans-serif",
    "--border-radius-md": "6px",
  },
};
