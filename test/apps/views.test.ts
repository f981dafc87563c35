import { copyFileSync } from "node:fs";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DraftFollowUpResult } from "../../mcp-server/contract/draftFollowUp.js";
import type { FindAtRiskCustomersResult } from "../../mcp-server/contract/findAtRiskCustomers.js";
import type { GetCustomerResult } from "../../mcp-server/contract/getCustomer.js";
import type { KpiReport } from "../../mcp-server/contract/kpi.js";
import type { PortfolioOverviewResult } from "../../mcp-server/contract/portfolioOverview.js";
import type { SegmentCustomersResult } from "../../mcp-server/contract/segmentCustomers.js";
import type { ServerStatusResult } from "../../mcp-server/contract/serverStatus.js";
import { resolveAsOf } from "../../mcp-server/asOf.js";
import { seedDemo } from "../../mcp-server/demo/seed.js";
import { runBacktest } from "../../mcp-server/scoring/backtestStore.js";
import { Store } from "../../mcp-server/store/store.js";
import { DEMO_SEED } from "../helpers/mcpClient.js";
import { createTempDir, type TempDir } from "../helpers/tempFiles.js";
import {
  bodyColours,
  CJK,
  drawnValues,
  expectNumbersFrom,
  hostColours,
  labels,
  POLL,
  untranslatedLabels,
  VIEW_BUDGET_BYTES,
} from "./host/viewChecks.js";
import {
  browserMissing,
  ensureViewsBuilt,
  launchChromium,
  openViewHost,
  serveHostPage,
  type HostPageServer,
  type MountedView,
  type ViewHost,
} from "./host/viewHost.js";

/*
 * The views as a chat host shows them: the test host page (./host/) calls each tool through the
 * SDK client, reads the ui:// resource it names and joins the view to the real built server with
 * the package's AppBridge. Screenshots go to test-artifacts/apps/.
 */
