/**
 * The test's side of the views' host: a page server on 127.0.0.1 for `host.html` and the bundled
 * `hostPage.ts`, one Chromium (Debian's, as the VS Code end-to-end test uses it), and per host a
 * real built server (`dist/server.js` over stdio on a given store) whose JSON-RPC the page's SDK
 * client reaches through a Playwright binding. Every `tools/call` on that line is recorded, so a
 * test can see which tools a view called and what the server answered.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult, JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { build } from "esbuild";
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../../e2e/setup.mjs";
import { ensureBuilt, REPO_ROOT } from "../../helpers/cli.js";
import type { HostEvent, HostPageGlobals, MountRequest, MountResult } from "./protocol.js";

// What the callbacks passed to page.evaluate see in the browser (the root tsconfig has no DOM).
declare const window: HostPageGlobals;
declare const document: { documentElement: { scrollHeight: number } };
declare function requestAnimationFrame(callback: (time: number) => void): number;
declare const innerHeight: number;
/** The parts of an element the callbacks below use. */
interface ElementBox {
  clientHeight: number;
  style: { height: string };
  getBoundingClientRect(): { height: number };
}

const HOST_DIR = import.meta.dirname;
/** Screenshots of the views (git-ignored); the README shows two of them. */
export const ARTIFACTS_DIR = join(REPO_ROOT, "test-artifacts", "apps");
/** The Chromium to drive: `$CRM_CHROMIUM`, else Debian's (installed by test/e2e/setup.mjs). */
export const CHROMIUM_PATH = process.env.CRM_CHROMIUM || CHROMIUM;

/**
 * Whether the browser tests must be skipped: no Chromium here. Says so on the console; where
 * CRM_REQUIRE_BROWSER is set (CI, after installing Chromium) a missing browser is an error instead.
 */
export function browserMissing(): boolean {
  if (existsSync(CHROMIUM_PATH)) return false;
  const why = `no Chromium at ${CHROMIUM_PATH}; install Debian's with \`node test/e2e/setup.mjs --chromium\` or point CRM_CHROMIUM at one`;
  if (process.env.CRM_REQUIRE_BROWSER) throw new Error(`the MCP Apps browser tests cannot run: ${why}`);
  console.warn(`Skipping the MCP Apps browser tests: ${why}.`);
  return true;
}

/** The views the server serves (ui://crm/<name>.html, built into dist/apps). */
export const VIEW_NAMES = ["at-risk-board", "customer-card", "segment-explorer", "cohorts-kpis", "backtest"];

/** Builds dist/ when the server or a view is missing (CI builds first; a stale build is not redone). */
export function ensureViewsBuilt(): void {
  ensureBuilt();
  if (VIEW_NAMES.some((name) => !existsSync(join(REPO_ROOT, "dist/apps", `${name}.html`)))) {
    execFileSync(process.execPath, ["esbuild.mjs"], { cwd: REPO_ROOT, stdio: "inherit" });
  }
}

/** One headless Chromium with the flags the end-to-end test found to work offline in containers. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
}

async function bundleHostScript(): Promise<string> {
  const result = await build({
    entryPoints: [join(HOST_DIR, "hostPage.ts")],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "chrome120",
    logLevel: "warning",
  });
  return result.outputFiles[0]!.text;
}

/**
 * Saves the whole page as `test-artifacts/apps/<name>.png`. The viewport is stretched to the page
 * first: Chromium paints a cross-document frame only where the viewport was, so a full-page
 * capture of a tall view comes out partly blank otherwise.
 */
export async function screenshotPage(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  const viewport = page.viewportSize()!;
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.max(height, 200) });
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
  );
  await page.screenshot({ path });
  await page.setViewportSize(viewport);
  return path;
}

