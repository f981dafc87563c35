import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildViews } from "../../../esbuild.views.mjs";
import { APP_VIEW_NAMES, APP_VIEWS, viewUri } from "../../../mcp-server/apps/catalogue.js";
import { locateViewsDir } from "../../../mcp-server/apps/resources.js";
import { ensureBuilt, REPO_ROOT } from "../../helpers/cli.js";
import { createMcpHarness, DEMO_AS_OF, openDemoStore, type McpHarness } from "../../helpers/mcpClient.js";
import { createTempDir, type TempDir } from "../../helpers/tempFiles.js";

const MCP_APP_MIME = "text/html;profile=mcp-app";

/** The links the brief agreed on: tool → view. */
const LINKS: Record<string, string> = {
  find_at_risk_customers: "ui://crm/at-risk-board.html",
  get_customer: "ui://crm/customer-card.html",
  segment_customers: "ui://crm/segment-explorer.html",
  portfolio_overview: "ui://crm/cohorts-kpis.html",
  kpi_report: "ui://crm/cohorts-kpis.html",
  server_status: "ui://crm/backtest.html",
};

describe("MCP Apps registration", () => {
  let views: TempDir;
  let harness: McpHarness;
  let built: string[];

  beforeAll(async () => {
    views = createTempDir("crm-views-");
    built = (await buildViews({ outdir: views.path, root: REPO_ROOT })).map((entry) => entry.view);
    harness = await createMcpHarness({ viewsDir: views.path });
  });

  afterAll(async () => {
    await harness?.close();
    views?.remove();
  });

  it("links each view's tool to its ui:// resource in tools/list, and no other tool", async () => {
    const { tools } = await harness.client.listTools();
    for (const tool of tools) {
      const ui = (tool._meta as { ui?: { resourceUri?: string } } | undefined)?.ui;
      expect(ui?.resourceUri, tool.name).toBe(LINKS[tool.name]);
    }
    expect(tools.filter((tool) => LINKS[tool.name]).length).toBe(6);
    for (const view of APP_VIEW_NAMES) expect(LINKS[APP_VIEWS[view].tool]).toBe(viewUri(view));
  });

  it("keeps the legacy ui/resourceUri key the package sets for older hosts", async () => {
    const { tools } = await harness.client.listTools();
    const atRisk = tools.find((tool) => tool.name === "find_at_risk_customers");
    expect(atRisk?._meta?.["ui/resourceUri"]).toBe("ui://crm/at-risk-board.html");
  });

  it("lists the five ui:// resources as MCP App HTML", async () => {
    const { resources } = await harness.client.listResources();
    const apps = resources.filter((resource) => resource.uri.startsWith("ui://"));
    expect(apps.map((resource) => resource.uri).sort()).toEqual([...new Set(Object.values(LINKS))].sort());
    for (const resource of apps) expect(resource.mimeType).toBe(MCP_APP_MIME);
  });

  it("reads each built view as self-contained HTML with the MCP App mime type", async () => {
    expect(built).toContain("at-risk-board");
    for (const view of built) {
      const result = await harness.client.readResource({ uri: `ui://crm/${view}.html` });
      expect(result.contents).toHaveLength(1);
      const [content] = result.contents;
      expect(content.mimeType).toBe(MCP_APP_MIME);
      expect(content.uri).toBe(`ui://crm/${view}.html`);
      expect("text" in content && content.text).toMatch(
        new RegExp(`^<!doctype html>[\\s\\S]*data-view="${view}"`),
      );
    }
  });

  it("keeps tool results the same: the view adds _meta to the definition only", async () => {
    const result = await harness.call("find_at_risk_customers", { as_of: DEMO_AS_OF, limit: 3 });
    expect(result._meta).toBeUndefined();
    expect(Object.keys(result).sort()).toEqual(["content", "structuredContent"]);
  });
});

describe("MCP Apps views that are not built", () => {
  let harness: McpHarness;
  let empty: TempDir;

  beforeAll(async () => {
    empty = createTempDir("crm-no-views-");
    harness = await createMcpHarness({ viewsDir: empty.join("apps") });
  });

  afterAll(async () => {
    await harness?.close();
    empty?.remove();
  });

  it("fail only their own read, with a message that says to run npm run build", async () => {
    await expect(harness.client.readResource({ uri: "ui://crm/at-risk-board.html" })).rejects.toThrow(
      /at-risk-board\.html.*is missing.*npm run build/s,
    );
  });

  it("leave the tools and the resource list working", async () => {
    const result = await harness.call("find_at_risk_customers", { as_of: DEMO_AS_OF, limit: 3 });
    expect(result.isError ?? false).toBe(false);
    const { resources } = await harness.client.listResources();
    expect(resources.some((resource) => resource.uri === "ui://crm/customer-card.html")).toBe(true);
  });
});

describe("locating the built views", () => {
  it("finds dist/apps next to a bundle in dist/", () => {
    const dir = createTempDir("crm-dist-");
    try {
      mkdirSync(dir.join("dist/apps"), { recursive: true });
      expect(locateViewsDir(dir.join("dist"))).toBe(dir.join("dist/apps"));
    } finally {
      dir.remove();
    }
  });

  it("finds the checkout's dist/apps when running from mcp-server/apps sources", () => {
    const dir = createTempDir("crm-src-");
    try {
      mkdirSync(dir.join("mcp-server/apps"), { recursive: true });
      mkdirSync(dir.join("dist/apps"), { recursive: true });
      expect(locateViewsDir(dir.join("mcp-server/apps"))).toBe(dir.join("dist/apps"));
    } finally {
      dir.remove();
    }
  });
});

describe("the built server over stdio", () => {
  let dir: TempDir;
  let client: Client;

  beforeAll(async () => {
    ensureBuilt();
    if (!existsSync(join(REPO_ROOT, "dist/apps/at-risk-board.html"))) await buildViews({ root: REPO_ROOT });
    dir = createTempDir("crm-apps-stdio-");
    const path = dir.join("crm.db");
    const store = await openDemoStore(path);
    await store.close();
    client = new Client({ name: "crm-apps-stdio-test", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [join(REPO_ROOT, "dist/server.js"), "--db", path],
        stderr: "pipe",
      }),
    );
  });

  afterAll(async () => {
    await client?.close();
    dir?.remove();
  });

  it("serves the views from dist/apps next to dist/server.js", async () => {
    const result = await client.readResource({ uri: "ui://crm/at-risk-board.html" });
    expect(result.contents[0].mimeType).toBe(MCP_APP_MIME);
    expect("text" in result.contents[0] && result.contents[0].text).toContain('data-view="at-risk-board"');
  });
});
