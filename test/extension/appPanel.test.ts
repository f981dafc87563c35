import { describe, expect, it } from "vitest";
import {
  appPanelCsp,
  appPanelHtml,
  hostLocale,
  parseAppPanelMessage,
  PORTFOLIO_VIEWS,
  toolErrorResult,
  viewResourceUri,
  withScriptNonce,
  type EmbeddedView,
} from "../../extension/render/appPanelHtml.js";

const NONCE = "bm9uY2Utb2YtdGhlLXRlc3Q=";

function view(overrides: Partial<EmbeddedView> = {}): EmbeddedView {
  return {
    name: "cohorts-kpis",
    title: "Cohorts and KPIs",
    html: '<!doctype html><html><head><style>b{}</style></head><body><div id="app"></div><script type="module">app()</script></body></html>',
    tool: "portfolio_overview",
    input: {},
    result: { content: [{ type: "text", text: "ok" }], structuredContent: { customers: 3 } },
    ...overrides,
  };
}

/** The JSON the page hands its host script. */
function embeddedConfig(html: string): { locale: string; views: { name: string; result: unknown }[] } {
  const match = /<script type="application\/json" id="crm-views">([^<]*)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!);
}

describe("the webview page that hosts the MCP Apps views in VS Code", () => {
  it("puts each view in a sandboxed srcdoc frame (scripts only, no same-origin) with the nonce on its scripts", () => {
    const html = appPanelHtml([view()], { nonce: NONCE, title: "CRM Portfolio", locale: "en" });
    const frames = [...html.matchAll(/<iframe [^>]*>/g)].map((match) => match[0]);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toContain('sandbox="allow-scripts"');
    expect(frames[0]).not.toContain("allow-same-origin");
    expect(frames[0]).toContain('data-view-name="cohorts-kpis"');
    expect(frames[0]).toContain(`srcdoc="&lt;!doctype html&gt;`);
    expect(frames[0]).toContain(`&lt;script nonce=&quot;${NONCE}&quot; type=&quot;module&quot;&gt;app()`);
  });

  it("allows scripts only by nonce and fetches nothing (the frames inherit this policy)", () => {
    const html = appPanelHtml([view()], { nonce: NONCE, title: "CRM Portfolio", locale: "en" });
    const csp = appPanelCsp(NONCE);
    expect(html).toContain(`content="${csp}"`);
    expect(csp).toContain("default-src 'none'");
    // 'strict-dynamic': the views unpack their compressed code into a script element they create.
    expect(csp).toContain(`script-src 'nonce-${NONCE}' 'strict-dynamic'`);
    expect(csp).toContain("connect-src 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    const scripts = [...html.matchAll(/<script(?![^>]*application\/json)[^>]*>/g)].map((match) => match[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(script).toContain(`nonce="${NONCE}"`);
  });

  it("keeps customer text from closing the data script or the frame's attribute", () => {
    const hostile = '</script><script>alert(1)</script>" onload="alert(2)';
    const html = appPanelHtml(
      [view({ result: { content: [], structuredContent: { name: hostile } }, html: `<p>${hostile}</p>` })],
      { nonce: NONCE, title: "CRM Portfolio", locale: "en" },
    );
    expect(html).not.toContain("<script>alert(1)");
    expect(html).not.toContain('" onload="');
    expect(embeddedConfig(html).views[0]!.result).toEqual({
      content: [],
      structuredContent: { name: hostile },
    });
  });

  it("hands the host script each view's tool call and the locale", () => {
    const html = appPanelHtml([view()], { nonce: NONCE, title: "CRM Portfolio", locale: "zh-CN" });
    const config = embeddedConfig(html);
    expect(config.locale).toBe("zh-CN");
    expect(config.views).toEqual([
      {
        name: "cohorts-kpis",
        tool: "portfolio_overview",
        input: {},
        result: { content: [{ type: "text", text: "ok" }], structuredContent: { customers: 3 } },
      },
    ]);
    expect(html).toContain('<html lang="zh-CN">');
  });

  it("says why a view is missing instead of drawing an empty frame", () => {
    const html = appPanelHtml(
      [
        {
          name: "segment-explorer",
          title: "Segments",
          error: "the Segment explorer view is not built: run `npm run build`",
        },
      ],
      { nonce: NONCE, title: "CRM Portfolio", locale: "en" },
    );
    expect(html).not.toContain("<iframe");
    expect(html).toContain('role="alert"');
    expect(html).toContain("run `npm run build`");
  });

  it("injects the nonce into every script tag of a view, whatever its attributes or case", () => {
    expect(withScriptNonce('<script>a</script><SCRIPT type="module">b</SCRIPT><scripts>', "n")).toBe(
      '<script nonce="n">a</script><script nonce="n" type="module">b</SCRIPT><scripts>',
    );
  });

  it("accepts only well-formed tool calls and http(s) links from the webview", () => {
    expect(
      parseAppPanelMessage({
        type: "callTool",
        requestId: 3,
        name: "get_customer",
        arguments: { customer_id: "C1" },
      }),
    ).toEqual({ type: "callTool", requestId: 3, name: "get_customer", arguments: { customer_id: "C1" } });
    expect(parseAppPanelMessage({ type: "callTool", requestId: 4, name: "segment_customers" })).toEqual({
      type: "callTool",
      requestId: 4,
      name: "segment_customers",
      arguments: {},
    });
    for (const bad of [
      null,
      "callTool",
      { type: "callTool", requestId: "1", name: "get_customer" },
      { type: "callTool", requestId: 1.5, name: "get_customer" },
      { type: "callTool", requestId: 1, name: "../etc" },
      { type: "callTool", requestId: 1, name: "get_customer", arguments: [] },
      { type: "openLink", url: "javascript:alert(1)" },
      { type: "openLink", url: "command:workbench.action.quit" },
      { type: "runCommand", command: "x" },
    ]) {
      expect(parseAppPanelMessage(bad), JSON.stringify(bad)).toBeUndefined();
    }
    expect(parseAppPanelMessage({ type: "openLink", url: "https://example.com/a" })).toEqual({
      type: "openLink",
      url: "https://example.com/a",
    });
  });

  it("passes on clicks of the page's own controls with their text fields, and nothing else they could carry", () => {
    expect(parseAppPanelMessage({ type: "hostAction", action: "refresh" })).toEqual({
      type: "hostAction",
      action: "refresh",
      fields: {},
    });
    expect(
      parseAppPanelMessage({ type: "hostAction", action: "logInteraction", fields: { summary: "called" } }),
    ).toEqual({ type: "hostAction", action: "logInteraction", fields: { summary: "called" } });
    for (const bad of [
      { type: "hostAction" },
      { type: "hostAction", action: "workbench.action.quit" },
      { type: "hostAction", action: "refresh", fields: ["a"] },
      { type: "hostAction", action: "refresh", fields: { summary: { toString: "x" } } },
    ]) {
      expect(parseAppPanelMessage(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it("puts the caller's controls above and below the views", () => {
    const html = appPanelHtml([view()], {
      nonce: NONCE,
      title: "Customer",
      locale: "en",
      header: '<button data-host-action="refresh">Refresh</button>',
      footer: '<form data-host-action="logInteraction"></form>',
    });
    const frame = html.indexOf("<iframe");
    expect(html.indexOf('data-host-action="refresh"')).toBeLessThan(frame);
    expect(html.indexOf('data-host-action="logInteraction"')).toBeGreaterThan(frame);
  });

  it("turns a failed call into the isError result a view expects, and VS Code's language into a BCP 47 tag", () => {
    expect(toolErrorResult("writes are disabled")).toEqual({
      isError: true,
      content: [{ type: "text", text: "writes are disabled" }],
    });
    expect(hostLocale("zh-cn")).toBe("zh-CN");
    expect(hostLocale("en")).toBe("en");
  });

  it("shows the cohorts-and-KPIs and segment views on the Portfolio dashboard, from the tools that draw them", () => {
    expect(PORTFOLIO_VIEWS.map((entry) => [entry.name, entry.tool])).toEqual([
      ["cohorts-kpis", "portfolio_overview"],
      ["segment-explorer", "segment_customers"],
    ]);
    expect(viewResourceUri("cohorts-kpis")).toBe("ui://crm/cohorts-kpis.html");
  });
});
