/**
 * Why a task was opened, in plain words in English and Chinese with the numbers that fired it. The
 * trigger queries return raw facts (dates, counts, scores); `completeFacts` adds what follows from
 * them and the as-of date (days since, hours waiting, the overdue ratio), rounded for people, and
 * one phrase table per language words them, so the two languages say the same thing.
 */
import type { Bilingual } from "../../core/i18n.js";
import { formatMoney } from "../format.js";
import type { TriggerKind } from "./definitions.js";

export type Facts = Record<string, string | number | null>;

const DAY_MS = 86_400_000;

/** Whole days from a day (YYYY-MM-DD) to the as-of day. */
function daysBetween(fromDay: string, toDay: string): number {
  return Math.round(
    (Date.parse(`${toDay}T00:00:00Z`) - Date.parse(`${fromDay.slice(0, 10)}T00:00:00Z`)) / DAY_MS,
  );
}

const round = (value: unknown, digits: number) =>
  typeof value === "number" ? Math.round(value * 10 ** digits) / 10 ** digits : null;

/** The facts a task keeps: the trigger's, rounded, plus what follows from them as of `asOf`. */
export function completeFacts(trigger: TriggerKind, raw: Facts, asOf: string, asOfDay: string): Facts {
  const facts: Facts = { ...raw };
  switch (trigger) {
    case "overdue-rhythm": {
      const days = Number(raw.days_since_last_purchase);
      const gap = Number(raw.typical_gap_days);
      facts.typical_gap_days = round(gap, 1);
      facts.overdue_ratio = round(days / gap, 1);
      facts.value_at_risk = round(raw.value_at_risk, 2);
      break;
    }
    case "churn-risk-top-tier":
      facts.churn_probability = round(raw.churn_probability, 3);
      facts.value_at_risk = round(raw.value_at_risk, 2);
      break;
    case "ticket-unanswered":
      facts.hours_waiting = Math.floor((Date.parse(asOf) - Date.parse(String(raw.opened_at))) / 3_600_000);
      break;
    case "activation-day-30":
    case "welcome-day-7":
      facts.days_since_first_purchase = daysBetween(String(raw.first_purchase), asOfDay);
      facts.revenue = round(raw.revenue, 2);
      break;
    case "browse-no-buy":
      facts.days_since_last_event = daysBetween(String(raw.last_event), asOfDay);
      break;
    case "birthday":
      facts.days_until = daysBetween(asOfDay, String(raw.occurs_on));
      break;
    case "purchase-anniversary":
      facts.years =
        Number(String(raw.occurs_on).slice(0, 4)) - Number(String(raw.first_purchase).slice(0, 4));
      facts.days_until = daysBetween(asOfDay, String(raw.occurs_on));
      break;
    case "win-back-window":
      facts.value_if_retained = round(raw.value_if_retained, 2);
      break;
    case "unhappy-feedback":
      break;
  }
  return facts;
}

const percent = (share: number) => `${Math.round(share * 100)}%`;
const when = (days: number, on: string): Bilingual =>
  days === 0
    ? { en: `today (${on})`, zh: `今天（${on}）` }
    : { en: `in ${days} day${days === 1 ? "" : "s"} (${on})`, zh: `${days} 天后（${on}）` };

