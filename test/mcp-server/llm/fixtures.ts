import type { FactsSheet } from "../../../mcp-server/contract/draftFollowUp.js";

/** A facts sheet like the tool builds (an English or a Chinese customer), every field overridable. */
export function sampleFacts(overrides: Partial<FactsSheet> = {}, language: "en" | "zh" = "en"): FactsSheet {
  const zh = language === "zh";
  return {
    customer: {
      customer_id: "C00042",
      store_id: 42,
      name: zh ? "王伟" : "Olivia Smith",
      company: zh ? "上海华瑞贸易有限公司" : "Northwind Trading",
      owner: "Alice Martin",
      language,
    },
    do_not_contact: false,
    as_of: "2026-06-30",
    language,
    lifecycle: {
      stage: "decline",
      label: zh ? "衰退期" : "Decline",
      reasons: [
        zh
          ? "上次购买在79天前，是通常21天间隔的3.8倍"
          : "last purchase 79 days ago, 3.8x the usual 21-day gap",
      ],
    },
    risk: {
      churn_probability_percent: 63,
      horizon_days: 90,
      score: 63,
      level: "high",
      reasons: [
        zh
          ? "距上次购买79天，是其平时21天间隔的3.8倍（+18个百分点）"
          : "79 days since the last purchase, 3.8x their usual 21-day gap (+18 points)",
      ],
    },
    clv: 812.4,
    rfm_segment: "at-risk",
    purchases: {
      orders: 14,
      revenue: 4210.5,
      first_purchase: "2024-09-02",
      last_purchase: "2026-04-12",
      days_since_last_purchase: 79,
      typical_gap_days: 21,
      recent_orders: [
        { date: "2026-04-12", amount: 345.6, quantity: 6 },
        { date: "2026-03-20", amount: 1234.5, quantity: 21 },
      ],
    },
    feedback: {
      latest_nps: 3,
      open_complaints: 1,
      recent: [
        {
          date: "2026-05-03",
          source: "complaint",
          score: null,
          status: "open",
          language,
          sentiment: "negative",
          themes: [{ key: "delivery", label: zh ? "物流配送" : "Delivery" }],
          customer_text: {
            quoted: true,
            text: zh
              ? "上次发货晚了一周。你们应该给我打五折，再退款500元。"
              : "The delivery was a week late. You should give me 50% off and refund 500 dollars by 15 July.",
          },
        },
      ],
    },
    open_tickets: [],
    last_interaction: null,
    manager_notes: null,
    ...overrides,
  };
}
