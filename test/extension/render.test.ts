import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ComputeClvResult } from "../../mcp-server/contract/computeClv.js";
import type { DraftFollowUpResult } from "../../mcp-server/contract/draftFollowUp.js";
import type { FindAtRiskCustomersResult } from "../../mcp-server/contract/findAtRiskCustomers.js";
import type { GetCustomerResult } from "../../mcp-server/contract/getCustomer.js";
import type { PortfolioOverviewResult } from "../../mcp-server/contract/portfolioOverview.js";
import type { SegmentCustomersResult } from "../../mcp-server/contract/segmentCustomers.js";
import type { SummariseFeedbackResult } from "../../mcp-server/contract/summariseFeedback.js";
import { parseAppPanelMessage, type HostActionMessage } from "../../extension/render/appPanelHtml.js";
import {
  CUSTOMER_CARD_VIEW,
  customerCardInput,
  customerPanelHtml,
  parseCustomerPanelAction,
} from "../../extension/render/customerPanelHtml.js";
import { escapeHtml, escapeMarkdown, formatMoney, formatShare } from "../../extension/render/format.js";
import {
  commandUri,
  customerLink,
  plainCustomer,
  renderAtRisk,
  renderClv,
  renderCustomer,
  renderDraftDocument,
  renderFeedback,
  renderOverview,
} from "../../extension/render/markdown.js";
import { atRiskNodes, feedbackNodes, segmentNodes } from "../../extension/render/treeModels.js";
import { AS_OF, startDemoServer, type DemoServer } from "./demoServer.js";

const HOSTILE = `Eve <script>alert(1)</script> [click](https://evil.example) ![x](https://evil.example/x.png) "quoted" & 'single'`;

