/**
 * Playbooks as data: a playbook is a rule that turns a signal in the book into an account
 * manager's task. Each names a trigger (one of `TRIGGERS`, evaluated in SQL by
 * `store/playbookQueries.ts`), the trigger's tunable `params`, an audience (owner, RFM segment,
 * lifecycle stage, ABC tier), the action to take (call, email, draft, meeting) with its channel and
 * draft goal, a priority and how many days after the as-of date the task is due.
 *
 * The built-in playbooks below are written into the `playbooks` table the first time playbooks are
 * used (and again whenever one is missing); from then on the stored row is what counts, so users can
 * switch them off and tune them with `crm playbooks set`, or export, edit and import them as JSON.
 */
import { z } from "zod";
import { LIFECYCLE_STAGE_KEYS, LIFECYCLE_THRESHOLDS, type LifecycleStageKey } from "../../core/lifecycle.js";
import { RFM_SEGMENT_KEYS, type RfmSegmentKey } from "../../core/rfm.js";
import { followUpChannels, followUpGoals } from "../contract/draftFollowUp.js";
import { TASK_ACTIONS } from "../contract/listTasks.js";

/** The draft channels and goals are `draft_follow_up`'s, so a task's suggestion can be drafted as is. */
const TASK_CHANNELS = followUpChannels;
const TASK_DRAFT_GOALS = followUpGoals;

const stageNames = LIFECYCLE_STAGE_KEYS as [LifecycleStageKey, ...LifecycleStageKey[]];
const segmentNames = RFM_SEGMENT_KEYS as [RfmSegmentKey, ...RfmSegmentKey[]];
const tierNames = ["A", "B", "C"] as const;

const days = (max: number) => z.number().int().min(0).max(max);
const share = z.number().min(0).max(1);

/**
 * Each trigger's parameters with their defaults. `strict`: a misspelt key is an error that names
 * the keys there are, not a setting silently ignored.
 */
export const TRIGGER_PARAMS = {
  /** Days since the last purchase reach `overdue_ratio` × the customer's own typical gap. */
  "overdue-rhythm": z
    .object({
      overdue_ratio: z.number().min(1).max(20).default(1.5),
      /** Customers with less value at risk are left alone (0: anyone overdue). */
      min_value_at_risk: z.number().min(0).default(0),
      /** Up to this many points are added to the priority by the customer's value-at-risk rank. */
      value_weight: z.number().int().min(0).max(50).default(20),
    })
    .strict(),
  /** A top-tier customer's churn probability reaches `min_churn_probability`. */
  "churn-risk-top-tier": z
    .object({
      min_churn_probability: share.default(0.5),
      tiers: z.array(z.enum(tierNames)).min(1).default(["A"]),
    })
    .strict(),
  /** An NPS answer of `max_nps` or less, or a negative review, in the last `within_days` days. */
  "unhappy-feedback": z
    .object({
      max_nps: z.number().min(0).max(10).default(6),
      /** A review scored this or lower (0-10 scale) counts as negative, as does a negative text. */
      max_review_score: z.number().min(0).max(10).default(4),
      within_days: days(365).min(1).default(7),
    })
    .strict(),
  /** A ticket still without a first response `first_response_hours` after it was opened. */
  "ticket-unanswered": z
    .object({
      /** Hours; absent: the store's SLA (`sla.first_response_hours`, default 24). */
      first_response_hours: z
        .number()
        .positive()
        .max(24 * 365)
        .optional(),
    })
    .strict(),
  /** A first purchase `after_days` days ago and no second purchase since. */
  "activation-day-30": z
    .object({
      after_days: days(365).min(1).default(30),
      /** Still fires this many days after the due day (a missed daily run does not lose it). */
      window_days: days(90).min(1).default(14),
    })
    .strict(),
  /** A first purchase `after_days` days ago: a welcome touch. */
  "welcome-day-7": z
    .object({
      after_days: days(365).default(7),
      window_days: days(90).min(1).default(7),
    })
    .strict(),
  /** Viewed (or carted) a category and did not buy within `no_purchase_days` days. */
  "browse-no-buy": z
    .object({
      event_types: z
        .array(z.enum(["page_view", "cart", "store_visit", "search", "wishlist"]))
        .min(1)
        .default(["page_view", "cart"]),
      no_purchase_days: days(90).min(1).default(3),
      /** Events up to this many days before the firing day still fire. */
      window_days: days(90).min(1).default(7),
      /** Fewer events than this in the window on the category do not fire. */
      min_events: z.number().int().min(1).max(1000).default(1),
    })
    .strict(),
  /** The customer's birthday is today or within `days_ahead` days. */
  birthday: z.object({ days_ahead: days(30).default(0) }).strict(),
  /** The anniversary of the first purchase is today or within `days_ahead` days. */
  "purchase-anniversary": z
    .object({
      days_ahead: days(30).default(0),
      /** Customers counted as lost get the win-back playbook instead. */
      skip_churned: z.boolean().default(true),
    })
    .strict(),
  /** Counted as lost (lifecycle stage churned) and at most `window_days` past the churn threshold. */
  "win-back-window": z
    .object({
      churned_after_days: days(3650).default(LIFECYCLE_THRESHOLDS.churnMinDaysSincePurchase),
      window_days: days(365).min(1).default(30),
    })
    .strict(),
} as const;

export type TriggerKind = keyof typeof TRIGGER_PARAMS;
export const TRIGGERS = Object.keys(TRIGGER_PARAMS) as TriggerKind[];
export type TriggerParams<K extends TriggerKind> = z.infer<(typeof TRIGGER_PARAMS)[K]>;

