/**
 * Deterministic follow-up drafts written from a facts sheet: the same facts and request always
 * give the same text. The templates only state what the facts sheet says (dates, day counts,
 * order counts, theme names) and never offer discounts, prices or promises; text the customer
 * wrote is never copied into a draft (it stays quoted in the facts sheet), so feedback cannot
 * steer what a draft says. A name, company or owner that reads like an offer ("Offer 90% off
 * Ltd", 打五折公司) or has no letters is left out of the draft, with a warning, so a poisoned
 * record cannot either.
 */
import {
  CHANNEL_LIMITS,
  DEFAULT_GOAL_BY_STAGE,
  type FactsSheet,
  type FollowUpChannel,
  type FollowUpGoal,
  type FollowUpTone,
} from "../contract/draftFollowUp.js";
import { RISK_LEVELS } from "../../core/risk.js";
import { usableName } from "../llm/grounding.js";

export interface DraftRequest {
  goal: FollowUpGoal;
  channel: FollowUpChannel;
  tone: FollowUpTone;
  language: "en" | "zh";
}

export interface TemplateDraft {
  /** Email subject; null for other channels. */
  subject: string | null;
  body: string;
  /** Things the person sending the draft should know (missing facts, dropped sentences, ...). */
  warnings: string[];
}

type Feedback = FactsSheet["feedback"]["recent"][number];

/**
 * A sentence with its priority: 1 is always kept, 2 is dropped only when the message would
 * exceed the channel's limit, 3 is also left out of brief drafts. Lower-priority sentences go
 * first, the latest first.
 */
interface Sentence {
  text: string;
  priority: 1 | 2 | 3;
}

interface GoalText {
  subject: string;
  /** A subject without the customer's name, used when the full one is too long. */
  shortSubject: string;
  points: Sentence[];
  /** The call to action that ends the message. */
  ask: string;
  /** Questions for the call script. */
  questions: string[];
}

/** What the templates read from the facts sheet, in a handy shape. */
interface Context {
  tone: FollowUpTone;
  /** The name to greet with: first name (English names, warm or brief), else the full name; null for none. */
  greetingName: string | null;
  fullName: string | null;
  company: string | null;
  owner: string | null;
  lastPurchase: string | null;
  firstPurchase: string | null;
  daysSince: number | null;
  gap: number | null;
  /** Longer since the last purchase than the usual gap. */
  overdue: boolean;
  orders: number;
  openComplaints: number;
  latest: Feedback | null;
  /** The feedback a response is about: the newest open complaint, else the newest item. */
  focus: Feedback | null;
  /** The open service ticket a feedback response cites (see `citedTicket`). */
  ticket: CitedTicket | null;
  /** The response leads with the ticket: no open complaint among the recent feedback. */
  ticketLeads: boolean;
  /** Fields left out because they cannot go into a draft as they are: "name", "company", "owner". */
  withheld: string[];
}

type OpenTicket = FactsSheet["open_tickets"][number];

/** An open ticket as a draft may cite it: never its subject, which may be the customer's words. */
interface CitedTicket {
  /** The ticket's id when it reads like one (T-1042, CASE#88), else the store's number (#17). */
  ref: string;
  date: string;
  kind: OpenTicket["kind"];
  overdue: boolean;
}