describe.skipIf(browserMissing())("the MCP Apps views in a browser host joined to the built server", () => {
  let dir: TempDir;
  let browser: Browser;
  let pageServer: HostPageServer;
  /** The server as chat clients start it by default: writes refused. */
  let readOnly: ViewHost;
  /** The same book served with --allow-writes. */
  let writable: ViewHost;

  beforeAll(async () => {
    ensureViewsBuilt();
    dir = createTempDir("crm-apps-");
    const readOnlyDb = dir.join("read-only.db");
    const writableDb = dir.join("writable.db");
    // A demo book ending today: the views' own calls then read the same day as the tool's.
    const store = await Store.open(readOnlyDb);
    await seedDemo(store, { seed: DEMO_SEED, customers: 300, asOf: resolveAsOf() });
    // A backtest on record, as `crm backtest` keeps it, for the backtest view to draw.
    await runBacktest(store, { horizonDays: 90, now: new Date() });
    await store.close();
    copyFileSync(readOnlyDb, writableDb);
    [browser, pageServer] = await Promise.all([launchChromium(), serveHostPage()]);
    [readOnly, writable] = await Promise.all([
      openViewHost(browser, { pageUrl: pageServer.url, dbPath: readOnlyDb, allowWrites: false }),
      openViewHost(browser, { pageUrl: pageServer.url, dbPath: writableDb, allowWrites: true }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([readOnly?.close(), writable?.close()]);
    await browser?.close();
    await pageServer?.close();
    dir?.remove();
  });

  describe("at-risk board (find_at_risk_customers)", () => {
    let view: MountedView;
    let board: FindAtRiskCustomersResult;

    beforeAll(async () => {
      view = await readOnly.mount({ tool: "find_at_risk_customers", arguments: { limit: 12 } });
      board = view.structuredContent as unknown as FindAtRiskCustomersResult;
      await view.frame.locator("table.board").waitFor();
    });

    it("is served as a self-contained text/html;profile=mcp-app resource under 150 KB", () => {
      expect(view.resourceUri).toBe("ui://crm/at-risk-board.html");
      expect(view.mimeType).toBe("text/html;profile=mcp-app");
      expect(view.htmlBytes).toBeLessThan(VIEW_BUDGET_BYTES);
      expect(board.customers.length).toBeGreaterThan(3);
    });

    it("draws each customer's rank, churn probability and value at risk from structuredContent, in its order", async () => {
      const rows = view.frame.locator("tr[data-customer]");
      expect(
        await rows.evaluateAll((found) => found.map((row) => row.getAttribute("data-customer"))),
      ).toEqual(board.customers.map((row) => row.customer.customer_id));
      for (const [index, row] of board.customers.entries()) {
        expect(
          await drawnValues(view.frame, `tr[data-customer="${row.customer.customer_id}"]`),
          row.customer.name,
        ).toEqual([row.rank, row.churn_probability, row.value_at_risk]);
        expect(await rows.nth(index).innerText()).toContain(row.customer.name);
      }
      await expectNumbersFrom(view.frame, board);
    });

    it("filters by owner: asks find_at_risk_customers for the owner's customers and draws its answer", async () => {
      const ids = () =>
        view.frame
          .locator("tr[data-customer]")
          .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-customer")));
      const owner = board.customers[0]!.customer.owner!;
      let from = readOnly.toolCalls.length;
      await view.frame.locator('select[data-filter="owner"]').selectOption(owner);
      const filtered = await readOnly.waitForToolCall("find_at_risk_customers", from);
      expect(filtered.arguments).toMatchObject({ owner, limit: 12 });
      const answer = filtered.result!.structuredContent as unknown as FindAtRiskCustomersResult;
      expect(answer.customers.every((row) => row.customer.owner === owner)).toBe(true);
      await expect.poll(ids, POLL).toEqual(answer.customers.map((row) => row.customer.customer_id));
      await expectNumbersFrom(view.frame, answer, "table.board");

      from = readOnly.toolCalls.length;
      await view.frame.locator('select[data-filter="owner"]').selectOption("");
      const unfiltered = await readOnly.waitForToolCall("find_at_risk_customers", from);
      expect(unfiltered.arguments.owner).toBeUndefined();
      await expect.poll(ids, POLL).toEqual(board.customers.map((row) => row.customer.customer_id));
    });

    it("opens the customer card in place: selecting a customer calls get_customer and draws its answer", async () => {
      const chosen = board.customers[1]!.customer;
      const from = readOnly.toolCalls.length;
      await view.click(
        view.frame.locator(`button[data-action="open"][data-customer="${chosen.customer_id}"]`),
      );
      const call = await readOnly.waitForToolCall("get_customer", from);
      expect(call.arguments).toMatchObject({ customer_id: chosen.customer_id, as_of: board.scores.as_of });
      const card = view.frame.locator(`article.customer-card[data-customer-id="${chosen.customer_id}"]`);
      await card.waitFor();
      expect(await card.locator("h1").innerText()).toContain(chosen.name);
      await expectNumbersFrom(view.frame, call.result!.structuredContent, "article.customer-card");
      await view.screenshot("at-risk-board-card-light-en");
      await view.click(view.frame.locator('button[data-action="back"]'));
      await view.frame.locator("table.board").waitFor();
    });

    it("drafts a follow-up with its fact check, and saving is refused without --allow-writes", async () => {
      const chosen = board.customers[0]!.customer;
      let from = readOnly.toolCalls.length;
      await view.click(
        view.frame.locator(`tr[data-customer="${chosen.customer_id}"] button[data-action="draft"]`),
      );
      const drafted = await readOnly.waitForToolCall("draft_follow_up", from);
      expect(drafted.arguments).toMatchObject({ customer_id: chosen.customer_id });
      expect(drafted.arguments.save).toBeUndefined();
      const draft = drafted.result!.structuredContent as unknown as DraftFollowUpResult;
      expect(draft.drafted).toBe(true);
      const panel = view.frame.locator("section.draft");
      await panel.locator("pre.draft-body").waitFor();
      expect(await panel.locator("pre.draft-body").innerText()).toBe(draft.body);
      await expect.poll(() => panel.locator(".fact-check").count(), POLL).toBe(1);

      from = readOnly.toolCalls.length;
      await view.click(panel.locator('button[data-action="save"]'));
      const refused = await readOnly.waitForToolCall("draft_follow_up", from);
      expect(refused.arguments).toMatchObject({ customer_id: chosen.customer_id, save: true });
      expect(refused.result!.isError).toBe(true);
      const refusal = panel.locator('[role="status"]');
      await refusal.waitFor();
      expect(await refusal.innerText()).toContain("--allow-writes");
      // The draft stays on screen for the user to copy.
      expect(await panel.locator("pre.draft-body").innerText()).toBe(draft.body);
      await view.screenshot("at-risk-board-draft-refused");
      await view.click(panel.locator('button[data-action="close-draft"]'));
      await panel.waitFor({ state: "detached" });
    });

    it("follows the host's theme: the host's light colours, then its dark ones when the host switches", async () => {
      await view.frame.locator("table.board").waitFor();
      expect(await bodyColours(view.frame)).toEqual(hostColours("light"));
      await view.screenshot("at-risk-board-light-en");
      await view.setHostContext({ theme: "dark" });
      await expect.poll(() => bodyColours(view.frame), POLL).toEqual(hostColours("dark"));
      await view.screenshot("at-risk-board-dark-en");
      await view.setHostContext({ theme: "light" });
      await expect.poll(() => bodyColours(view.frame), POLL).toEqual(hostColours("light"));
    });

    it("reads English for an English host and Chinese for a zh-CN host, with the same numbers", async () => {
      const english = await labels(view.frame);
      expect(english.length).toBeGreaterThan(3);
      expect(english.filter((text) => CJK.test(text))).toEqual([]);
      // The same numbers, in whatever order each language's sentences put them.
      const numbers = (await drawnValues(view.frame)).sort();
      await view.setHostContext({ locale: "zh-CN", theme: "dark" });
      await expect.poll(() => untranslatedLabels(view.frame), POLL).toEqual([]);
      expect(await view.frame.locator("html").getAttribute("lang")).toBe("zh-CN");
      expect((await drawnValues(view.frame)).sort()).toEqual(numbers);
      await view.screenshot("at-risk-board-dark-zh");
      await view.setHostContext({ locale: "en-US", theme: "light" });
    });
  });

  it("draws no control and calls no tool before the handshake completes, even when the host sends the result first", async () => {
    const eventsFrom = (await readOnly.events()).length;
    let mounted = false;
    const mounting = readOnly
      .mount({ tool: "find_at_risk_customers", arguments: { limit: 5 }, holdHandshakeMs: 4000 })
      .then((view) => ((mounted = true), view));
    // Awaited below; a failed check before that must not leave its rejection unhandled.
    mounting.catch(() => undefined);
    const protocol = async () =>
      (await readOnly.events())
        .slice(eventsFrom)
        .filter((event) => event.kind === "protocol")
        .map((event) => {
          const { from, method } = event.params as { from: string; method: string };
          return `${from} ${method}`;
        });
    // The host has sent the tool result and still holds its answer to ui/initialize.
    await expect.poll(protocol, POLL).toContain("host ui/notifications/tool-result");
    await new Promise((resolve) => setTimeout(resolve, 500));
    const early = readOnly.page.frameLocator("iframe.view");
    expect(await early.locator("[data-action]").count()).toBe(0);
    expect(await early.locator('[role="status"]').count()).toBe(1);
    expect(mounted, "the checks ran while the handshake was held").toBe(false);

    const view = await mounting;
    const board = view.structuredContent as unknown as FindAtRiskCustomersResult;
    await view.frame.locator("table.board").waitFor();
    const chosen = board.customers[0]!.customer;
    const callsFrom = readOnly.toolCalls.length;
    // One click, no retry: the board is live as soon as it shows.
    await view.click(view.frame.locator(`button[data-action="open"][data-customer="${chosen.customer_id}"]`));
    const call = await readOnly.waitForToolCall("get_customer", callsFrom, 10_000);
    expect(call.arguments).toMatchObject({ customer_id: chosen.customer_id });
    await view.frame.locator(`article.customer-card[data-customer-id="${chosen.customer_id}"]`).waitFor();
    const order = await protocol();
    const answered = order.indexOf("host ui/initialize (answer)");
    const initialized = order.indexOf("view ui/notifications/initialized");
    expect(order.indexOf("host ui/notifications/tool-result")).toBeLessThan(answered);
    expect(initialized).toBeGreaterThan(answered);
    expect(order.indexOf("view tools/call")).toBeGreaterThan(initialized);
    expect(readOnly.toolCalls.slice(callsFrom).filter((made) => made.name === "get_customer")).toHaveLength(
      1,
    );
  });

  /** The at-risk board (5 rows) with its top customer's follow-up drafted: one click, no retry. */
  async function draftFromBoard(host: ViewHost) {
    const view = await host.mount({ tool: "find_at_risk_customers", arguments: { limit: 5 } });
    const board = view.structuredContent as unknown as FindAtRiskCustomersResult;
    const chosen = board.customers[0]!.customer;
    await view.frame.locator("table.board").waitFor();
    const from = host.toolCalls.length;
    await view.click(
      view.frame.locator(`tr[data-customer="${chosen.customer_id}"] button[data-action="draft"]`),
    );
    await host.waitForToolCall("draft_follow_up", from);
    return { view, chosen, panel: view.frame.locator("section.draft") };
  }

  it("saves a drafted follow-up from the board when the server runs with --allow-writes", async () => {
    const { view, chosen, panel } = await draftFromBoard(writable);
    const from = writable.toolCalls.length;
    // One click, no retry: a click the view did not receive is a failure.
    await view.click(panel.locator('button[data-action="save"]'));
    const saved = await writable.waitForToolCall("draft_follow_up", from);
    expect(saved.arguments).toMatchObject({ customer_id: chosen.customer_id, save: true });
    const result = saved.result as CallToolResult;
    expect(result.isError).toBeFalsy();
    const followUpId = (result.structuredContent as unknown as DraftFollowUpResult).saved!.follow_up_id;
    const status = panel.locator('[role="status"]');
    await status.waitFor();
    expect(await status.innerText()).toContain(`#${followUpId}`);
    expect(await status.getAttribute("class")).not.toContain("error");
    expect(writable.toolCalls.slice(from).map((call) => call.name)).toEqual(["draft_follow_up"]);
  });

  it("brings a drafted follow-up into the host's view once the host has fitted the frame to it", async () => {
    const { panel } = await draftFromBoard(readOnly);
    await panel.locator('button[data-action="save"]').waitFor();
    // Drawn below the board, which already fills the host's page: the view scrolls the panel in
    // after the host has grown the frame (scrolled before, the frame's growth undid it and left
    // the panel half below the fold, its Save button out of sight).
    const viewport = readOnly.page.viewportSize()!;
    const inView = async () => {
      const box = await panel.boundingBox();
      return (
        box !== null && box.height < viewport.height && box.y >= 0 && box.y + box.height <= viewport.height
      );
    };
    await expect.poll(inView, { timeout: 5_000 }).toBe(true);
  });

  it("customer card (get_customer) draws the customer's numbers from structuredContent, in both themes and languages", async () => {
    const view = await readOnly.mount({ tool: "get_customer", arguments: { customer_id: "C00003" } });
    expect(view.resourceUri).toBe("ui://crm/customer-card.html");
    expect(view.htmlBytes).toBeLessThan(VIEW_BUDGET_BYTES);
    const card = view.frame.locator('article.customer-card[data-customer-id="C00003"]');
    await card.waitFor();
    const drawn = await expectNumbersFrom(view.frame, view.structuredContent);
    const customer = view.structuredContent as unknown as GetCustomerResult;
    expect(drawn).toContain(customer.risk.churn_probability);
    expect(drawn).toContain(customer.value.clv);
    // The lifecycle track: one cell per stage-history point, in order, and the changes in words.
    const history = customer.stage_history!;
    expect(history.points.length).toBeGreaterThan(1);
    expect(
      await card
        .locator("table.lifecycle-track td[data-stage]")
        .evaluateAll((cells) =>
          cells.map((cell) => [cell.getAttribute("data-date"), cell.getAttribute("data-stage")]),
        ),
    ).toEqual(history.points.map((point) => [point.date, point.stage]));
    expect(
      await card
        .locator("ol.stage-changes li")
        .evaluateAll((items) =>
          items.map((item) => [item.getAttribute("data-date"), item.getAttribute("data-stage")]),
        ),
    ).toEqual(history.changes.map((change) => [change.date, change.to]));
    expect(history.points.at(-1)!.stage).toBe(customer.lifecycle.stage);
    expect(await card.locator("table.lifecycle-track caption").innerText()).toContain("each month end");
    expect(await drawnValues(view.frame, "table.lifecycle-track tr.track-churn")).toEqual(
      history.points.flatMap((point) => (point.churn_probability === null ? [] : [point.churn_probability])),
    );
    expect(await bodyColours(view.frame)).toEqual(hostColours("light"));
    expect((await labels(view.frame, "h2, th")).filter((text) => CJK.test(text))).toEqual([]);
    await view.screenshot("customer-card-light-en");
    await view.setHostContext({ theme: "dark", locale: "zh-CN" });
    await expect.poll(() => bodyColours(view.frame), POLL).toEqual(hostColours("dark"));
    await expect.poll(() => untranslatedLabels(view.frame, "h2, th"), POLL).toEqual([]);
    expect((await drawnValues(view.frame)).sort()).toEqual([...drawn].sort());
    expect(await card.locator("table.lifecycle-track caption").innerText()).toContain(
      "每个月末的阶段与流失概率",
    );
    await view.screenshot("customer-card-dark-zh");
  });

  /**
   * One view as a host shows it: served within budget, drawing its tool's numbers, in the host's
   * light colours and English, then (switched live) in its dark colours and Chinese with the same
   * numbers. Returns the mounted view for further checks.
   */
  async function expectViewFollowsHost(options: {
    tool: string;
    arguments: Record<string, unknown>;
    resourceUri: string;
    ready: string;
    name: string;
    keyNumbers: (structured: Record<string, unknown>) => number[];
    derived?: (structured: Record<string, unknown>) => number[];
    /** Where the view's own words are, when some headers hold data (default: h1, h2, th). */
    labelSelector?: string;
  }): Promise<MountedView> {
    const view = await readOnly.mount({ tool: options.tool, arguments: options.arguments });
    expect(view.resourceUri).toBe(options.resourceUri);
    expect(view.mimeType).toBe("text/html;profile=mcp-app");
    expect(view.htmlBytes).toBeLessThan(VIEW_BUDGET_BYTES);
    await view.frame.locator(options.ready).first().waitFor();
    const derived = options.derived?.(view.structuredContent) ?? [];
    const drawn = await expectNumbersFrom(view.frame, view.structuredContent, "body", derived);
    for (const value of options.keyNumbers(view.structuredContent)) expect(drawn).toContain(value);
    expect(await bodyColours(view.frame)).toEqual(hostColours("light"));
    const english = await labels(view.frame, options.labelSelector);
    expect(english.length).toBeGreaterThan(2);
    expect(english.filter((text) => CJK.test(text))).toEqual([]);
    await view.screenshot(`${options.name}-light-en`);
    await view.setHostContext({ theme: "dark", locale: "zh-CN" });
    await expect.poll(() => bodyColours(view.frame), POLL).toEqual(hostColours("dark"));
    await expect.poll(() => untranslatedLabels(view.frame, options.labelSelector), POLL).toEqual([]);
    expect((await drawnValues(view.frame)).sort()).toEqual([...drawn].sort());
    await view.screenshot(`${options.name}-dark-zh`);
    await view.setHostContext({ theme: "light", locale: "en-US" });
    await expect.poll(() => bodyColours(view.frame), POLL).toEqual(hostColours("light"));
    return view;
  }

  it("segment explorer (segment_customers) draws the RFM grid and segment table from structuredContent; selecting a segment lists its customers", async () => {
    const view = await expectViewFollowsHost({
      tool: "segment_customers",
      arguments: { by: "rfm" },
      resourceUri: "ui://crm/segment-explorer.html",
      ready: "table.segments",
      name: "segment-explorer",
      keyNumbers: (structured) =>
        (structured as unknown as SegmentCustomersResult).segments.flatMap((segment) => [
          segment.count,
          segment.clv,
        ]),
    });
    const result = view.structuredContent as unknown as SegmentCustomersResult;
    expect(
      await view.frame
        .locator("table.segments tr[data-segment]")
        .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-segment"))),
    ).toEqual(result.segments.map((segment) => segment.key));
    expect(await view.frame.locator("table.rfm-grid td.cell").count()).toBeGreaterThan(0);

    const chosen = [...result.segments].sort((a, b) => b.count - a.count)[0]!;
    const from = readOnly.toolCalls.length;
    await view.click(
      view.frame.locator(`table.segments button[data-action="segment"][data-segment="${chosen.key}"]`),
    );
    const call = await readOnly.waitForToolCall("segment_customers", from);
    expect(call.arguments).toMatchObject({ by: "rfm", members_of: chosen.key, page: 1 });
    const members = view.frame.locator(`section.members[data-segment="${chosen.key}"]`);
    await members.locator("table.member-list").waitFor();
    const listed = (call.result!.structuredContent as unknown as SegmentCustomersResult).members!;
    expect(listed.total).toBe(chosen.count);
    expect(await memberIds(view)).toEqual(listed.customers.map((row) => row.customer.customer_id));
    await expectNumbersFrom(view.frame, listed, `section.members[data-segment="${chosen.key}"]`);
    await view.screenshot("segment-explorer-members-light-en");
  });

  /** The customer ids the members panel lists, in order. */
  function memberIds(view: MountedView): Promise<(string | null)[]> {
    return view.frame
      .locator("section.members table.member-list tr[data-customer]")
      .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-customer")));
  }

  /**
   * Selects a segment by its button inside `chart` (the tiers' bars, the quadrants) and pages
   * through its members with the Next button, checking each page against segment_customers'
   * answer; returns every id listed.
   */
  async function pageThroughMembers(
    view: MountedView,
    chart: string,
    key: string,
    by: string,
    maxPages = Infinity,
  ) {
    let from = readOnly.toolCalls.length;
    await view.click(view.frame.locator(`${chart} button[data-action="segment"][data-segment="${key}"]`));
    const listedIds: string[] = [];
    for (let page = 1; ; page++) {
      const call = await readOnly.waitForToolCall("segment_customers", from);
      expect(call.arguments).toMatchObject({ by, members_of: key, page });
      const members = (call.result!.structuredContent as unknown as SegmentCustomersResult).members!;
      expect(members.page).toBe(page);
      const ids = members.customers.map((row) => row.customer.customer_id);
      await expect.poll(() => memberIds(view), POLL).toEqual(ids);
      await expectNumbersFrom(view.frame, members, `section.members[data-segment="${key}"]`);
      listedIds.push(...ids);
      const next = view.frame.locator('section.members .pager button[data-direction="next"]');
      if (page >= members.pages || page >= maxPages) {
        if (page >= members.pages) expect(await next.isDisabled()).toBe(true);
        return { listedIds, total: members.total, pages: members.pages };
      }
      from = readOnly.toolCalls.length;
      await view.click(next);
    }
  }

  it("segment explorer lists every customer of a selected ABC tier, page by page, not only its samples", async () => {
    const view = await readOnly.mount({ tool: "segment_customers", arguments: { by: "abc" } });
    await view.frame.locator("table.tiers").waitFor();
    const result = view.structuredContent as unknown as SegmentCustomersResult;
    const tier = [...result.segments].sort((a, b) => b.count - a.count)[0]!;
    expect(tier.count).toBeGreaterThan(tier.samples.length);
    const { listedIds, total, pages } = await pageThroughMembers(view, "table.tiers", tier.key, "abc");
    expect(pages).toBeGreaterThan(1);
    expect(total).toBe(tier.count);
    expect(listedIds).toHaveLength(tier.count);
    expect(new Set(listedIds).size).toBe(tier.count);
    // And back a page with Previous.
    const from = readOnly.toolCalls.length;
    await view.click(view.frame.locator('section.members .pager button[data-direction="previous"]'));
    const back = await readOnly.waitForToolCall("segment_customers", from);
    expect(back.arguments).toMatchObject({ members_of: tier.key, page: pages - 1 });
    await view.screenshot("segment-explorer-abc-members");
  });

  it("segment explorer lists a value-matrix quadrant's customers beyond its samples, in both languages", async () => {
    const view = await readOnly.mount({ tool: "segment_customers", arguments: { by: "value_matrix" } });
    await view.frame.locator("table.quadrants").waitFor();
    const result = view.structuredContent as unknown as SegmentCustomersResult;
    const quadrant = [...result.segments].sort((a, b) => b.count - a.count)[0]!;
    const { listedIds, total } = await pageThroughMembers(
      view,
      "table.quadrants",
      quadrant.key,
      "value_matrix",
      2,
    );
    expect(total).toBe(quadrant.count);
    expect(listedIds.length).toBeGreaterThan(quadrant.samples.length);
    await view.setHostContext({ locale: "zh-CN" });
    await expect
      .poll(() => view.frame.locator("section.members .pager").innerText(), POLL)
      .toMatch(/第\s*2\s*页/);
    expect(await view.frame.locator("section.members table.member-list caption").innerText()).toContain(
      "全部",
    );
    await view.setHostContext({ locale: "en-US" });
  });

  it("cohorts and KPIs (portfolio_overview) draws the book's figures from structuredContent", async () => {
    await expectViewFollowsHost({
      tool: "portfolio_overview",
      arguments: {},
      resourceUri: "ui://crm/cohorts-kpis.html",
      ready: "h1",
      name: "cohorts-kpis",
      keyNumbers: (structured) => {
        const overview = structured as unknown as PortfolioOverviewResult;
        return [overview.customers, overview.active_customers];
      },
      // Each lifecycle stage's and risk level's share of the book is drawn next to its count.
      derived: (structured) => {
        const overview = structured as unknown as PortfolioOverviewResult;
        return [...overview.lifecycle_stages, ...overview.risk_levels].map(
          (row) => row.customers / overview.customers,
        );
      },
    });
  });

  it("cohorts and KPIs (kpi_report) draws the cohort retention heatmap and the monthly indices from structuredContent", async () => {
    const view = await expectViewFollowsHost({
      tool: "kpi_report",
      arguments: {},
      resourceUri: "ui://crm/cohorts-kpis.html",
      ready: "table.cohort-heatmap",
      name: "cohorts-kpis-report",
      keyNumbers: (structured) => {
        const report = structured as unknown as KpiReport;
        return report.cohorts.flatMap((cohort) => [cohort.customers, ...cohort.retention]);
      },
    });
    const report = view.structuredContent as unknown as KpiReport;
    expect(report.cohorts.length).toBeGreaterThan(0);
    expect(await view.frame.locator("table.cohort-heatmap tbody tr").count()).toBe(report.cohorts.length);
  });

  it("backtest (server_status) draws the churn model's figures from structuredContent", async () => {
    await expectViewFollowsHost({
      tool: "server_status",
      arguments: {},
      resourceUri: "ui://crm/backtest.html",
      ready: "h1",
      name: "backtest",
      // The weights table's row headers are the model's feature keys, as server_status gives them.
      labelSelector: "h1, h2, thead th",
      keyNumbers: (structured) => {
        // The backtest kept in beforeAll: its AUC and the recency baseline's.
        const backtest = (structured as unknown as ServerStatusResult).churn_model?.last_backtest;
        expect(backtest).toBeTruthy();
        return [backtest!.auc, backtest!.recency_auc];
      },
      // The AUC gain over recency is drawn as computed from the two AUCs.
      derived: (structured) => {
        const backtest = (structured as unknown as ServerStatusResult).churn_model?.last_backtest;
        return backtest ? [backtest.auc - backtest.recency_auc] : [];
      },
    });
  });
});