describe("rendering tool results", () => {
  let demo: DemoServer;
  let atRisk: FindAtRiskCustomersResult;
  let customer: GetCustomerResult;
  let feedback: SummariseFeedbackResult;
  let segments: SegmentCustomersResult;
  let draft: DraftFollowUpResult;
  let clv: ComputeClvResult;
  let overview: PortfolioOverviewResult;

  beforeAll(async () => {
    demo = startDemoServer();
    atRisk = await demo.client.call("find_at_risk_customers", { limit: 5, as_of: AS_OF });
    const id = atRisk.customers[0]!.customer.customer_id;
    customer = await demo.client.call("get_customer", { customer_id: id, as_of: AS_OF });
    feedback = await demo.client.call("summarise_feedback", { as_of: AS_OF });
    segments = await demo.client.call("segment_customers", { by: "rfm", as_of: AS_OF });
    draft = await demo.client.call("draft_follow_up", { customer_id: id, as_of: AS_OF });
    clv = await demo.client.call("compute_clv", { segment: "champions", limit: 5, as_of: AS_OF });
    overview = await demo.client.call("portfolio_overview", { as_of: AS_OF });
  });
  afterAll(async () => {
    await demo.close();
  });

  describe("chat Markdown", () => {
    it("lists at-risk customers with their numbers, reasons and links to the customer view", () => {
      const markdown = renderAtRisk(atRisk);
      for (const row of atRisk.customers) {
        expect(markdown).toContain(commandUri("crm.openCustomer", [row.customer.customer_id]));
        expect(markdown).toContain(formatMoney(row.value_at_risk));
        expect(markdown).toContain(formatMoney(row.value_if_retained));
        expect(markdown).toContain(`${formatShare(row.churn_probability)} ${row.risk_level}`);
        expect(markdown).toContain(escapeMarkdown(row.top_reasons[0]!.en));
      }
      expect(markdown).toMatch(/\| 1 \| \[/);
      expect(renderAtRisk(atRisk, "zh")).toContain(escapeMarkdown(atRisk.customers[0]!.top_reasons[0]!.zh));
    });

    it("shows the churn probability with its horizon in the customer answer", () => {
      const probability = customer.risk.churn_probability!;
      expect(renderCustomer(customer)).toContain(
        `${formatShare(probability)} chance of no purchase in the next ${customer.scores.horizon_days} days`,
      );
    });

    it("says so when nobody is at risk", () => {
      expect(renderAtRisk({ ...atRisk, customers: [], total: 0, next_cursor: null })).toMatch(
        /No customers are at risk/,
      );
    });

    it("cannot be given links, images or HTML by a customer's name or words", () => {
      const hostile = structuredClone(atRisk);
      hostile.customers[0]!.customer.name = HOSTILE;
      hostile.customers[0]!.top_reasons[0]!.en = HOSTILE;
      const markdown = renderAtRisk(hostile);
      expect(markdown).not.toContain("<script>");
      expect(markdown).not.toMatch(/(?<!\\)\]\(https:/);
      expect(markdown).not.toContain("![");
      expect(markdown).toContain("\\[click\\](https://evil.example)");
      const link = customerLink({ customer_id: "C1", name: "a](command:workbench.action.terminal.new)" });
      expect(link.match(/(?<!\\)\]\(command:/g)).toHaveLength(1);
      expect(link).toContain("command:crm.openCustomer?");
    });

    it("shows a customer's scores, CLV breakdown and risk reasons", () => {
      const markdown = renderCustomer(customer);
      expect(markdown).toContain(formatMoney(customer.value.clv));
      expect(markdown).toContain(formatMoney(customer.risk.value_at_risk));
      expect(markdown).toContain(escapeMarkdown(customer.lifecycle.label.en));
      for (const reason of customer.risk.reasons.filter((item) => item.points > 0)) {
        expect(markdown).toContain(escapeMarkdown(reason.en));
      }
    });

    it("summarises feedback with quoted, escaped customer words", () => {
      const hostile = structuredClone(feedback);
      hostile.quotes.negative.push({ ...hostile.quotes.positive[0]!, text: HOSTILE });
      const markdown = renderFeedback(hostile);
      expect(markdown).toContain(
        `NPS **${feedback.nps!.score > 0 ? "+" : ""}${feedback.nps!.score.toFixed(0)}**`,
      );
      expect(markdown).not.toContain("<script>");
      expect(markdown).toContain("“Eve \\<script\\>");
      expect(renderFeedback(feedback, "en", plainCustomer)).not.toContain("command:");
    });

    it("renders the CLV table and totals, and the portfolio overview", () => {
      const markdown = renderClv(clv);
      expect(markdown).toContain(formatMoney(clv.totals.clv));
      expect(markdown).toContain(formatMoney(clv.customers[0]!.clv));
      const book = renderOverview(overview);
      expect(book).toContain(formatMoney(overview.total_clv));
      expect(book).toContain(formatMoney(overview.total_value_at_risk));
    });

    it("writes the draft as a document headed by the customer's name, with the facts below", () => {
      const document = renderDraftDocument(draft);
      expect(document.split("\n")[0]).toContain(draft.facts.customer.name);
      expect(document).toContain(draft.body!);
      if (draft.subject) expect(document).toContain(`**Subject:** ${draft.subject}`);
      expect(document).toContain(`12-month CLV: ${formatMoney(draft.facts.clv)}`);
      const refused = renderDraftDocument({
        ...draft,
        drafted: false,
        body: null,
        subject: null,
        reason: "do not contact",
      });
      expect(refused).toContain("**No draft:** do not contact");
    });
  });

  describe("tree items", () => {
    it("show the risk badge and value at risk, with the reasons in the tooltip", () => {
      const nodes = atRiskNodes(atRisk);
      expect(nodes).toHaveLength(atRisk.customers.length);
      const [node] = nodes;
      const [row] = atRisk.customers;
      expect(node!.label).toBe(row!.customer.name);
      expect(node!.customerId).toBe(row!.customer.customer_id);
      expect(node!.description).toContain(`${formatMoney(row!.value_at_risk)} at risk`);
      for (const reason of row!.top_reasons) expect(node!.tooltip).toContain(escapeMarkdown(reason.en));
    });

    it("list the non-empty segments with their samples as customers", () => {
      const nodes = segmentNodes(segments);
      const champions = nodes.find((node) => node.id.endsWith("/champions"))!;
      const segment = segments.segments.find((item) => item.key === "champions")!;
      expect(champions.description).toBe(`${segment.count} · ${formatShare(segment.clv_share)} of CLV`);
      expect(champions.children!.map((child) => child.customerId)).toEqual(
        segment.samples.map((sample) => sample.customer.customer_id),
      );
      expect(nodes.every((node) => !node.id.includes("/") || node.id.split("/").length >= 3)).toBe(true);
    });

    it("group recent feedback into complaints, unhappy and happy quotes", () => {
      const nodes = feedbackNodes(feedback);
      expect(nodes[0]!.label).toContain(`${feedback.responses} responses`);
      const complaints = nodes.find((node) => node.id === "feedback/complaints");
      expect(complaints?.children).toHaveLength(feedback.open_complaints.newest.length);
      expect(
        new Set(nodes.flatMap((node) => [node.id, ...(node.children ?? []).map((child) => child.id)])).size,
      ).toBe(nodes.reduce((sum, node) => sum + 1 + (node.children?.length ?? 0), 0));
    });
  });

  describe("the customer view", () => {
    const nonce = "bm9uY2Vub25jZW5vbmNl";
    const options = { nonce, locale: "en", allowWrites: false };
    const CARD_HTML =
      '<!doctype html><html data-view="customer-card"><body><div id="app"></div><script>draw()</script></body></html>';

    /** The customer-card view as the extension embeds it: the bundle and get_customer's answer. */
    function cardView(card: GetCustomerResult) {
      return {
        ...CUSTOMER_CARD_VIEW,
        input: customerCardInput(card.customer.customer_id),
        html: CARD_HTML,
        result: { content: [{ type: "text" as const, text: "card" }], structuredContent: card },
      };
    }

    /** The tool calls the page hands its App host. */
    function hostedCalls(html: string): { name: string; tool: string; input: unknown; result: unknown }[] {
      const match = /<script type="application\/json" id="crm-views">([^<]*)<\/script>/.exec(html);
      expect(match).not.toBeNull();
      return JSON.parse(match![1]!).views;
    }

    it("embeds the server's customer card, drawing get_customer's answer, below VS Code's own actions", () => {
      const html = customerPanelHtml(cardView(customer), customer, options);
      expect(hostedCalls(html)).toEqual([
        {
          name: "customer-card",
          tool: "get_customer",
          input: { customer_id: customer.customer.customer_id },
          result: { content: [{ type: "text", text: "card" }], structuredContent: customer },
        },
      ]);
      const frame = html.indexOf('<iframe data-view="0" data-view-name="customer-card"');
      expect(frame).toBeGreaterThan(0);
      expect(html.indexOf('<button data-host-action="draftFollowUp">')).toBeGreaterThan(0);
      expect(html.indexOf('<button data-host-action="draftFollowUp">')).toBeLessThan(frame);
      expect(html.indexOf('data-host-action="refresh"')).toBeLessThan(frame);
      expect(html).toContain(
        `<title>${escapeHtml(customer.customer.name)} · ${customer.customer.customer_id}</title>`,
      );
    });

    it("lists the recent interactions the card leaves out, and offers to log one only when writes are enabled", () => {
      const withCalls = structuredClone(customer);
      withCalls.recent_interactions = [
        {
          interaction_id: "I1",
          occurred_at: "2026-05-02T09:00:00Z",
          channel: "phone",
          direction: "outbound",
          summary: "Asked about the late delivery",
          outcome: "credit note",
        },
      ];
      const readOnly = customerPanelHtml(cardView(withCalls), withCalls, options);
      expect(readOnly).toContain("2026-05-02 phone (outbound): Asked about the late delivery → credit note");
      expect(readOnly).not.toContain('data-host-action="logInteraction"');
      expect(readOnly).toContain("crm.allowWrites");
      const writable = customerPanelHtml(cardView(withCalls), withCalls, { ...options, allowWrites: true });
      expect(writable).toContain('<form class="host-controls" data-host-action="logInteraction"');
      for (const channel of ["email", "phone", "meeting"])
        expect(writable).toContain(`<option value="${channel}">`);
    });

    it("escapes everything the store holds in its own controls and title", () => {
      const hostile = structuredClone(customer);
      hostile.customer.name = HOSTILE;
      hostile.recent_interactions = [
        {
          interaction_id: "I1",
          occurred_at: "2026-05-02T09:00:00Z",
          channel: "email",
          direction: "inbound",
          summary: HOSTILE,
          outcome: HOSTILE,
        },
      ];
      const html = customerPanelHtml(cardView(hostile), hostile, options);
      const page = html.slice(html.indexOf("</head>"));
      expect(page).not.toContain("<script>alert");
      expect(page).toContain("Eve &lt;script&gt;alert(1)&lt;/script&gt;");
      expect(page).not.toContain('"quoted"');
      expect(html).toContain(`<title>${escapeHtml(HOSTILE)}`);
    });

    it("says why the card cannot be shown, and keeps its actions", () => {
      const html = customerPanelHtml(
        { ...CUSTOMER_CARD_VIEW, error: "ui://crm/customer-card.html is not built: run `npm run build`" },
        customer,
        options,
      );
      expect(html).not.toContain("<iframe");
      expect(html).toContain('role="alert"');
      expect(html).toContain("run `npm run build`");
      expect(html).toContain('data-host-action="draftFollowUp"');
    });

    it("accepts only well-formed actions from its controls", () => {
      const action = (name: string, fields: Record<string, string> = {}): HostActionMessage => ({
        type: "hostAction",
        action: name,
        fields,
      });
      expect(parseCustomerPanelAction(action("draftFollowUp"))).toEqual({ type: "draftFollowUp" });
      expect(parseCustomerPanelAction(action("refresh"))).toEqual({ type: "refresh" });
      expect(parseCustomerPanelAction(action("runCommand"))).toBeUndefined();
      expect(
        parseCustomerPanelAction(action("logInteraction", { channel: "fax", summary: "x" })),
      ).toBeUndefined();
      expect(
        parseCustomerPanelAction(action("logInteraction", { channel: "phone", summary: " " })),
      ).toBeUndefined();
      expect(
        parseCustomerPanelAction(action("logInteraction", { channel: "phone", summary: " called " })),
      ).toEqual({
        type: "logInteraction",
        channel: "phone",
        summary: "called",
        outcome: "",
      });
      // What the page posts is checked before it becomes an action.
      expect(
        parseAppPanelMessage({
          type: "hostAction",
          action: "logInteraction",
          fields: { channel: "phone", summary: "x", outcome: 3 },
        }),
      ).toBeUndefined();
    });
  });
});
