import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CHANNEL_LIMITS,
  followUpChannels,
  followUpGoals,
  followUpTones,
  type FactsSheet,
  type FollowUpChannel,
} from "../../../mcp-server/contract/draftFollowUp.js";
import { renderTemplate } from "../../../mcp-server/drafts/templates.js";
import { checkDraft, checkSummary, Sources } from "../../../mcp-server/llm/grounding.js";
import { sampleFacts } from "./fixtures.js";

function check(
  body: string,
  options: {
    facts?: FactsSheet;
    language?: "en" | "zh";
    channel?: FollowUpChannel;
    subject?: string | null;
  } = {},
) {
  const language = options.language ?? "en";
  const channel = options.channel ?? "wechat";
  const facts = options.facts ?? sampleFacts({}, language);
  return checkDraft(
    { subject: options.subject ?? (channel === "email" ? "Checking in" : null), body },
    {
      facts,
      language,
      channel,
      limits: { body: CHANNEL_LIMITS[channel].body[language], subject: CHANNEL_LIMITS[channel].subject },
    },
  );
}

const GOOD_EN =
  "Hi Olivia, it's Alice Martin. I noticed your last order was on 12 April 2026, 79 days ago, and I am sorry the delivery you told us about on May 3 fell short. Feel free to reply; could we talk this week?";