export interface HostPageServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the host page and its script on a free loopback port; nothing else. */
export async function serveHostPage(): Promise<HostPageServer> {
  const script = await bundleHostScript();
  const html = readFileSync(join(HOST_DIR, "host.html"));
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    if (path === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
    } else if (path === "/host.js") {
      response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(script);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A `tools/call` that crossed the line between the page and the server. */
export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /** Set when the server has answered. */
  result?: CallToolResult;
  /** A JSON-RPC error (protocol fault), when the server answered with one. */
  error?: { code: number; message: string };
}

export interface MountedView extends MountResult {
  /** The view's document. */
  frame: FrameLocator;
  /** The iframe element in the host page. */
  iframe: Locator;
  structuredContent: Record<string, unknown>;
  /**
   * Clicks `target` (a locator in `frame`) once the view is at rest: click through this, not
   * `target.click()`, whenever the click may follow a redraw (see `viewAtRest`).
   */
  click(target: Locator): Promise<void>;
  /** Changes the host context (theme, locale) of the mounted view, as a host does live. */
  setHostContext(changes: { theme?: "light" | "dark"; locale?: string }): Promise<void>;
  /** Saves a screenshot of the host page (the view at its reported height) as `<name>.png`. */
  screenshot(name: string): Promise<string>;
}

export interface ViewHost {
  page: Page;
  /** Tool names the server listed to the page's client. */
  toolNames: string[];
  /** Every tools/call so far, in order (the host's own and the views'). */
  toolCalls: ToolCall[];
  /** Calls `request.tool` as a chat host does and shows the view its definition names. */
  mount(request: MountRequest): Promise<MountedView>;
  /** Waits for the first call of `name` after `toolCalls[from]` to be answered. */
  waitForToolCall(name: string, from: number, timeoutMs?: number): Promise<ToolCall>;
  /** Messages, links, logs the views sent the host. */
  events(): Promise<HostEvent[]>;
  serverLog(): string;
  close(): Promise<void>;
}

export interface ViewHostOptions {
  pageUrl: string;
  /** The store the server opens (the test seeds it). */
  dbPath: string;
  allowWrites: boolean;
  viewport?: { width: number; height: number };
}

/**
 * Resolves once the view's iframe is at rest: the view has no size change left to report (its
 * content measured as the package's App measures it fills its window exactly), the host has
 * applied the last one, and two frames have been drawn since in both documents, twice alike.
 *
 * Why a click needs this: the views' iframe is sandboxed, so Chromium runs it out of process and
 * routes mouse input by the frames last drawn, not by the layout. A click in the part of the
 * iframe the host has just grown (each draw reports a new size, and the host resizes the iframe a
 * message later) goes to the host's <iframe> element instead of the view, even after the view has
 * laid out at its new size; Playwright's hit-target check runs inside the view, sees no event, and
 * reports the click done. That lost about one save click in five, and once a draft click.
 */
async function viewAtRest(iframe: Locator, frame: FrameLocator, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let previous = "";
  for (;;) {
    // Each callback waits two animation frames in its own document (Playwright sends the callback's
    // source alone, so the wait is written out in each): the next frame has then been drawn.
    const view = await frame.locator(":root").evaluate(async (root: ElementBox) => {
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      const height = root.style.height;
      root.style.height = "max-content";
      const wanted = Math.ceil(root.getBoundingClientRect().height);
      root.style.height = height;
      return { wanted, shown: innerHeight };
    });
    const applied = await iframe.evaluate(async (element: ElementBox) => {
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      return element.clientHeight;
    });
    const sample = JSON.stringify({ ...view, applied });
    if (view.wanted === view.shown && view.shown === applied && sample === previous) return;
    if (Date.now() > deadline)
      throw new Error(`the view did not come to rest within ${timeoutMs} ms: ${sample}`);
    previous = sample;
  }
}

/** Starts the built server on `dbPath` and opens a host page connected to it. */
export async function openViewHost(browser: Browser, options: ViewHostOptions): Promise<ViewHost> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      join(REPO_ROOT, "dist/server.js"),
      "--db",
      options.dbPath,
      ...(options.allowWrites ? ["--allow-writes"] : []),
    ],
    cwd: REPO_ROOT,
    stderr: "pipe",
  });
  let serverLog = "";
  transport.stderr?.on("data", (chunk: Buffer) => (serverLog += chunk.toString()));
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1000, height: 800 },
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const browserLog: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") browserLog.push(message.text());
  });
  page.on("pageerror", (error) => browserLog.push(String(error)));

  const toolCalls: ToolCall[] = [];
  const pending = new Map<string | number, ToolCall>();
  let closed = false;
  let delivery: Promise<unknown> = Promise.resolve();
  transport.onmessage = (message: JSONRPCMessage) => {
    if ("id" in message && message.id !== undefined && pending.has(message.id)) {
      const call = pending.get(message.id)!;
      pending.delete(message.id);
      if ("result" in message) call.result = message.result as CallToolResult;
      if ("error" in message) call.error = message.error;
    }
    if (closed) return;
    // Chained, so the page receives the server's messages in the order they were sent.
    delivery = delivery
      .then(() => page.evaluate((relayed) => window.crmRelayReceive?.(relayed), message))
      .catch(() => undefined);
  };
  await transport.start();
  await page.exposeFunction("crmRelaySend", async (message: JSONRPCMessage) => {
    if ("method" in message && message.method === "tools/call" && "id" in message) {
      const params = (message.params ?? {}) as { name?: string; arguments?: Record<string, unknown> };
      const call: ToolCall = { name: String(params.name), arguments: params.arguments ?? {} };
      toolCalls.push(call);
      pending.set(message.id, call);
    }
    await transport.send(message);
  });
  await page.goto(options.pageUrl);
  const toolNames = await page.evaluate(() => window.crmHost.connect());

  return {
    page,
    toolNames,
    toolCalls,
    async mount(request) {
      const mounted = await page
        .evaluate((sent) => window.crmHost.mount(sent), request)
        .catch((error) => {
          throw new Error(`mounting ${request.tool}: ${error}\nbrowser: ${browserLog.join("\n")}`);
        });
      const selector = `iframe[data-view-id="${mounted.viewId}"]`;
      const frame = page.frameLocator(selector);
      const iframe = page.locator(selector);
      return {
        ...mounted,
        frame,
        iframe,
        async click(target) {
          await target.waitFor();
          await viewAtRest(iframe, frame);
          await target.click();
        },
        structuredContent: (mounted.result.structuredContent ?? {}) as Record<string, unknown>,
        setHostContext: (changes) => page.evaluate((sent) => window.crmHost.setHostContext(sent), changes),
        screenshot: (name) => screenshotPage(page, name),
      };
    },
    async waitForToolCall(name, from, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const call = toolCalls.slice(from).find((candidate) => candidate.name === name);
        if (call && (call.result || call.error)) return call;
        if (Date.now() > deadline) {
          const seen = toolCalls.slice(from).map((candidate) => candidate.name);
          throw new Error(
            `no answered ${name} call within ${timeoutMs} ms (calls seen: ${seen.join(", ") || "none"})`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    events: () => page.evaluate(() => window.crmHost.events()),
    serverLog: () => serverLog,
    async close() {
      closed = true;
      await context.close().catch(() => undefined);
      await transport.close().catch(() => undefined);
    },
  };
}
