import { describe, expect, it } from "vitest";
import type { GetCustomerResult } from "../../../../mcp-server/contract/getCustomer.js";
import { renderCustomerCard, timelineSvg } from "../../../../mcp-server/apps/views/customerCard/render.js";
import { dataValues, element, fixture, textOf } from "./htmlProbe.js";

const card = fixture<GetCustomerResult>("get-customer");
const chineseCard = fixture<GetCustomerResult>("get-customer-zh");

describe("the customer card", () => {
  it("draws the key figures exactly as get_customer returned them", () => {
    const kpis = element(renderCustomerCard(card, "en"), "section", "class", "panel kpis");
    expect(dataValues(kpis)).toEqual([
      card.risk.churn_probability,
      card.risk.value_at_risk,
      card.value.clv,
      card.value.p_alive,
      card.kpi.chi?.index,
      card.kpi.emotion.index,
      card.kpi.ltv.five_years,
    ]);
  });

  it("lists each churn reason with its points", () => {
    const reasons = element(renderCustomerCard(card, "en"), "section", "class", "panel reasons");
    expect(dataValues(reasons)).toEqual(card.risk.reasons.map((reason) => reason.points));
    for (const reason of card.risk.reasons) expect(textOf(reasons)).toContain(reason.en);
  });

  it("breaks the CLV down into expected purchases, spend, revenue, margin and P(alive)", () => {
    const clv = element(renderCustomerCard(card, "en"), "section", "class", "panel clv");
    const value = card.value;
    expect(dataValues(clv)).toEqual([
      value.expected_purchases,
      value.expected_spend_per_purchase,
      value.expected_revenue,
      value.margin_rate,
      value.p_alive,
      value.clv,
    ]);
  });

  it("charts the recent orders with the typical gap marked, and lists them in a table", () => {
    const svg = timelineSvg(card);
    const orders = [...card.recent_transactions].sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
    expect(dataValues(svg)).toEqual([
      card.purchases.typical_gap_days,
      ...orders.map((order) => order.amount),
    ]);
    expect(svg).toContain('class="gap"');
    expect(svg).toContain('aria-hidden="true"');
    const table = element(renderCustomerCard(card, "en"), "table", "class", "orders");
    expect(dataValues(table)).toEqual(
      card.recent_transactions.flatMap((order) => [order.amount, order.quantity]),
    );
  });

  it("quotes feedback and lists open tickets, escaped", () => {
    const html = renderCustomerCard(card, "en");
    for (const item of card.recent_feedback) expect(textOf(html)).toContain(item.text);
    for (const ticket of card.open_tickets)
      expect(textOf(element(html, "section", "class", "panel tickets"))).toContain(ticket.subject);
    const hostile = structuredClone(card);
    hostile.recent_feedback[0].text = "<script>alert(1)</script>";
    expect(renderCustomerCard(hostile, "en")).not.toContain("<script>");
  });

  it("marks the current lifecycle stage on the track", () => {
    const html = renderCustomerCard(card, "en");
    expect(html).toMatch(
      new RegExp(`<li class="current" aria-current="step">${card.lifecycle.label.en}</li>`),
    );
  });

  it("reads in Chinese for a Chinese customer", () => {
    const html = renderCustomerCard(chineseCard, "zh");
    expect(html).toContain("流失概率");
    expect(html).toContain(chineseCard.risk.reasons[0].zh);
    expect(html).toContain(chineseCard.lifecycle.label.zh);
  });
});