/** Whom a playbook targets; an absent list means everyone. Lists are ORed within, ANDed across. */
export const audienceSchema = z
  .object({
    owners: z.array(z.string().trim().min(1).max(100)).min(1).optional(),
    segments: z.array(z.enum(segmentNames)).min(1).optional(),
    stages: z.array(z.enum(stageNames)).min(1).optional(),
    tiers: z.array(z.enum(tierNames)).min(1).optional(),
  })
  .strict();
export type Audience = z.infer<typeof audienceSchema>;

/** A playbook as stored, exported and imported (params already checked against its trigger). */
export const playbookSchema = z
  .object({
    id: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]{0,63}$/,
        "a playbook id is lowercase letters, digits and dashes, e.g. vip-overdue",
      ),
    name: z.string().trim().min(1).max(100),
    description: z.string().max(1000).default(""),
    trigger: z.enum(TRIGGERS as [TriggerKind, ...TriggerKind[]]),
    params: z.record(z.string(), z.unknown()).default({}),
    audience: audienceSchema.default({}),
    action: z.enum(TASK_ACTIONS),
    channel: z.enum(TASK_CHANNELS).nullable().default(null),
    draft_goal: z.enum(TASK_DRAFT_GOALS).nullable().default(null),
    priority: z.number().int().min(0).max(100),
    due_days: z.number().int().min(0).max(365).default(0),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((playbook, context) => {
    const parsed = TRIGGER_PARAMS[playbook.trigger].safeParse(playbook.params);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        context.addIssue({ code: "custom", path: ["params", ...issue.path], message: issue.message });
    }
  })
  .transform((playbook) => ({
    ...playbook,
    // Stored with every default filled in, so `show` and `export` list every tunable key.
    params: TRIGGER_PARAMS[playbook.trigger].parse(playbook.params) as Record<string, unknown>,
  }));
export type PlaybookInput = z.input<typeof playbookSchema>;
export type Playbook = z.output<typeof playbookSchema>;

/** The playbooks every store starts with; the id of each is its trigger's name. */
export const BUILTIN_PLAYBOOKS: readonly PlaybookInput[] = [
  {
    id: "ticket-unanswered",
    name: "Ticket unanswered past the SLA",
    description: "A service ticket has waited longer than the first-response SLA: answer it today.",
    trigger: "ticket-unanswered",
    action: "call",
    channel: "call-script",
    draft_goal: "feedback-response",
    priority: 90,
    due_days: 0,
  },
  {
    id: "churn-risk-top-tier",
    name: "Top-tier customer at high churn risk",
    description: "An ABC tier A customer whose churn probability is high: call before they go.",
    trigger: "churn-risk-top-tier",
    action: "call",
    channel: "call-script",
    draft_goal: "retention",
    priority: 85,
    due_days: 1,
  },
  {
    id: "unhappy-feedback",
    name: "NPS detractor or negative review",
    description: "An NPS answer of 6 or less, or a negative review, in the last 7 days: respond personally.",
    trigger: "unhappy-feedback",
    action: "call",
    channel: "call-script",
    draft_goal: "feedback-response",
    priority: 80,
    due_days: 1,
  },
  {
    id: "activation-day-30",
    name: "Activation plan: no second purchase by day 30",
    description: "A new customer bought once and not again within 30 days: the golden 30 days are over.",
    trigger: "activation-day-30",
    action: "email",
    channel: "email",
    draft_goal: "upsell",
    priority: 70,
    due_days: 2,
  },
  {
    id: "overdue-rhythm",
    name: "Overdue against their own rhythm",
    description:
      "No purchase for 1.5 times the customer's usual gap between purchases; the more value at risk, the higher the priority.",
    trigger: "overdue-rhythm",
    action: "call",
    channel: "call-script",
    draft_goal: "retention",
    priority: 60,
    due_days: 2,
  },
  {
    id: "win-back-window",
    name: "Win-back window",
    description: "Just counted as lost: the window in which a win-back offer still lands.",
    trigger: "win-back-window",
    action: "draft",
    channel: "email",
    draft_goal: "win-back",
    priority: 55,
    due_days: 3,
  },
  {
    id: "browse-no-buy",
    name: "Viewed a category, did not buy",
    description: "Viewed or carted a product category and did not buy within 3 days.",
    trigger: "browse-no-buy",
    action: "email",
    channel: "email",
    draft_goal: "upsell",
    priority: 50,
    due_days: 1,
  },
  {
    id: "welcome-day-7",
    name: "Welcome touch on day 7",
    description: "A week after the first purchase: thank them and check everything arrived well.",
    trigger: "welcome-day-7",
    action: "email",
    channel: "email",
    draft_goal: "thank-you",
    priority: 40,
    due_days: 0,
  },
  {
    id: "birthday",
    name: "Birthday greeting",
    description: "The customer's birthday (when the book knows it).",
    trigger: "birthday",
    action: "draft",
    channel: "wechat",
    draft_goal: "thank-you",
    priority: 30,
    due_days: 0,
  },
  {
    id: "purchase-anniversary",
    name: "Anniversary of the first purchase",
    description: "A year (or more) since the first purchase: thank them for their loyalty.",
    trigger: "purchase-anniversary",
    action: "draft",
    channel: "email",
    draft_goal: "thank-you",
    priority: 25,
    due_days: 0,
  },
];

/** Parses and completes a playbook, throwing a `PlaybookError` that names every broken field. */
export function parsePlaybook(input: unknown, where = "playbook"): Playbook {
  const parsed = playbookSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.length ? issue.path.join(".") : "(whole playbook)"}: ${issue.message}`,
  );
  throw new PlaybookError(`${where} is not valid: ${problems.join("; ")}`);
}

/** A playbook that cannot be stored as given, or a reference to one that does not exist. */
export class PlaybookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlaybookError";
  }
}
