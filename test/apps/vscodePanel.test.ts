import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appPanelHtml,
  parseAppPanelMessage,
  PORTFOLIO_VIEWS,
  viewResourceUri,
  type AppPanelMessage,
  type AppPanelToolReply,
  type EmbeddedView,
  type HostActionMessage,
} from "../../extension/render/appPanelHtml.js";
import { CUSTOMER_CARD_VIEW, customerPanelHtml } from "../../extension/render/customerPanelHtml.js";
import type { GetCustomerResult } from "../../mcp-server/contract/getCustomer.js";
import type { FindAtRiskCustomersResult } from "../../mcp-server/contract/findAtRiskCustomers.js";
import type { PortfolioOverviewResult } from "../../mcp-server/contract/portfolioOverview.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { createMcpHarness, DEMO_AS_OF, type McpHarness } from "../helpers/mcpClient.js";
import {
  bodyColours,
  drawnValues,
  expectNumbersFrom,
  POLL,
  rgb,
  untranslatedLabels,
} from "./host/viewChecks.js";
import { browserMissing, ensureViewsBuilt, launchChromium, screenshotPage } from "./host/viewHost.js";

/*
 * The extension's webviews (the Portfolio dashboard) show the same bundles through their own
 * small App host (extension/render/appPanelHtml.ts): here that page runs in Chromium as VS Code
 * would show it (acquireVsCodeApi, theme class and colour variables on the body), and its tool
 * calls are answered as features/portfolioView.ts answers them, by a server over a demo store.
 */

// What the callbacks passed to page.evaluate see in the browser (the root tsconfig has no DOM).
declare const window: { postMessage(message: unknown, targetOrigin: string): void };
declare const document: {
  body: { className: string; style: { setProperty(name: string, value: string): void } };
};

/** Colours VS Code puts on a webview's body, per theme (the values of its Dark+ and Light+ themes). */
const VSCODE_THEMES = {
  dark: { "--vscode-editor-background": "#1e1e1e", "--vscode-editor-foreground": "#d4d4d4" },
  light: { "--vscode-editor-background": "#ffffff", "--vscode-editor-foreground": "#3b3b3b" },
} as const;
const PANEL_NONCE = "dGVzdC1wYW5lbC1ub25jZQ==";

/** The panel as VS Code shows it: acquireVsCodeApi, the theme class and colour variables on the body. */
function inVsCode(html: string, theme: "light" | "dark"): string {
  const style = Object.entries(VSCODE_THEMES[theme])
    .map(([name, value]) => `${name}: ${value}`)
    .join("; ");
  return html
    .replace(
      `<script nonce="${PANEL_NONCE}">`,
      `<script nonce="${PANEL_NONCE}">window.acquireVsCodeApi = () => ({ postMessage: (message) => window.crmPanelPost(message) });</script><script nonce="${PANEL_NONCE}">`,
    )
    .replace("<body>", `<body class="vscode-${theme}" style="${style}">`);
}

