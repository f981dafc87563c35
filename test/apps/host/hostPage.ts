/**
 * The browser side of the views' test host: what a chat host does with an MCP Apps tool, in a
 * page of its own. It holds an SDK `Client` (its transport relays JSON-RPC through Playwright to
 * the real server process the test started), calls the tool, reads the `ui://` resource the tool
 * names, and shows it in a sandboxed iframe joined to the server by the package's `AppBridge`,
 * so the view's own tool calls reach the same server. Bundled for the browser by `viewHost.ts`;
 * type-checked with the DOM library by ./tsconfig.json (the root config has none).
 */
import {
  AppBridge,
  getToolUiResourceUri,
  PostMessageTransport,
  RESOURCE_MIME_TYPE,
  type McpUiHostContext,
  type McpUiStyles,
  type McpUiTheme,
} from "@modelcontextprotocol/ext-apps/app-bridge";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult, JSONRPCMessage, Tool } from "@modelcontextprotocol/sdk/types.js";
import {
  HOST_PALETTES,
  type HostEvent,
  type HostPageGlobals,
  type MountRequest,
  type MountResult,
} from "./protocol.js";

declare global {
  interface Window extends HostPageGlobals {}
}

const HOST_INFO = { name: "crm-views-test-host", version: "1.0.0" };

/** A JSON-RPC transport whose other end is the test process (and, behind it, the server's stdio). */
class RelayTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  async start(): Promise<void> {
    window.crmRelayReceive = (message) => this.onmessage?.(message);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    await window.crmRelaySend(message);
  }

  async close(): Promise<void> {
    window.crmRelayReceive = undefined;
    this.onclose?.();
  }
}

/**
 * The bridge's postMessage transport, logging each method the view sends and the host answers
 * (kind "protocol" events, in order), and able to hold the answer to the view's ui/initialize
 * until `release()` (see `MountRequest.holdHandshakeMs`).
 */
class HandshakeProbe implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private initializeId: string | number | undefined;
  private held: JSONRPCMessage | undefined;
  private announceRequest!: () => void;
  /** Resolves when the view has sent ui/initialize. */
  readonly initializeRequested = new Promise<void>((resolve) => (this.announceRequest = resolve));

  constructor(
    private readonly inner: PostMessageTransport,
    private readonly hold: boolean,
  ) {}

  async start(): Promise<void> {
    this.inner.onmessage = (message) => {
      if ("method" in message) {
        events.push({ kind: "protocol", params: { from: "view", method: message.method } });
        if (message.method === "ui/initialize" && "id" in message) {
          this.initializeId = message.id;
          this.announceRequest();
        }
      }
      this.onmessage?.(message);
    };
    this.inner.onclose = () => this.onclose?.();
    this.inner.onerror = (error) => this.onerror?.(error);
    await this.inner.start();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const answersInitialize = !("method" in message) && "id" in message && message.id === this.initializeId;
    if (answersInitialize && this.hold) {
      this.held = message;
      return;
    }
    events.push({
      kind: "protocol",
      params: {
        from: "host",
        method:
          "method" in message ? message.method : answersInitialize ? "ui/initialize (answer)" : "(answer)",
      },
    });
    await this.inner.send(message);
  }

  /** Sends the held answer to ui/initialize. */
  async release(): Promise<void> {
    const held = this.held;
    this.held = undefined;
    if (!held) throw new Error("no ui/initialize answer is held");
    events.push({ kind: "protocol", params: { from: "host", method: "ui/initialize (answer)" } });
    await this.inner.send(held);
  }

  async close(): Promise<void> {
    await this.inner.close();
  }
}

const client = new Client(HOST_INFO, {
  // Advertises MCP Apps support the way the package's server helper (getUiCapability) reads it.
  capabilities: { extensions: { "io.modelcontextprotocol/ui": { mimeTypes: [RESOURCE_MIME_TYPE] } } },
});
const tools = new Map<string, Tool>();
const events: HostEvent[] = [];
let current: { bridge: AppBridge; iframe: HTMLIFrameElement; context: McpUiHostContext } | undefined;
let viewCount = 0;

function hostContext(request: MountRequest, tool: Tool, theme: McpUiTheme): McpUiHostContext {
  return {
    toolInfo: { tool },
    theme,
    styles: { variables: HOST_PALETTES[theme] as McpUiStyles },
    locale: request.locale ?? "en-US",
    timeZone: "UTC",
    displayMode: "inline",
    availableDisplayModes: ["inline"],
    platform: "web",
    containerDimensions: { maxWidth: 960, maxHeight: 6000 },
    deviceCapabilities: { touch: false, hover: true },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)),
  ]);
}

