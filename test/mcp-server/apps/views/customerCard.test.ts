import { describe, expect, it } from "vitest";
import type { GetCustomerResult } from "../../../../mcp-server/contract/getCustomer.js";
import {
  renderCustomerCard,
  stageHistoryTrack,
  timelineSvg,
} from "../../../../mcp-server/apps/views/customerCard/render.js";
import { LIFECYCLE_STAGES } from "../../../../core/lifecycle.js";
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

  it("shows how to reach the customer and where they came from, escaped, in either language", () => {
    const hostile = {
      ...card,
      profile: {
        ...card.profile,
        email: "a<b>@example.com",
        phone: "+65 6123 4567",
        acquisition_channel: "referral",
        tags: ["vip", "<script>"],
      },
    };
    const profile = element(renderCustomerCard(hostile, "en"), "dl", "class", "profile");
    const text = textOf(profile);
    for (const fact of ["a<b>@example.com", "+65 6123 4567", "referral", "vip, <script>", "Customer since"])
      expect(text).toContain(fact);
    expect(renderCustomerCard(hostile, "en")).not.toContain("<script>");
    expect(textOf(element(renderCustomerCard(hostile, "zh"), "dl", "class", "profile"))).toContain(
      "获客渠道",
    );
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

  it("draws the stage history as a track with one cell per point, in order, and the changes in words", () => {
    const history = card.stage_history!;
    expect(history.changes.length).toBeGreaterThan(2);
    const track = element(renderCustomerCard(card, "en"), "table", "class", "lifecycle-track");
    const cells = [...track.matchAll(/<td [^>]*data-stage="([^"]+)" data-date="([^"]+)"/g)].map((match) => ({
      stage: match[1],
      date: match[2],
    }));
    expect(cells).toEqual(history.points.map((point) => ({ stage: point.stage, date: point.date })));
    const columns = [...track.matchAll(/<th scope="col" data-date="([^"]+)"/g)].map((match) => match[1]);
    expect(columns).toEqual(history.points.map((point) => point.date));
    // Each point's churn probability, as the set's model read that day, under its stage.
    expect(dataValues(element(track, "tr", "class", "track-churn"))).toEqual(
      history.points.flatMap((point) => (point.churn_probability === null ? [] : [point.churn_probability])),
    );
    expect(track).toContain("<caption>");
    expect(track).toContain(`models fitted as of ${history.models_fitted_as_of}`);
    // Screen readers hear each month's stage by name.
    expect(textOf(track)).toContain(LIFECYCLE_STAGES[history.points[0].stage].label.en);
    const changes = element(stageHistoryTrack(card, "en"), "ol", "class", "stage-changes");
    const listed = [...changes.matchAll(/<li [^>]*data-stage="([^"]+)" data-date="([^"]+)"/g)].map(
      (match) => ({
        to: match[1],
        date: match[2],
      }),
    );
    expect(listed).toEqual(history.changes.map((change) => ({ to: change.to, date: change.date })));
    expect(textOf(changes)).toContain(
      `${LIFECYCLE_STAGES[history.changes[1].to].label.en} at ${history.changes[1].date}`,
    );
  });

  it("names the stage history in Chinese for a Chinese reader, and draws nothing without one", () => {
    const zh = stageHistoryTrack(chineseCard, "zh");
    expect(zh).toContain("阶段轨迹");
    expect(zh).toContain(`模型拟合于${chineseCard.stage_history!.models_fitted_as_of}`);
    for (const change of chineseCard.stage_history!.changes)
      expect(textOf(zh)).toContain(LIFECYCLE_STAGES[change.to].label.zh);
    expect(stageHistoryTrack({ ...card, stage_history: null }, "en")).toBe("");
  });

  it("reads in Chinese for a Chinese customer", () => {
    const html = renderCustomerCard(chineseCard, "zh");
    expect(html).toContain("流失概率");
    expect(html).toContain(chineseCard.risk.reasons[0].zh);
    expect(html).toContain(chineseCard.lifecycle.label.zh);
  });
});