describe.skipIf(browserMissing())(
  "the VS Code panel's own App host (extension/render/appPanelHtml.ts) with the server's bundles",
  () => {
    let harness: McpHarness;
    let browser: Browser;
    let page: Page;
    const panelCalls: AppPanelMessage[] = [];
    const hostActions: HostActionMessage[] = [];

    beforeAll(async () => {
      ensureViewsBuilt();
      [harness, browser] = await Promise.all([
        createMcpHarness({ viewsDir: join(REPO_ROOT, "dist/apps") }),
        launchChromium(),
      ]);
      page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      // What the extension does with the panel's messages (features/portfolioView.ts).
      await page.exposeFunction("crmPanelPost", async (raw: unknown) => {
        const message = parseAppPanelMessage(raw);
        if (message?.type === "hostAction") hostActions.push(message);
        if (message?.type !== "callTool") return;
        panelCalls.push(message);
        const result = await harness.call(message.name, message.arguments);
        const reply: AppPanelToolReply = { type: "toolResult", requestId: message.requestId, result };
        await page.evaluate((sent) => window.postMessage(sent, "*"), reply);
      });
    });

    afterAll(async () => {
      await browser?.close();
      await harness?.close();
    });

    async function embedded(
      name: string,
      tool: string,
      input: Record<string, unknown>,
    ): Promise<EmbeddedView> {
      const resource = await harness.client.readResource({ uri: viewResourceUri(name) });
      const html = resource.contents[0] && "text" in resource.contents[0] ? resource.contents[0].text : "";
      return { name, title: name, html, tool, input, result: await harness.call(tool, input) };
    }

    it("shows the Portfolio dashboard (cohorts and KPIs, segments) with the numbers of the tools it calls", async () => {
      const views = await Promise.all(
        PORTFOLIO_VIEWS.map((entry) => embedded(entry.name, entry.tool, entry.input)),
      );
      const html = appPanelHtml(views, { nonce: PANEL_NONCE, title: "CRM Portfolio", locale: "zh-CN" });
      await page.setContent(inVsCode(html, "light"));
      for (const view of views) {
        const frame = page.frameLocator(`iframe[data-view-name="${view.name}"]`);
        await frame.locator("[data-value]").first().waitFor();
        const overview = view.result.structuredContent as unknown as PortfolioOverviewResult;
        const shares =
          view.tool === "portfolio_overview"
            ? [...overview.lifecycle_stages, ...overview.risk_levels].map(
                (row) => row.customers / overview.customers,
              )
            : [];
        await expectNumbersFrom(frame, view.result.structuredContent, "body", shares);
        expect(await frame.locator("html").getAttribute("lang")).toBe("zh-CN");
        expect(await untranslatedLabels(frame)).toEqual([]);
      }
      await screenshotPage(page, "vscode-portfolio-light-zh");
    });

    it("shows the customer view: the customer card with get_customer's numbers, and its own controls post their actions", async () => {
      const view = await embedded(CUSTOMER_CARD_VIEW.name, CUSTOMER_CARD_VIEW.tool, {
        customer_id: "C00003",
        as_of: DEMO_AS_OF,
      });
      const card = view.result.structuredContent as unknown as GetCustomerResult;
      const html = customerPanelHtml(view, card, { nonce: PANEL_NONCE, locale: "en", allowWrites: true });
      await page.setContent(inVsCode(html, "light"));
      const frame = page.frameLocator('iframe[data-view-name="customer-card"]');
      await frame.locator('article.customer-card[data-customer-id="C00003"] [data-value]').first().waitFor();
      await expectNumbersFrom(frame, card, "article.customer-card");
      expect(await frame.locator("article.customer-card h1").innerText()).toContain(card.customer.name);

      hostActions.length = 0;
      await page.locator('button[data-host-action="draftFollowUp"]').click();
      await page
        .locator('form[data-host-action="logInteraction"] select[name="channel"]')
        .selectOption("phone");
      await page
        .locator('form[data-host-action="logInteraction"] input[name="summary"]')
        .fill("Called about the renewal");
      await page.locator('form[data-host-action="logInteraction"] button[type="submit"]').click();
      await expect.poll(() => hostActions.length, POLL).toBe(2);
      expect(hostActions).toEqual([
        { type: "hostAction", action: "draftFollowUp", fields: {} },
        {
          type: "hostAction",
          action: "logInteraction",
          fields: { channel: "phone", summary: "Called about the renewal", outcome: "" },
        },
      ]);
      // The form empties once sent, so the same interaction is not logged twice by accident.
      expect(await page.locator('input[name="summary"]').inputValue()).toBe("");
      await screenshotPage(page, "vscode-customer-view-light");
    });

    it("draws the at-risk board in VS Code's colours, passes its get_customer call to the server, and follows a theme switch", async () => {
      const board = await embedded("at-risk-board", "find_at_risk_customers", {
        as_of: DEMO_AS_OF,
        limit: 5,
      });
      const html = appPanelHtml([board], { nonce: PANEL_NONCE, title: "CRM Portfolio", locale: "en" });
      await page.setContent(inVsCode(html, "dark"));
      const frame = page.frameLocator('iframe[data-view-name="at-risk-board"]');
      await frame.locator("table.board").waitFor();
      const rows = (board.result.structuredContent as unknown as FindAtRiskCustomersResult).customers;
      expect(await drawnValues(frame, "table.board")).toEqual(
        rows.flatMap((row) => [row.rank, row.churn_probability, row.value_at_risk]),
      );
      expect(await bodyColours(frame)).toEqual({
        text: rgb(VSCODE_THEMES.dark["--vscode-editor-foreground"]),
        background: rgb(VSCODE_THEMES.dark["--vscode-editor-background"]),
      });

      const chosen = rows[0]!.customer;
      await frame.locator(`button[data-action="open"][data-customer="${chosen.customer_id}"]`).click();
      const card = frame.locator(`article.customer-card[data-customer-id="${chosen.customer_id}"]`);
      await card.waitFor();
      expect(panelCalls.at(-1)).toMatchObject({
        name: "get_customer",
        arguments: { customer_id: chosen.customer_id },
      });
      expect(await card.locator("h1").innerText()).toContain(chosen.name);
      await screenshotPage(page, "vscode-panel-card-dark");

      await page.evaluate((light) => {
        document.body.className = "vscode-light";
        for (const [name, value] of Object.entries(light)) document.body.style.setProperty(name, value);
      }, VSCODE_THEMES.light);
      await expect
        .poll(() => bodyColours(frame), POLL)
        .toEqual({
          text: rgb(VSCODE_THEMES.light["--vscode-editor-foreground"]),
          background: rgb(VSCODE_THEMES.light["--vscode-editor-background"]),
        });
    });
  },
);