function decodeResourceText(content: { text?: unknown; blob?: unknown }): string {
  if (typeof content.text === "string") return content.text;
  if (typeof content.blob === "string") {
    const bytes = Uint8Array.from(atob(content.blob), (char) => char.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  }
  throw new Error("the view resource has neither text nor blob");
}

async function unmountCurrent(): Promise<void> {
  if (!current) return;
  const { bridge, iframe } = current;
  current = undefined;
  // A host tears a view down before removing it; a view that does not answer is removed anyway.
  await withTimeout(bridge.teardownResource({}), 2000, "teardown").catch(() => undefined);
  await bridge.close().catch(() => undefined);
  iframe.remove();
}

async function mount(request: MountRequest): Promise<MountResult> {
  const tool = tools.get(request.tool);
  if (!tool) throw new Error(`the server lists no tool ${request.tool}`);
  const resourceUri = getToolUiResourceUri(tool);
  if (!resourceUri) throw new Error(`${request.tool} names no view (_meta.ui.resourceUri)`);
  const theme = request.theme ?? "light";
  await unmountCurrent();
  document.body.dataset.theme = theme;

  const resource = await client.readResource({ uri: resourceUri });
  const content = resource.contents[0];
  if (resource.contents.length !== 1 || !content)
    throw new Error(`${resourceUri} has ${resource.contents.length} contents, expected 1`);
  if (content.mimeType !== RESOURCE_MIME_TYPE)
    throw new Error(`${resourceUri} is ${content.mimeType}, expected ${RESOURCE_MIME_TYPE}`);
  const html = decodeResourceText(content);
  const result = (await client.callTool({
    name: request.tool,
    arguments: request.arguments ?? {},
  })) as CallToolResult;

  const viewId = `view-${++viewCount}`;
  const iframe = document.createElement("iframe");
  iframe.className = "view";
  iframe.dataset.viewId = viewId;
  iframe.title = `${request.tool} view`;
  // Opaque origin, scripts only: the view reaches nothing but this page's postMessage.
  iframe.setAttribute("sandbox", "allow-scripts");
  document.getElementById("views")!.append(iframe);

  const context = hostContext(request, tool, theme);
  const capabilities = client.getServerCapabilities();
  const bridge = new AppBridge(
    client,
    HOST_INFO,
    {
      openLinks: {},
      serverTools: capabilities?.tools ? {} : undefined,
      serverResources: capabilities?.resources ? {} : undefined,
      logging: {},
      message: { text: {} },
      updateModelContext: { text: {}, structuredContent: {} },
    },
    { hostContext: context },
  );
  bridge.addEventListener("sizechange", ({ height }) => {
    events.push({ kind: "size", params: { height } });
    if (height !== undefined) iframe.style.height = `${Math.ceil(height) + 2}px`;
  });
  bridge.addEventListener("loggingmessage", (params) => events.push({ kind: "log", params }));
  bridge.onmessage = async (params) => {
    events.push({ kind: "message", params });
    return {};
  };
  bridge.onopenlink = async (params) => {
    events.push({ kind: "open-link", params });
    return {};
  };
  bridge.onupdatemodelcontext = async (params) => {
    events.push({ kind: "model-context", params });
    return {};
  };
  const initialized = new Promise<void>((resolve) => bridge.addEventListener("initialized", () => resolve()));
  const hold = request.holdHandshakeMs !== undefined;
  const transport = new HandshakeProbe(
    new PostMessageTransport(iframe.contentWindow!, iframe.contentWindow!),
    hold,
  );
  // The bridge listens before the view loads: its ui/initialize is the first thing it sends.
  await bridge.connect(transport);
  iframe.srcdoc = html;
  if (hold) {
    await withTimeout(transport.initializeRequested, 10_000, `${resourceUri} did not send ui/initialize`);
    await bridge.sendToolInput({ arguments: request.arguments ?? {} });
    await bridge.sendToolResult(result);
    await new Promise((resolve) => setTimeout(resolve, request.holdHandshakeMs));
    await transport.release();
    await withTimeout(initialized, 10_000, `${resourceUri} did not send ui/notifications/initialized`);
  } else {
    await withTimeout(initialized, 10_000, `${resourceUri} did not send ui/notifications/initialized`);
    await bridge.sendToolInput({ arguments: request.arguments ?? {} });
    await bridge.sendToolResult(result);
  }
  current = { bridge, iframe, context };
  return {
    viewId,
    resourceUri,
    mimeType: content.mimeType,
    htmlBytes: new TextEncoder().encode(html).length,
    result,
  };
}

window.crmHost = {
  async connect() {
    await client.connect(new RelayTransport());
    for (const tool of (await client.listTools()).tools) tools.set(tool.name, tool);
    return [...tools.keys()];
  },
  mount,
  async setHostContext(changes) {
    if (!current) throw new Error("no view is mounted");
    const theme = changes.theme ?? (current.context.theme as McpUiTheme);
    const context: McpUiHostContext = {
      ...current.context,
      ...changes,
      styles: { variables: HOST_PALETTES[theme] as McpUiStyles },
    };
    current.context = context;
    document.body.dataset.theme = theme;
    current.bridge.setHostContext(context);
  },
  events: () => events,
};