/** A ticket id plain enough to put in a message: letters, a separator and digits, nothing else. */
const PLAIN_TICKET_ID = /^[A-Za-z]{0,8}[-#_]?\d{1,12}$/;

/**
 * The ticket a response cites: the complaint ticket opened the day of the complaint it answers
 * (record_feedback opens one with each complaint), else the oldest complaint ticket, else the oldest.
 */
function citedTicket(tickets: readonly OpenTicket[], focus: Feedback | null): CitedTicket | null {
  const complaintDay = focus?.source === "complaint" && focus.status === "open" ? focus.date : null;
  const ticket =
    tickets.find((item) => item.kind === "complaint" && item.opened_at === complaintDay) ??
    tickets.find((item) => item.kind === "complaint") ??
    tickets[0];
  if (!ticket) return null;
  return {
    ref: PLAIN_TICKET_ID.test(ticket.ticket_id) ? ticket.ticket_id : `#${ticket.store_id}`,
    date: ticket.opened_at,
    kind: ticket.kind,
    overdue: ticket.overdue,
  };
}

/** The text, or null when it cannot go into a draft as it is (see `usableName`). */
function usable(text: string | null, field: string, withheld: string[]): string | null {
  if (text === null || text.trim() === "" || usableName(text)) return text;
  withheld.push(field);
  return null;
}

function context(facts: FactsSheet, tone: FollowUpTone): Context {
  const customer = facts.customer;
  // displayName falls back to "Customer <id>" when there is neither name nor company.
  const hasName = customer.name !== `Customer ${customer.customer_id}`;
  const withheld: string[] = [];
  const fullName = usable(hasName ? customer.name : null, "name", withheld);
  let greetingName = fullName;
  if (
    fullName &&
    tone !== "formal" &&
    /^[A-Za-z][A-Za-z'.-]*\s+\S/.test(fullName) &&
    !/\p{Script=Han}/u.test(fullName)
  ) {
    greetingName = fullName.split(/\s+/)[0];
  }
  const recent = facts.feedback.recent;
  const focus =
    recent.find((item) => item.source === "complaint" && item.status === "open") ?? recent[0] ?? null;
  const ticket = citedTicket(facts.open_tickets, focus);
  return {
    tone,
    greetingName,
    fullName,
    company:
      customer.company && customer.company !== customer.name
        ? usable(customer.company, "company", withheld)
        : null,
    owner: usable(customer.owner, "owner", withheld),
    lastPurchase: facts.purchases.last_purchase,
    firstPurchase: facts.purchases.first_purchase,
    daysSince: facts.purchases.days_since_last_purchase,
    gap: facts.purchases.typical_gap_days,
    overdue:
      facts.purchases.days_since_last_purchase !== null &&
      facts.purchases.typical_gap_days !== null &&
      facts.purchases.days_since_last_purchase > facts.purchases.typical_gap_days,
    orders: facts.purchases.orders,
    openComplaints: facts.feedback.open_complaints,
    latest: recent[0] ?? null,
    focus,
    ticket,
    ticketLeads: ticket !== null && !(focus?.source === "complaint" && focus.status === "open"),
    withheld,
  };
}

const core = (text: string): Sentence => ({ text, priority: 1 });
const detail = (text: string): Sentence => ({ text, priority: 2 });
const extra = (text: string): Sentence => ({ text, priority: 3 });

/** Everything language-specific. */
interface Phrases {
  date(iso: string): string;
  /** Joins sentences into a paragraph. */
  space: string;
  greeting(c: Context, channel: FollowUpChannel): string;
  /** Who is writing, for channels without a signature. */
  intro(c: Context): string;
  pleasantry(c: Context): string | null;
  signOff(c: Context): string;
  optOut: string;
  goal(goal: FollowUpGoal, c: Context): GoalText;
  goalName: Record<FollowUpGoal, string>;
  script(c: Context, facts: FactsSheet, goal: FollowUpGoal, text: GoalText, points: string[]): string;
}

function joinThemes(items: Feedback | null, word: string): string {
  if (!items || items.themes.length === 0) return "";
  return items.themes.map((theme) => theme.label.toLowerCase()).join(word);
}

const EN_MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

const EN_SOURCES: Record<Feedback["source"], string> = {
  survey: "survey response",
  nps: "survey rating",
  review: "review",
  ticket: "support request",
  complaint: "complaint",
};

/** Follows "Thank you for getting in touch on <date>". */
const EN_TICKET_KINDS: Record<OpenTicket["kind"], string> = {
  complaint: " about a problem",
  question: " with a question",
  request: " with a request",
  return: " about a return",
};

const EN: Phrases = {
  date(iso) {
    const [year, month, day] = iso.slice(0, 10).split("-").map(Number);
    return `${day} ${EN_MONTHS[month - 1]} ${year}`;
  },
  space: " ",
  greeting(c) {
    if (c.tone === "formal") return c.fullName ? `Dear ${c.fullName},` : "Dear customer,";
    return c.greetingName ? `Hi ${c.greetingName},` : "Hello,";
  },
  // Follows the greeting's comma, hence the lower case.
  intro(c) {
    if (c.tone === "formal")
      return c.owner ? `this is ${c.owner}, your account manager.` : "this is your account team.";
    return c.owner ? `it's ${c.owner}, your account manager.` : "it's your account team.";
  },
  pleasantry(c) {
    if (c.tone === "brief") return null;
    if (c.tone === "formal") return "I hope this message finds you well.";
    return c.company ? `I hope all is well at ${c.company}.` : "I hope all is well.";
  },
  signOff(c) {
    const name = c.owner ?? "Your account team";
    if (c.tone === "formal") return `Kind regards,\n${name}${c.owner ? "\nAccount manager" : ""}`;
    if (c.tone === "brief") return `Thanks,\n${name}`;
    return `Warm regards,\n${name}`;
  },
  optOut: "Reply STOP to opt out.",
  goalName: {
    retention: "retention",
    "win-back": "win-back",
    "thank-you": "thank-you",
    upsell: "upsell",
    "feedback-response": "feedback response",
    renewal: "renewal",
  },
  goal(goal, c) {
    const last = c.lastPurchase ? EN.date(c.lastPurchase) : null;
    const daysAgo = c.daysSince !== null && c.daysSince > 1 ? `, ${c.daysSince} days ago` : "";
    const complaintNote = (priority: 2 | 3): Sentence | null =>
      c.openComplaints === 0
        ? null
        : {
            priority,
            text:
              c.openComplaints === 1
                ? "I can also see an issue you raised is still open, and I would like to help get it resolved."
                : `I can also see ${c.openComplaints} issues you raised are still open, and I would like to help get them resolved.`,
          };
    const negativeNote = (priority: 2 | 3): Sentence | null => {
      if (!c.latest || c.latest.sentiment !== "negative") return null;
      const themes = joinThemes(c.latest, " and ");
      return {
        priority,
        text: `Thank you for your feedback on ${EN.date(c.latest.date)}${themes ? ` about ${themes}` : ""}; I have read it, and I want to make sure we address it.`,
      };
    };
    const points = (...sentences: (Sentence | null)[]) => sentences.filter((s): s is Sentence => s !== null);
    const name = c.greetingName ? `, ${c.greetingName}` : "";
    switch (goal) {
      case "retention":
        return {
          subject: c.tone === "formal" ? "Checking in on your account" : `Checking in${name}`,
          shortSubject: "Checking in",
          points: points(
            core(
              !last
                ? "I wanted to check in and see how things are going."
                : c.gap !== null && !c.overdue
                  ? `I wanted to check in and see how things are going since your last order on ${last}.`
                  : `I noticed your last order was on ${last}${daysAgo}${c.gap !== null ? `, and you usually order about every ${c.gap} days` : ""}, so I wanted to check in.`,
            ),
            complaintNote(2),
            negativeNote(3),
            detail(
              "If your needs have changed, or something on our side is not working for you, I would like to hear about it.",
            ),
          ),
          ask: "Would you have time for a quick call in the next few days?",
          questions: [
            "Has anything changed in what you need from us?",
            "Is there anything we could do better?",
          ],
        };
      case "win-back":
        return {
          subject: c.tone === "formal" ? "It has been a while" : `It has been a while${name}`,
          shortSubject: "It has been a while",
          points: points(
            core(
              last
                ? `It has been a while since your last order on ${last}, and we would love to work with you again.`
                : "We would love to work with you again.",
            ),
            negativeNote(2),
            complaintNote(2),
            detail("I would value hearing what would make us useful to you again."),
          ),
          ask: "Would you be open to a short conversation?",
          questions: ["What made you stop ordering?", "What would make us useful to you again?"],
        };
      case "thank-you": {
        const positive = c.latest && c.latest.sentiment === "positive" ? c.latest : null;
        return {
          subject: c.tone === "formal" ? "Thank you for your business" : `Thank you${name}`,
          shortSubject: "Thank you",
          points: points(
            core(
              last
                ? `Thank you for your order on ${last}.`
                : "Thank you for your interest in working with us.",
            ),
            last && c.firstPurchase && c.orders > 1
              ? extra(
                  `You have placed ${c.orders} orders with us since ${EN.date(c.firstPurchase)}, and we really appreciate it.`,
                )
              : null,
            positive
              ? detail(`Thank you as well for your kind feedback on ${EN.date(positive.date)}.`)
              : null,
            complaintNote(2),
          ),
          ask: "If there is anything you need, just reply to this message.",
          questions: ["How is everything going with your recent order?", "Is there anything else you need?"],
        };
      }
      case "upsell":
        return {
          subject: "Ideas for your next order",
          shortSubject: "Ideas for your next order",
          points: points(
            core(
              last
                ? `Thank you for your continued business; your last order was on ${last}.`
                : "Thank you for your interest in working with us.",
            ),
            last && c.gap !== null && !c.overdue
              ? extra(`Since you usually order about every ${c.gap} days, your next order may be coming up.`)
              : null,
            complaintNote(2),
            core("I would be happy to suggest other products that fit what you already buy from us."),
          ),
          ask: "Shall I send you a few suggestions?",
          questions: ["What are you planning to order next?", "Are there needs we are not covering yet?"],
        };
      case "feedback-response": {
        const item = c.ticketLeads ? null : c.focus;
        const sentences: (Sentence | null)[] = [];
        if (c.ticket && c.ticketLeads) {
          sentences.push(
            core(
              `Thank you for getting in touch on ${EN.date(c.ticket.date)}${EN_TICKET_KINDS[c.ticket.kind]}.`,
            ),
            core(
              c.ticket.overdue
                ? "I am sorry it is taking us longer than it should, and I want to make sure it is sorted out."
                : "I want to make sure it is sorted out properly.",
            ),
          );
        } else if (!item) {
          sentences.push(core("I would love to hear how things are going; your feedback helps us improve."));
        } else {
          const themes = joinThemes(item, " and ");
          sentences.push(core(`Thank you for your ${EN_SOURCES[item.source]} on ${EN.date(item.date)}.`));
          if (item.sentiment === "negative" || item.source === "complaint") {
            sentences.push(
              core(
                `I am sorry your experience${themes ? ` with ${themes}` : ""} fell short, and I would like to understand exactly what happened so we can address it.`,
              ),
            );
          } else if (item.sentiment === "positive") {
            sentences.push(core("It is great to hear, and thank you for taking the time to tell us."));
          } else {
            sentences.push(core("Your comments help us improve, and I would like to hear more."));
          }
          sentences.push(complaintNote(2));
        }
        if (c.ticket)
          sentences.push(
            core(`It is logged as ticket ${c.ticket.ref}, and I am following it up personally.`),
          );
        const unhappy =
          c.ticketLeads || (item !== null && (item.sentiment === "negative" || item.source === "complaint"));
        return {
          subject: "About your feedback",
          shortSubject: "About your feedback",
          points: points(...sentences),
          ask: unhappy
            ? "Could you let me know a convenient time to talk?"
            : "Just reply to this message if there is anything else.",
          questions: [
            "Can you tell me more about what happened?",
            "What would a good outcome look like for you?",
          ],
        };
      }
      case "renewal":
        return {
          subject: "Planning the next period together",
          shortSubject: "Planning the next period",
          points: points(
            core("I am reaching out about continuing our work together."),
            last
              ? extra(
                  `Looking back, your last order was on ${last}${c.gap !== null ? ` and you usually order about every ${c.gap} days` : ""}.`,
                )
              : null,
            complaintNote(2),
            core("I would like to make sure the next period is set up the way you need it."),
          ),
          ask: "Could we set up a short call to go over it?",
          questions: ["What should stay the same next period?", "What would you like to change?"],
        };
    }
  },
  script(c, facts, goal, text, points) {
    const who = `${c.fullName ?? `Customer ${facts.customer.customer_id}`}${c.company ? ` (${c.company})` : ""}`;
    const briefing = [
      `- Lifecycle stage: ${facts.lifecycle.label}. Churn risk: ${facts.risk.score}% chance of no purchase in ${facts.risk.horizon_days} days (${RISK_LEVELS[facts.risk.level].label.en.toLowerCase()}).`,
    ];
    if (facts.risk.reasons.length > 0) briefing.push(`- Why: ${facts.risk.reasons.slice(0, 2).join("; ")}.`);
    if (c.lastPurchase) {
      briefing.push(
        `- Last order: ${EN.date(c.lastPurchase)}${c.daysSince !== null ? `, ${c.daysSince} days ago` : ""}${c.gap !== null ? `; usually every ${c.gap} days` : ""}. ${c.orders} orders in total.`,
      );
      const orders = facts.purchases.recent_orders.map(
        (order) => `${EN.date(order.date)}: ${order.amount.toFixed(2)}`,
      );
      if (orders.length > 0) briefing.push(`- Recent orders: ${orders.join("; ")}.`);
    } else briefing.push("- No orders yet.");
    if (c.openComplaints > 0) briefing.push(`- Open complaints: ${c.openComplaints}.`);
    if (c.latest) {
      const themes = joinThemes(c.latest, ", ");
      briefing.push(
        `- Latest feedback: ${EN_SOURCES[c.latest.source]} on ${EN.date(c.latest.date)}, ${c.latest.sentiment}${themes ? `, about ${themes}` : ""}. The customer's own words are quoted in the facts sheet.`,
      );
    }
    if (facts.manager_notes) briefing.push("- Your notes are in the facts sheet.");
    const hello = c.tone === "formal" ? "Hello" : "Hi";
    const greeting = c.greetingName ? `${hello} ${c.greetingName}` : "Hello";
    return [
      `Call script: ${EN.goalName[goal]} call with ${who}`,
      "",
      "Briefing (for you, not to read out):",
      ...briefing,
      "",
      `Opening: "${greeting}, this is ${c.owner ?? "your account team"}${c.owner ? ", your account manager" : ""}. Do you have a few minutes?"`,
      "",
      "Say:",
      ...points.map((point) => `- ${point}`),
      "",
      "Ask:",
      ...text.questions.map((question) => `- ${question}`),
      "",
      "Before you close, agree on a next step and a date.",
      'Close: "Thank you for your time; I will follow up on what we discussed."',
      "Afterwards, log the call with log_interaction.",
    ].join("\n");
  },
};

const ZH_TICKET_KINDS: Record<OpenTicket["kind"], string> = {
  complaint: "向我们反映问题",
  question: "向我们咨询",
  request: "向我们提出需求",
  return: "向我们申请退货",
};

const ZH_SOURCES: Record<Feedback["source"], string> = {
  survey: "问卷反馈",
  nps: "评分",
  review: "评价",
  ticket: "工单",
  complaint: "投诉",
};

const ZH: Phrases = {
  date(iso) {
    const [year, month, day] = iso.slice(0, 10).split("-").map(Number);
    return `${year}年${month}月${day}日`;
  },
  space: "",
  greeting(c, channel) {
    const name = c.fullName ?? "";
    const chat = channel !== "email";
    if (c.tone === "formal")
      return name ? `尊敬的${name}您好${chat ? "，" : "："}` : `尊敬的客户您好${chat ? "，" : "："}`;
    if (c.tone === "brief" || chat) return `${name}您好，`;
    return `${name}您好！`;
  },
  intro(c) {
    return c.owner ? `我是您的客户经理${c.owner}。` : "这里是您的客户服务团队。";
  },
  pleasantry(c) {
    if (c.tone === "brief") return null;
    if (c.tone === "formal") return "感谢您一直以来的信任与支持。";
    return c.company ? `希望${c.company}一切顺利。` : "希望您一切顺利。";
  },
  signOff(c) {
    const name = c.owner ?? "您的客户服务团队";
    if (c.tone === "formal") return `此致\n敬礼！\n${c.owner ? `客户经理 ${c.owner}` : name}`;
    if (c.tone === "brief") return `谢谢！\n${name}`;
    return `祝好！\n${name}`;
  },
  optOut: "回复TD退订",
  goalName: {
    retention: "客户挽留",
    "win-back": "客户召回",
    "thank-you": "感谢",
    upsell: "追加销售",
    "feedback-response": "反馈回应",
    renewal: "续约",
  },
  goal(goal, c) {
    const last = c.lastPurchase ? ZH.date(c.lastPurchase) : null;
    const daysAgo = c.daysSince !== null && c.daysSince > 1 ? `（${c.daysSince}天前）` : "";
    const complaintNote = (priority: 2 | 3): Sentence | null =>
      c.openComplaints === 0
        ? null
        : {
            priority,
            text:
              c.openComplaints === 1
                ? "我也看到您反映的一个问题还没有解决，我会协助跟进。"
                : `我也看到您反映的${c.openComplaints}个问题还没有解决，我会协助跟进。`,
          };
    const negativeNote = (priority: 2 | 3): Sentence | null => {
      if (!c.latest || c.latest.sentiment !== "negative") return null;
      const themes = joinThemes(c.latest, "和");
      return {
        priority,
        text: `感谢您在${ZH.date(c.latest.date)}的反馈${themes ? `（关于${themes}）` : ""}，我已经认真看过，希望能妥善解决。`,
      };
    };
    const points = (...sentences: (Sentence | null)[]) => sentences.filter((s): s is Sentence => s !== null);
    switch (goal) {
      case "retention":
        return {
          subject: c.tone === "formal" ? "关于您账户的近况问候" : "近况问候",
          shortSubject: "近况问候",
          points: points(
            core(
              !last
                ? "想跟您问候一下，了解最近的情况。"
                : c.gap !== null && !c.overdue
                  ? `您上次下单是在${last}，想跟您问候一下，了解最近的情况。`
                  : `注意到您上次下单是在${last}${daysAgo}${c.gap !== null ? `，平时大约每${c.gap}天下单一次` : ""}，所以想跟您问候一下。`,
            ),
            complaintNote(2),
            negativeNote(3),
            detail("如果您的需求有变化，或者我们哪里做得不好，非常希望听到您的意见。"),
          ),
          ask: "近期方便的话，可以简单通个电话吗？",
          questions: ["您对我们的需求最近有变化吗？", "有哪些地方我们可以做得更好？"],
        };
      case "win-back":
        return {
          subject: "好久不见，期待您的回音",
          shortSubject: "好久不见",
          points: points(
            core(
              last
                ? `距离您上次下单（${last}）已经有一段时间了，我们很希望能再次为您服务。`
                : "我们很希望能再次为您服务。",
            ),
            negativeNote(2),
            complaintNote(2),
            detail("想听听怎样才能让我们重新对您有帮助。"),
          ),
          ask: "方便的话，可以简单聊几分钟吗？",
          questions: ["是什么原因让您暂停了订购？", "怎样才能让我们重新对您有帮助？"],
        };
      case "thank-you": {
        const positive = c.latest && c.latest.sentiment === "positive" ? c.latest : null;
        return {
          subject: "感谢您的支持",
          shortSubject: "感谢您的支持",
          points: points(
            core(last ? `感谢您在${last}的订单。` : "感谢您对我们的关注。"),
            last && c.firstPurchase && c.orders > 1
              ? extra(`自${ZH.date(c.firstPurchase)}以来您共下单${c.orders}次，非常感谢您一直以来的支持。`)
              : null,
            positive ? detail(`也感谢您在${ZH.date(positive.date)}给我们的好评。`) : null,
            complaintNote(2),
          ),
          ask: "如有任何需要，直接回复这条消息即可。",
          questions: ["最近的订单使用情况怎么样？", "还有什么需要我们帮忙的吗？"],
        };
      }
      case "upsell":
        return {
          subject: "为您的下次订购提供建议",
          shortSubject: "订购建议",
          points: points(
            core(last ? `感谢您一直以来的支持，您上次下单是在${last}。` : "感谢您对我们的关注。"),
            last && c.gap !== null && !c.overdue
              ? extra(`您平时大约每${c.gap}天下单一次，下一次订购可能快到了。`)
              : null,
            complaintNote(2),
            core("我很乐意根据您常买的产品，为您推荐其他合适的产品。"),
          ),
          ask: "需要我给您发几个推荐方案吗？",
          questions: ["您下一次打算订购什么？", "还有哪些需求我们目前没有覆盖？"],
        };
      case "feedback-response": {
        const item = c.ticketLeads ? null : c.focus;
        const sentences: (Sentence | null)[] = [];
        if (c.ticket && c.ticketLeads) {
          sentences.push(
            core(`感谢您在${ZH.date(c.ticket.date)}${ZH_TICKET_KINDS[c.ticket.kind]}。`),
            core(
              c.ticket.overdue
                ? "很抱歉处理时间比预期长，我会确保尽快为您解决。"
                : "我会确保这件事得到妥善解决。",
            ),
          );
        } else if (!item) {
          sentences.push(core("想了解一下您最近的使用感受，您的反馈能帮助我们改进。"));
        } else {
          const themes = joinThemes(item, "和");
          sentences.push(core(`感谢您在${ZH.date(item.date)}提交的${ZH_SOURCES[item.source]}。`));
          if (item.sentiment === "negative" || item.source === "complaint") {
            sentences.push(
              core(
                `很抱歉${themes ? `在${themes}方面` : ""}没有让您满意，我想详细了解情况，以便我们妥善处理。`,
              ),
            );
          } else if (item.sentiment === "positive") {
            sentences.push(core("很高兴您感到满意，感谢您抽出时间告诉我们。"));
          } else {
            sentences.push(core("您的意见能帮助我们改进，也想听听您更多的想法。"));
          }
          sentences.push(complaintNote(2));
        }
        if (c.ticket) sentences.push(core(`该问题已登记为工单${c.ticket.ref}，我会亲自跟进。`));
        const unhappy =
          c.ticketLeads || (item !== null && (item.sentiment === "negative" || item.source === "complaint"));
        return {
          subject: "关于您的反馈",
          shortSubject: "关于您的反馈",
          points: points(...sentences),
          ask: unhappy ? "您方便告诉我什么时间可以通个电话吗？" : "如有其他想法，直接回复这条消息即可。",
          questions: ["能具体说说当时发生了什么吗？", "您希望问题怎样解决？"],
        };
      }
      case "renewal":
        return {
          subject: "关于续约的沟通",
          shortSubject: "关于续约的沟通",
          points: points(
            core("想跟您沟通一下后续合作的安排。"),
            last
              ? extra(
                  `回顾一下，您上次下单是在${last}${c.gap !== null ? `，平时大约每${c.gap}天下单一次` : ""}。`,
                )
              : null,
            complaintNote(2),
            core("希望确保下一阶段的安排符合您的需要。"),
          ),
          ask: "能否约个时间简单通个电话，一起过一下？",
          questions: ["下一阶段哪些安排需要保持不变？", "您希望调整哪些地方？"],
        };
    }
  },
  script(c, facts, goal, text, points) {
    const who = `${c.fullName ?? `Customer ${facts.customer.customer_id}`}${c.company ? `（${c.company}）` : ""}`;
    const briefing = [
      `- 生命周期阶段：${facts.lifecycle.label}。流失风险：${facts.risk.horizon_days}天内不再购买的概率为${facts.risk.score}%（${RISK_LEVELS[facts.risk.level].label.zh}）。`,
    ];
    if (facts.risk.reasons.length > 0)
      briefing.push(`- 原因：${facts.risk.reasons.slice(0, 2).join("；")}。`);
    if (c.lastPurchase) {
      briefing.push(
        `- 上次下单：${ZH.date(c.lastPurchase)}${c.daysSince !== null ? `，${c.daysSince}天前` : ""}${c.gap !== null ? `；平时大约每${c.gap}天一次` : ""}。累计${c.orders}笔订单。`,
      );
      const orders = facts.purchases.recent_orders.map(
        (order) => `${ZH.date(order.date)}：${order.amount.toFixed(2)}`,
      );
      if (orders.length > 0) briefing.push(`- 最近订单：${orders.join("；")}。`);
    } else briefing.push("- 尚无订单。");
    if (c.openComplaints > 0) briefing.push(`- 未解决的投诉：${c.openComplaints}个。`);
    if (c.latest) {
      const themes = joinThemes(c.latest, "、");
      const mood = { positive: "正面", neutral: "中性", negative: "负面" }[c.latest.sentiment];
      briefing.push(
        `- 最近反馈：${ZH.date(c.latest.date)}的${ZH_SOURCES[c.latest.source]}，${mood}${themes ? `，涉及${themes}` : ""}。客户原话见资料表中的引用。`,
      );
    }
    if (facts.manager_notes) briefing.push("- 您的备注见资料表。");
    return [
      `通话脚本：与${who}的${ZH.goalName[goal]}通话`,
      "",
      "通话前须知（仅供您参考，不要照读）：",
      ...briefing,
      "",
      `开场：“${c.fullName ? `${c.fullName}您好` : "您好"}，我是${c.owner ? `您的客户经理${c.owner}` : "您的客户服务团队"}，现在方便聊几分钟吗？”`,
      "",
      "要点：",
      ...points.map((point) => `- ${point}`),
      "",
      "提问：",
      ...text.questions.map((question) => `- ${question}`),
      "",
      "结束前约定下一步和时间。",
      "结束：“感谢您抽出时间，我会跟进今天沟通的内容。”",
      "通话后请用 log_interaction 记录。",
    ].join("\n");
  },
};

export const PHRASES: Readonly<Record<"en" | "zh", Phrases>> = { en: EN, zh: ZH };

/** Drops the lowest-priority, latest sentence; false when only essential ones are left. */
function dropOne(sentences: Sentence[]): boolean {
  for (const priority of [3, 2] as const) {
    for (let index = sentences.length - 1; index >= 0; index--) {
      if (sentences[index].priority === priority) {
        sentences.splice(index, 1);
        return true;
      }
    }
  }
  return false;
}

function compose(
  phrases: Phrases,
  c: Context,
  facts: FactsSheet,
  request: DraftRequest,
  text: GoalText,
  sentences: Sentence[],
): string {
  const points = sentences.map((sentence) => sentence.text);
  const pleasantry = phrases.pleasantry(c);
  switch (request.channel) {
    case "email":
      return [
        phrases.greeting(c, "email"),
        ...(pleasantry ? [pleasantry] : []),
        points.join(phrases.space),
        text.ask,
        phrases.signOff(c),
      ].join("\n\n");
    case "sms":
    case "wechat": {
      const parts = [phrases.greeting(c, request.channel), phrases.intro(c), ...points, text.ask];
      if (request.channel === "sms") parts.push(phrases.optOut);
      return request.language === "en" ? parts.join(" ") : parts.join("");
    }
    case "call-script":
      return phrases.script(c, facts, request.goal, text, points);
  }
}

/**
 * Writes a draft for the request from the facts sheet. Sentences are dropped, least important
 * first, until the draft fits the channel's limit (`CHANNEL_LIMITS`); brief drafts leave out
 * the nice-to-have ones from the start.
 */
export function renderTemplate(facts: FactsSheet, request: DraftRequest): TemplateDraft {
  const phrases = PHRASES[request.language];
  const c = context(facts, request.tone);
  const text = phrases.goal(request.goal, c);
  const limits = CHANNEL_LIMITS[request.channel];
  const limit = limits.body[request.language];
  const warnings: string[] = [];
  const sentences = text.points.filter((sentence) => request.tone !== "brief" || sentence.priority < 3);
  let body = compose(phrases, c, facts, request, text, sentences);
  let dropped = 0;
  while (body.length > limit && dropOne(sentences)) {
    dropped++;
    body = compose(phrases, c, facts, request, text, sentences);
  }
  if (dropped > 0) {
    warnings.push(
      `${dropped} optional sentence(s) left out to fit the ${request.channel} limit of ${limit} characters`,
    );
  }
  if (c.withheld.length > 0) {
    warnings.push(
      `the customer's ${c.withheld.join(" and ")} cannot go into a draft as it is (it reads like an offer or a promise, or has no letters), so the draft leaves it out; check the customer record`,
    );
  }
  if (body.length > limit) {
    body = `${body.slice(0, limit - 1)}…`;
    warnings.push(
      `the draft was cut to the ${request.channel} limit of ${limit} characters; check the ending before sending`,
    );
  }
  let subject: string | null = null;
  if (limits.subject !== null) {
    subject = text.subject.length <= limits.subject ? text.subject : text.shortSubject;
  }
  return { subject, body, warnings };
}

/**
 * The goal when none is asked for: respond to an open complaint first, otherwise follow the
 * lifecycle stage (`DEFAULT_GOAL_BY_STAGE`).
 */
export function defaultGoal(facts: FactsSheet): FollowUpGoal {
  if (facts.feedback.open_complaints > 0) return "feedback-response";
  return DEFAULT_GOAL_BY_STAGE[facts.lifecycle.stage];
}

/** Goals that read oddly for a stage, with the goal to consider instead. */
const GOAL_MISMATCHES: Partial<
  Record<FollowUpGoal, Partial<Record<FactsSheet["lifecycle"]["stage"], FollowUpGoal>>>
> = {
  upsell: { decline: "retention", churned: "win-back", prospect: "thank-you" },
  renewal: { churned: "win-back", prospect: "thank-you" },
  "win-back": { onboarding: "thank-you", growth: "upsell", mature: "thank-you", prospect: "thank-you" },
  retention: { prospect: "thank-you" },
};

/**
 * Warnings about the facts behind a draft that the person sending it should know.
 *
 * @param writtenByTemplate false when a language model wrote the draft (it works the notes in)
 */
export function factWarnings(facts: FactsSheet, goal: FollowUpGoal, writtenByTemplate = true): string[] {
  const warnings: string[] = [];
  const stage = facts.lifecycle.stage;
  const better = GOAL_MISMATCHES[goal]?.[stage];
  if (better) warnings.push(`goal '${goal}' for a customer in the '${stage}' stage; consider '${better}'`);
  if (facts.purchases.orders === 0) warnings.push("no purchases on record, so the draft mentions no order");
  if (goal === "feedback-response" && facts.feedback.recent.length === 0 && facts.open_tickets.length === 0) {
    warnings.push("no feedback in the last year to respond to; the draft asks for feedback instead");
  }
  if (facts.feedback.open_complaints > 0 && goal !== "feedback-response") {
    warnings.push(
      `${facts.feedback.open_complaints} open complaint(s): the draft mentions them, but consider resolving them first (goal 'feedback-response')`,
    );
  }
  if (!facts.customer.owner)
    warnings.push("no account manager on record; the draft is signed by 'your account team'");
  if (facts.manager_notes && writtenByTemplate) {
    warnings.push(
      "the template does not work your notes into the message; they are in the facts sheet, add them by hand",
    );
  }
  return warnings;
}
