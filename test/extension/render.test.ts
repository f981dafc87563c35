import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ComputeClvResult } from "../../mcp-server/contract/computeClv.js";
import type { DraftFollowUpResult } from "../../mcp-server/contract/draftFollowUp.js";
import type { FindAtRiskCustomersResult } from "../../mcp-server/contract/findAtRiskCustomers.js";
import type { GetCustomerResult } from "../../mcp-server/contract/getCustomer.js";
import type { PortfolioOverviewResult } from "../../mcp-server/contract/portfolioOverview.js";
import type { SegmentCustomersResult } from "../../mcp-server/contract/segmentCustomers.js";
import type { SummariseFeedbackResult } from "../../mcp-server/contract/summariseFeedback.js";
import {
  customerHtml,
  customerViewCsp,
  parseCustomerViewMessage,
  timelineSvg,
} from "../../extension/render/customerHtml.js";
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

    it("shows the churn probability with its horizon in the customer answer and the customer view", () => {
      const probability = customer.risk.churn_probability!;
      expect(renderCustomer(customer)).toContain(
        `${formatShare(probability)} chance of no purchase in the next ${customer.scores.horizon_days} days`,
      );
      const html = customerHtml(customer, {
        nonce: "n0nce",
        cspSource: "vscode-resource:",
        allowWrites: false,
      });
      expect(html).toContain(`churn probability (${customer.scores.horizon_days} days)`);
      expect(html).toContain(escapeHtml(formatShare(probability)));
      for (const reason of customer.risk.reasons) expect(html).toContain(escapeHtml(reason.en));
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
    const options = { nonce, cspSource: "https://webview.example", allowWrites: false };

    it("sets a strict Content-Security-Policy with the nonce on every style and script", () => {
      const html = customerHtml(customer, options);
      const csp = customerViewCsp(nonce, options.cspSource);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain(`script-src 'nonce-${nonce}'`);
      expect(csp).not.toContain("unsafe-inline");
      expect(html).toContain(`content="${escapeHtml(csp)}"`);
      expect([...html.matchAll(/<script\b[^>]*>/g)].every((tag) => tag[0].includes(`nonce="${nonce}"`))).toBe(
        true,
      );
      expect([...html.matchAll(/<style\b[^>]*>/g)].every((tag) => tag[0].includes(`nonce="${nonce}"`))).toBe(
        true,
      );
      expect(html).not.toMatch(/\sstyle="/);
      expect(html).not.toMatch(/(src|href)="https?:/);
    });

    it("shows the profile, stage, scores, CLV breakdown, timeline and feedback", () => {
      const html = customerHtml(customer, options);
      expect(html).toContain(escapeHtml(customer.customer.name));
      expect(html).toContain(escapeHtml(customer.lifecycle.label.en));
      expect(html).toContain(formatMoney(customer.value.clv));
      expect(html).toContain(formatMoney(customer.value.expected_revenue));
      expect(html).toContain('<svg class="timeline"');
      expect(html.match(/<circle /g)?.length).toBe(customer.recent_transactions.length);
      for (const item of customer.recent_feedback) expect(html).toContain(escapeHtml(item.text));
      expect(html).toContain('data-action="draftFollowUp"');
    });

    it("escapes everything the store holds", () => {
      const hostile = structuredClone(customer);
      hostile.customer.name = HOSTILE;
      hostile.profile.tags = [HOSTILE];
      hostile.recent_feedback = [
        { ...(customer.recent_feedback[0] ?? hostile.recent_feedback[0]!), text: HOSTILE },
      ].filter(Boolean);
      const html = customerHtml(hostile, options);
      expect(html).not.toContain("<script>alert");
      expect(html).toContain("Eve &lt;script&gt;alert(1)&lt;/script&gt;");
      expect(html).not.toContain('"quoted"');
    });

    it("offers the log-interaction form only when writes are enabled", () => {
      expect(customerHtml(customer, options)).not.toContain('id="log-interaction"');
      expect(customerHtml(customer, { ...options, allowWrites: true })).toContain('id="log-interaction"');
    });

    it("accepts only well-formed messages from the webview", () => {
      expect(parseCustomerViewMessage({ type: "draftFollowUp" })).toEqual({ type: "draftFollowUp" });
      expect(parseCustomerViewMessage({ type: "runCommand", command: "x" })).toBeUndefined();
      expect(parseCustomerViewMessage("draftFollowUp")).toBeUndefined();
      expect(
        parseCustomerViewMessage({ type: "logInteraction", channel: "fax", summary: "x" }),
      ).toBeUndefined();
      expect(
        parseCustomerViewMessage({ type: "logInteraction", channel: "phone", summary: " " }),
      ).toBeUndefined();
      expect(
        parseCustomerViewMessage({
          type: "logInteraction",
          channel: "phone",
          summary: " called ",
          outcome: 3,
        }),
      ).toEqual({
        type: "logInteraction",
        channel: "phone",
        summary: "called",
        outcome: "",
      });
    });

    it("draws purchases on a time axis ending at the as-of day, refunds marked", () => {
      const svg = timelineSvg(
        [
          { day: "2026-01-01T10:00:00Z", amount: 100 },
          { day: "2026-03-01T10:00:00Z", amount: -20 },
          { day: "2026-02-01T10:00:00Z", amount: 50 },
        ],
        "2026-06-30",
      );
      expect(svg.match(/<circle /g)).toHaveLength(3);
      expect(svg).toContain('class="dot refund"');
      expect(svg).toContain(">2026-06-30<");
      expect(svg).toContain(">2026-01-01<");
      expect(svg).not.toMatch(/NaN|Infinity/);
      expect(timelineSvg([], "2026-06-30")).toContain("No purchases yet");
    });
  });
});