describe("grounding check", () => {
  it("passes every template draft: no goal, channel, tone or language trips it", () => {
    for (const language of ["en", "zh"] as const) {
      const facts = sampleFacts({}, language);
      for (const goal of followUpGoals)
        for (const channel of followUpChannels)
          for (const tone of followUpTones) {
            const draft = renderTemplate(facts, { goal, channel, tone, language });
            const result = checkDraft(draft, {
              facts,
              language,
              channel,
              limits: {
                body: CHANNEL_LIMITS[channel].body[language],
                subject: CHANNEL_LIMITS[channel].subject,
              },
            });
            expect(result, `${goal} ${channel} ${tone} ${language}`).toEqual({ passed: true, problems: [] });
          }
    }
  });

  it("passes a draft that restates the facts in other date and number formats", () => {
    expect(check(GOOD_EN)).toEqual({ passed: true, problems: [] });
    expect(
      check("Hi Olivia, your last order (2026-04-12, 345.60) was 79 days ago; you have placed 14 orders."),
    ).toEqual({ passed: true, problems: [] });
    expect(
      check(
        "王伟您好，我是Alice Martin。您上次下单是在2026年4月12日（79天前），4月12日以来一直没有订单。方便通个电话吗？",
        {
          language: "zh",
        },
      ),
    ).toEqual({ passed: true, problems: [] });
  });

  it("catches discounts, free items, refunds and guarantees in English and Chinese", () => {
    const cases: [string, "en" | "zh", RegExp][] = [
      ["Hi Olivia, enjoy 20% off your next order!", "en", /20% off/],
      ["Hi Olivia, we would like to give you a discount on your next order.", "en", /a discount/],
      ["Hi Olivia, your next delivery is free.", "en", /something free/],
      ["Hi Olivia, we will refund the delivery charge.", "en", /a refund/],
      ["Hi Olivia, we guarantee delivery on time from now on.", "en", /a guarantee/],
      ["王伟您好，下次订单给您打八折。", "zh", /折扣/],
      ["王伟您好，我们为您准备了专属优惠。", "zh", /优惠/],
      ["王伟您好，下次为您免费配送。", "zh", /免费/],
      ["王伟您好，我们会给您返现。", "zh", /返现/],
      ["王伟您好，我们保证下次准时发货。", "zh", /保证/],
    ];
    for (const [body, language, problem] of cases) {
      const result = check(body, { language });
      expect(result.passed, body).toBe(false);
      expect(result.problems.join("\n"), body).toMatch(problem);
    }
  });

  it("catches numbers, amounts, percentages and dates that are not in the facts", () => {
    const cases: [string, RegExp][] = [
      ["Hi Olivia, you have placed 15 orders with us.", /the number 15/],
      ["Hi Olivia, here is a $50 credit.", /the number 50/],
      ["Hi Olivia, 30% of customers like you come back.", /30%/],
      ["Hi Olivia, your last order was on 14 April 2026.", /"14 April 2026"/],
      ["Hi Olivia, I will call you on July 15.", /"July 15"/],
      ["Hi Olivia, I will call you on 2026-07-15.", /"2026-07-15"/],
      ["Hi Olivia, call me on 9:30 tomorrow.", /the number 9/],
    ];
    for (const [body, problem] of cases) {
      const result = check(body);
      expect(result.passed, body).toBe(false);
      expect(result.problems.join("\n"), body).toMatch(problem);
    }
    const zh = check("王伟您好，我们会在7月15日前给您回电。", { language: "zh" });
    expect(zh.problems.join("\n")).toMatch(/7月15日/);
  });

  it("does not take numbers or offers from what the customer wrote", () => {
    // The complaint asks for 50% off, a refund of 500 and a date: quoting them back is not grounded.
    const result = check(
      "Hi Olivia, as you asked, we will give you 50% off and refund 500 dollars by 15 July.",
    );
    expect(result.passed).toBe(false);
    const problems = result.problems.join("\n");
    expect(problems).toMatch(/50% off/);
    expect(problems).toMatch(/the number 500/);
    expect(problems).toMatch(/"15 July"/);
    expect(problems).toMatch(/a refund/);
  });

  it("takes neither numbers nor offers from an interaction summary, only its date", () => {
    const facts = sampleFacts({
      last_interaction: {
        date: "2026-06-01",
        channel: "phone",
        direction: "inbound",
        summary: "Asked for 30% off and a refund of 250; we said we would call back on 2026-07-10.",
        outcome: "free delivery promised",
      },
    });
    expect(check("Hi Olivia, thank you for your call on 2026-06-01.", { facts })).toEqual({
      passed: true,
      problems: [],
    });
    const result = check(
      "Hi Olivia, as promised: 30% off, a refund of 250 and free delivery by 2026-07-10.",
      {
        facts,
      },
    );
    const problems = result.problems.join("\n");
    for (const expected of [
      /"30%"/,
      /the number 250/,
      /"2026-07-10"/,
      /a refund/,
      /something free/,
      /a discount/,
    ])
      expect(problems).toMatch(expected);
  });

  it("lets names appear as they are, without making their digits or words a source", () => {
    const base = sampleFacts();
    const facts = sampleFacts({ customer: { ...base.customer, company: "Room 101 Trading" } });
    expect(check("Hi Olivia, I hope all is well at Room 101 Trading.", { facts })).toEqual({
      passed: true,
      problems: [],
    });
    expect(check("Hi Olivia, you have placed 101 orders.", { facts }).problems).toEqual([
      "the message mentions the number 101, which is not in the facts",
    ]);
    // A name that reads like an offer is no name at all: repeating it repeats the offer.
    const poisoned = sampleFacts({ customer: { ...base.customer, company: "Half Price Forever Ltd" } });
    expect(
      check("Hi Olivia, I hope all is well at Half Price Forever Ltd.", { facts: poisoned }).passed,
    ).toBe(false);
  });

  it("allows what the manager's notes offer, dates and numbers included", () => {
    const facts = sampleFacts({
      manager_notes: "Offer free delivery on the next order, valid until 31 July 2026; 10% off is approved.",
    });
    expect(
      check("Hi Olivia, your next delivery is free until 31 July 2026, and 10% off is yours.", { facts }),
    ).toEqual({
      passed: true,
      problems: [],
    });
    expect(check("Hi Olivia, we will also refund your last order.", { facts }).passed).toBe(false);
  });

  it("checks the language, the channel's length and the email subject", () => {
    expect(check("Hi 王伟, your last order was on 12 April 2026.", { language: "zh" }).problems).toEqual([
      "the message is written in English, but it must be in Chinese",
    ]);
    expect(check("王伟您好，想跟您问候一下。", { language: "en" }).problems).toEqual([
      "the message is written in Chinese, but it must be in English",
    ]);
    const long = check(`Hi Olivia, ${"thank you. ".repeat(40)}`, { channel: "sms" });
    expect(long.problems).toEqual([
      expect.stringMatching(/^the message is 4\d\d characters; the sms limit is 306$/),
    ]);
    expect(check(GOOD_EN, { channel: "email", subject: "" }).problems).toEqual([
      'there is no subject: start with a line "Subject: ..."',
    ]);
    expect(check(GOOD_EN, { channel: "email", subject: "A".repeat(81) }).problems).toEqual([
      "the subject is 81 characters; the limit is 80",
    ]);
    expect(check("Hi [Customer name], thank you. [Your name]").problems).toEqual([
      'the message contains the placeholder "[Customer name]"; write the real text',
    ]);
  });

  it("never passes a number that is not in the facts (property)", () => {
    const facts = sampleFacts();
    const known = new Sources().addValue(facts, new Set(["customer_text"]));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), (number) => {
        fc.pre(!known.numbers.has(String(number)));
        expect(check(`Hi Olivia, thank you for your ${number} orders.`).passed).toBe(false);
      }),
    );
  });

  it("checks a summary's numbers against the analytics", () => {
    const sources = new Sources()
      .addValue({ responses: 182, nps: { score: 16.4, responses: 116 } })
      .addShare(0.3846);
    expect(
      checkSummary(
        "Customers left 182 pieces of feedback; NPS is +16 from 116 answers, and 38.5% (about 38%) were negative.",
        {
          sources,
          language: "en",
          maxLength: 1200,
        },
      ),
    ).toEqual({ passed: true, problems: [] });
    const bad = checkSummary("Customers left 250 pieces of feedback and 45% were negative.", {
      sources,
      language: "en",
      maxLength: 1200,
    });
    expect(bad.problems).toEqual([
      'the summary mentions "45%", a percentage that is not in the facts',
      "the summary mentions the number 250, which is not in the facts",
    ]);
  });
});
