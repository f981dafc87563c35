import { describe, expect, it } from "vitest";
import type { DraftFollowUpResult } from "../../../../mcp-server/contract/draftFollowUp.js";
import type { FindAtRiskCustomersResult } from "../../../../mcp-server/contract/findAtRiskCustomers.js";
import type { GetCustomerResult } from "../../../../mcp-server/contract/getCustomer.js";
import {
  emptyBoardState,
  filterRows,
  renderAtRiskBoard,
  saveMessage,
} from "../../../../mcp-server/apps/views/atRiskBoard/render.js";
import { dataValues, element, fixture, textOf } from "./htmlProbe.js";

const board = fixture<FindAtRiskCustomersResult>("find-at-risk-customers");
const card = fixture<GetCustomerResult>("get-customer");
const draft = fixture<DraftFollowUpResult>("draft-follow-up");

describe("the at-risk board", () => {
  it("draws every customer's rank, churn probability and value at risk exactly as the tool returned them", () => {
    const html = renderAtRiskBoard(board, emptyBoardState(), "en");
    expect(board.customers.length).toBeGreaterThan(5);
    for (const row of board.customers) {
      const tr = element(html, "tr", "data-customer", row.customer.customer_id);
      expect(dataValues(tr)).toEqual([row.rank, row.churn_probability, row.value_at_risk]);
      expect(textOf(tr)).toContain(row.top_reasons[0].en);
      expect(textOf(tr)).toContain(row.lifecycle_label.en);
      expect(textOf(tr)).toContain(row.customer.owner);
    }
  });

  it("says how many are shown of how many at risk, and how many are already lost", () => {
    const summary = renderAtRiskBoard(board, emptyBoardState(), "en").split("\n")[1];
    expect(dataValues(summary)).toEqual([
      board.customers.length,
      board.total,
      board.scores.horizon_days,
      board.lost_customers,
    ]);
  });

  it("is a real table with column headers, in the ranked order", () => {
    const html = renderAtRiskBoard(board, emptyBoardState(), "en");
    expect(html).toMatch(/<table class="board">[\s\S]*<th scope="col"[^>]*>Churn probability<\/th>/);
    const order = [...html.matchAll(/<tr data-customer="([^"]+)"/g)].map((match) => match[1]);
    expect(order).toEqual(board.customers.map((row) => row.customer.customer_id));
  });

  it("reads in Chinese: headings and the tool's Chinese reasons", () => {
    const html = renderAtRiskBoard(board, emptyBoardState(), "zh");
    expect(html).toContain("有流失风险的客户");
    expect(html).toContain(board.customers[0].top_reasons[0].zh);
    expect(html).not.toContain("Churn probability");
  });

  it("filters by owner, stage and segment, and offers only values present in the list", () => {
    const owner = board.customers[1].customer.owner as string;
    const state = { ...emptyBoardState(), filters: { owner, stage: "", segment: "" } };
    const expected = board.customers.filter((row) => row.customer.owner === owner);
    expect(filterRows(board.customers, state.filters)).toEqual(expected);
    const html = renderAtRiskBoard(board, state, "en");
    expect([...html.matchAll(/<tr data-customer="([^"]+)"/g)].length).toBe(expected.length);
    expect(html).toContain(`<option value="${owner}" selected>`);
    const stage = board.customers[0].lifecycle_stage;
    const segment = board.customers[0].rfm_segment as string;
    const both = filterRows(board.customers, { owner: "", stage, segment });
    expect(both.every((row) => row.lifecycle_stage === stage && row.rfm_segment === segment)).toBe(true);
    expect(both.length).toBeGreaterThan(0);
  });

  it("offers every lifecycle stage and RFM segment, and the owners seen in earlier lists", () => {
    const state = { ...emptyBoardState(), knownOwners: ["Zoe Earlier"] };
    const html = renderAtRiskBoard(board, state, "zh");
    const stageSelect = element(html, "select", "data-filter", "stage");
    expect([...stageSelect.matchAll(/<option value="([^"]*)"/g)].map((match) => match[1])).toEqual([
      "",
      "prospect",
      "onboarding",
      "growth",
      "mature",
      "decline",
      "churned",
      "win-back",
    ]);
    expect(stageSelect).toContain(">衰退期</option>");
    expect(element(html, "select", "data-filter", "segment")).toContain(
      '<option value="champions">冠军客户</option>',
    );
    const owners = [
      ...element(html, "select", "data-filter", "owner").matchAll(/<option value="([^"]+)"/g),
    ].map((m) => m[1]);
    expect(owners).toContain("Zoe Earlier");
    for (const row of board.customers) expect(owners).toContain(row.customer.owner);
  });

  it("says when the list is being fetched again for new filters, and when that failed", () => {
    expect(renderAtRiskBoard(board, { ...emptyBoardState(), refresh: { loading: true } }, "en")).toContain(
      '<p class="muted" role="status">Loading…</p>',
    );
    const failed = renderAtRiskBoard(
      board,
      { ...emptyBoardState(), refresh: { loading: false, error: "no such owner" } },
      "en",
    );
    expect(failed).toContain('<p class="error" role="alert">no such owner</p>');
  });

  it("shows the chosen customer's card in place of the list", () => {
    const customerId = card.customer.customer_id;
    const html = renderAtRiskBoard(
      board,
      { ...emptyBoardState(), card: { customerId, loading: false, result: card } },
      "en",
    );
    expect(html).toContain(`data-customer-id="${customerId}"`);
    expect(html).not.toContain('<table class="board">');
    expect(html).toContain('data-action="back"');
  });

  it("shows a draft with its fact check, and the server's refusal when saving is not allowed", () => {
    const customerId = draft.facts.customer.customer_id;
    const refusal =
      "save=true stores the draft: writes are disabled; restart the server with --allow-writes (crm serve --allow-writes)";
    const state = {
      ...emptyBoardState(),
      draft: { customerId, loading: false, result: draft, saveMessage: saveMessage(null, refusal, "en") },
    };
    const html = renderAtRiskBoard(board, state, "en");
    const panel = element(html, "section", "class", "panel draft");
    expect(textOf(panel)).toContain(draft.subject as string);
    expect(textOf(panel)).toContain((draft.body as string).split("\n")[0]);
    expect(textOf(panel)).toContain("Fact check: deterministic template built from the facts sheet");
    expect(textOf(panel)).toContain(refusal);
    expect(panel).toContain('role="status"');
  });

  it("says which saved draft it stored when writes are allowed", () => {
    const saved = { ...draft, saved: { follow_up_id: 7, status: "draft" as const, audit_id: 3 } };
    expect(saveMessage(saved, null, "en")).toEqual({ ok: true, text: "Saved as draft #7." });
    expect(saveMessage(saved, null, "zh").text).toBe("已保存为草稿 #7。");
  });

  it("names the model's fact check result when a model wrote the draft", () => {
    const checked = {
      ...draft,
      generator: "openai" as const,
      grounding: { passed: false, attempts: 2, problems: ["a number not in the facts: 15%"] },
    };
    const html = renderAtRiskBoard(
      board,
      { ...emptyBoardState(), draft: { customerId: "C00484", loading: false, result: checked } },
      "en",
    );
    expect(textOf(html)).toContain("failed the check and was replaced by the template");
    expect(textOf(html)).toContain("a number not in the facts: 15%");
  });

  it("escapes text from the store, so a customer's name cannot inject markup", () => {
    const hostile = structuredClone(board);
    hostile.customers[0].customer.name = '<img src=x onerror="alert(1)">';
    const html = renderAtRiskBoard(hostile, emptyBoardState(), "en");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });
});