/** The reason for a task in both languages, from its completed facts. */
export function taskReason(trigger: TriggerKind, facts: Facts): Bilingual {
  const f = facts as Record<string, never>;
  switch (trigger) {
    case "overdue-rhythm":
      return {
        en: `No purchase for ${f.days_since_last_purchase} days, ${f.overdue_ratio}x their usual ${f.typical_gap_days}-day gap; ${formatMoney(f.value_at_risk)} of value at risk.`,
        zh: `已 ${f.days_since_last_purchase} 天未购买，是其平均购买间隔（${f.typical_gap_days} 天）的 ${f.overdue_ratio} 倍；风险价值 ${formatMoney(f.value_at_risk)}。`,
      };
    case "churn-risk-top-tier":
      return {
        en: `Tier ${f.abc_tier} customer with a ${percent(f.churn_probability)} chance of no purchase in the next ${f.horizon_days} days; ${formatMoney(f.value_at_risk)} of value at risk.`,
        zh: `${f.abc_tier} 类客户，未来 ${f.horizon_days} 天不再购买的概率为 ${percent(f.churn_probability)}；风险价值 ${formatMoney(f.value_at_risk)}。`,
      };
    case "unhappy-feedback":
      return f.source === "nps"
        ? {
            en: `NPS answer of ${f.score} on ${f.occurred_on} (a detractor: ${f.max_nps} or less).`,
            zh: `${f.occurred_on} 的 NPS 评分为 ${f.score}（贬损者：${f.max_nps} 分及以下）。`,
          }
        : {
            en: `Negative review${f.score === null ? "" : ` (score ${f.score} of 10)`} on ${f.occurred_on}.`,
            zh: `${f.occurred_on} 收到差评${f.score === null ? "" : `（评分 ${f.score}/10）`}。`,
          };
    case "ticket-unanswered": {
      const more = Number(f.unanswered_tickets) - 1;
      return {
        en: `Ticket ${f.ticket} (${f.kind}) opened ${String(f.opened_at).slice(0, 10)} has waited ${f.hours_waiting} hours without a first response; the SLA is ${f.sla_hours} hours.${more > 0 ? ` ${more} more unanswered.` : ""}`,
        zh: `工单 ${f.ticket}（${KIND_ZH[String(f.kind)] ?? f.kind}）于 ${String(f.opened_at).slice(0, 10)} 创建，已等待 ${f.hours_waiting} 小时仍未首次回复；服务时限为 ${f.sla_hours} 小时。${more > 0 ? `另有 ${more} 个未回复。` : ""}`,
      };
    }
    case "activation-day-30":
      return {
        en: `First purchase on ${f.first_purchase} (${f.days_since_first_purchase} days ago) and no second purchase yet: the first 30 days are over.`,
        zh: `首次购买于 ${f.first_purchase}（${f.days_since_first_purchase} 天前），至今没有第二次购买：黄金 30 天已过。`,
      };
    case "welcome-day-7":
      return {
        en: `First purchase on ${f.first_purchase}, ${f.days_since_first_purchase} days ago: time for a welcome.`,
        zh: `首次购买于 ${f.first_purchase}，已过 ${f.days_since_first_purchase} 天：适合发送欢迎问候。`,
      };
    case "browse-no-buy":
      return {
        en: `Viewed ${f.category} ${f.events} time${Number(f.events) === 1 ? "" : "s"}, last on ${f.last_event} (${f.days_since_last_event} days ago), and has not bought since.`,
        zh: `浏览了“${f.category}”类商品 ${f.events} 次，最近一次在 ${f.last_event}（${f.days_since_last_event} 天前），之后未购买。`,
      };
    case "birthday": {
      const on = when(Number(f.days_until), String(f.occurs_on));
      return { en: `Birthday ${on.en}.`, zh: `${on.zh}是客户生日。` };
    }
    case "purchase-anniversary": {
      const on = when(Number(f.days_until), String(f.occurs_on));
      return {
        en: `${f.years} year${Number(f.years) === 1 ? "" : "s"} since the first purchase on ${f.first_purchase}: the anniversary is ${on.en}.`,
        zh: `自首次购买（${f.first_purchase}）已满 ${f.years} 年：${on.zh}是购买周年纪念日。`,
      };
    }
    case "win-back-window":
      return {
        en: `No purchase for ${f.days_since_last_purchase} days (counted as lost after ${f.churned_after_days}); worth ${formatMoney(f.value_if_retained)} over 12 months if won back.`,
        zh: `已 ${f.days_since_last_purchase} 天未购买（超过 ${f.churned_after_days} 天计为流失）；若挽回，未来 12 个月价值 ${formatMoney(f.value_if_retained)}。`,
      };
  }
}

const KIND_ZH: Record<string, string> = {
  complaint: "投诉",
  question: "咨询",
  request: "请求",
  return: "退货",
};
