import { createHash } from "node:crypto";
import { detectLanguage } from "../../core/sentiment.js";
import {
  MAX_LENGTH,
  MAX_MONEY,
  MAX_QUANTITY,
  SCORE_RANGE,
  forbiddenCharacter,
  formatLimit,
} from "../limits.js";
import { TICKET_KINDS, TICKET_STATUSES } from "../store/ticketQueries.js";
import { FIELDS, type FieldSpec, type ImportKind } from "./fields.js";
import {
  ValueError,
  parseBoolean,
  parseChoice,
  parseDate,
  parseLanguage,
  parseNumberIn,
  parseTags,
  type DateContext,
  type NumberRange,
} from "./values.js";

/** A value that failed to parse, with the column it came from. */
export class FieldError extends Error {
  constructor(
    readonly column: string,
    readonly value: string,
    reason: string,
    /** Set when a required field is empty: the field's name. */
    readonly missingField: string | null = null,
  ) {
    super(reason);
  }
}

/** Placeholders that spreadsheets and exports write for an empty cell. */
const EMPTY_PLACEHOLDERS = new Set(["(blank)", "(null)", "null", "n/a", "#n/a", "nan"]);

export interface CustomerImportRow {
  external_id: string;
  name: string | null;
  company: string | null;
  email: string | null;
  phone: string | null;
  country: string | null;
  language: "en" | "zh" | null;
  owner: string | null;
  acquisition_channel: string | null;
  acquired_at: string | null;
  tags: string[] | null;
  do_not_contact: boolean | null;
  /** YYYY-MM-DD. */
  birthday: string | null;
}

export interface TransactionImportRow {
  external_id: string | null;
  customer: string;
  occurred_at: string;
  amount: number;
  quantity: number | null;
  margin: number | null;
  channel: string | null;
  country: string | null;
}

export const INTERACTION_CHANNELS = ["email", "phone", "meeting", "chat", "social", "in-store"] as const;
export const FEEDBACK_SOURCES = ["survey", "nps", "review", "ticket", "complaint"] as const;

export interface InteractionImportRow {
  external_id: string | null;
  customer: string;
  occurred_at: string;
  channel: (typeof INTERACTION_CHANNELS)[number];
  direction: "inbound" | "outbound";
  summary: string;
  outcome: string | null;
}

export interface FeedbackImportRow {
  external_id: string | null;
  customer: string;
  occurred_at: string;
  source: (typeof FEEDBACK_SOURCES)[number];
  score: number | null;
  text: string;
  language: "en" | "zh";
  status: "open" | "resolved";
}

export const EVENT_TYPES = ["page_view", "cart", "store_visit", "search", "wishlist"] as const;

/** A service ticket, in the order its fields are staged (see `STAGED` in writer.ts). */
export interface TicketImportRow {
  external_id: string | null;
  customer: string;
  channel: string | null;
  kind: (typeof TICKET_KINDS)[number];
  subject: string;
  opened_at: string;
  first_response_at: string | null;
  resolved_at: string | null;
  status: (typeof TICKET_STATUSES)[number];
  owner: string | null;
  resolution: string | null;
}

export interface EventImportRow {
  external_id: string | null;
  customer: string;
  occurred_at: string;
  type: (typeof EVENT_TYPES)[number];
  category: string | null;
}

export type ImportRow =
  | CustomerImportRow
  | TransactionImportRow
  | InteractionImportRow
  | FeedbackImportRow
  | TicketImportRow
  | EventImportRow;

const money = (what: string): NumberRange => ({ min: -MAX_MONEY, max: MAX_MONEY, what });
const AMOUNTS = money("amounts");
const UNIT_PRICES = money("unit prices");
const MARGINS = money("margins");
const QUANTITIES: NumberRange = { min: -MAX_QUANTITY, max: MAX_QUANTITY, what: "quantities" };
const SCORES: NumberRange = {
  ...SCORE_RANGE,
  what: "scores (0-10 for NPS, 1-5 for ratings)",
};

/** Each kind's field specs by name, for the text rules of every field read. */
const SPECS = new Map(
  Object.entries(FIELDS).map(([kind, specs]) => [
    kind,
    new Map(specs.map((spec) => [spec.name, spec] as const)),
  ]),
);

/** Where a field's values are in a record, and the rules its text must follow. */
interface FieldSlot {
  column: string;
  index: number;
  spec: FieldSpec | undefined;
}

/** Characters `forbiddenCharacter` may name: a value without any of them needs no closer look. */
const SUSPICIOUS = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/;
/** A value that starts or ends with what `trim` removes. */
const EDGE_SPACE = /^\s|\s$/;
/** Longest entry of `EMPTY_PLACEHOLDERS`. */
const LONGEST_PLACEHOLDER = Math.max(...[...EMPTY_PLACEHOLDERS].map((text) => text.length));

/**
 * Reads mapped fields from the records of one file, turning value errors into located field
 * errors. Every value read is checked against its field's text rules (length, control
 * characters) first. Where each field's column is found is worked out once per file.
 */
class FieldReader {
  private fields: readonly string[] = [];
  private readonly slots = new Map<string, FieldSlot>();

  constructor(
    header: readonly string[],
    private readonly mapping: Map<string, string>,
    specs: ReadonlyMap<string, FieldSpec>,
  ) {
    for (const [field, column] of mapping)
      this.slots.set(field, { column, index: header.indexOf(column), spec: specs.get(field) });
  }

  /** Starts reading the next record. */
  use(fields: readonly string[]): void {
    this.fields = fields;
  }

  private value(slot: FieldSlot): string {
    return slot.index < 0 ? "" : (this.fields[slot.index] ?? "");
  }

  raw(field: string): string | undefined {
    const slot = this.slots.get(field);
    if (slot === undefined) return undefined;
    const value = this.value(slot);
    if (
      (value.length <= LONGEST_PLACEHOLDER || EDGE_SPACE.test(value)) &&
      EMPTY_PLACEHOLDERS.has(value.trim().toLowerCase())
    )
      return "";
    this.check(field, slot, value);
    return value;
  }

  /** Refuses control characters and over-long values, before anything parses them. */
  private check(field: string, { column, spec }: FieldSlot, value: string): void {
    const maxLength = spec?.maxLength ?? MAX_LENGTH.shortText;
    // Most values hold nothing to refuse; the full checks run on those that might.
    if (!SUSPICIOUS.test(value) && value.length <= maxLength) return;
    const text = value.trim();
    // Controls are refused anywhere (trim would drop a vertical tab at the edge unseen); tabs and
    // line breaks only inside one-line values, since trimming removes them at the edges anyway.
    const forbidden =
      forbiddenCharacter(value, true) ?? (spec?.lineBreaks ? null : forbiddenCharacter(text, false));
    if (forbidden) {
      const allowed = spec?.lineBreaks ? " (tabs and line breaks are fine here)" : "";
      throw new FieldError(
        column,
        value,
        `holds a control character, ${forbidden}${allowed}; remove it, or export the file again without it`,
      );
    }
    if (text.length > maxLength) {
      throw new FieldError(
        column,
        value,
        `is ${formatLimit(text.length)} characters long; ${field} holds at most ${formatLimit(maxLength)} characters; shorten it or remove the row`,
      );
    }
  }

  text(field: string): string | null {
    const value = this.raw(field)?.trim();
    return value ? value : null;
  }

  required(field: string): string {
    const value = this.text(field);
    if (value === null) {
      const slot = this.slots.get(field);
      throw new FieldError(
        slot?.column ?? field,
        slot ? this.value(slot) : "",
        `${field} is required and this row leaves it empty`,
        field,
      );
    }
    return value;
  }

  parse<T>(field: string, parser: (raw: string) => T): T | null {
    const raw = this.raw(field);
    if (raw === undefined || raw.trim() === "") return null;
    try {
      return parser(raw);
    } catch (error) {
      if (error instanceof ValueError) throw new FieldError(this.mapping.get(field)!, raw, error.message);
      throw error;
    }
  }

  parseRequired<T>(field: string, parser: (raw: string) => T): T {
    this.required(field);
    return this.parse(field, parser)!;
  }
}

// Maps, not object literals: see parseChoice for what "constructor" did to an object lookup.
const CHANNEL_SYNONYMS = new Map<string, (typeof INTERACTION_CHANNELS)[number]>([
  ["e-mail", "email"],
  ["mail", "email"],
  ["call", "phone"],
  ["telephone", "phone"],
  ["电话", "phone"],
  ["visit", "meeting"],
  ["会议", "meeting"],
  ["拜访", "meeting"],
  ["wechat", "chat"],
  ["微信", "chat"],
  ["im", "chat"],
  ["live chat", "chat"],
  ["instore", "in-store"],
  ["in store", "in-store"],
  ["store", "in-store"],
  ["shop", "in-store"],
  ["门店", "in-store"],
  ["邮件", "email"],
  ["twitter", "social"],
  ["weibo", "social"],
  ["微博", "social"],
]);

const DIRECTIONS = ["inbound", "outbound"] as const;
const DIRECTION_SYNONYMS = new Map<string, (typeof DIRECTIONS)[number]>([
  ["in", "inbound"],
  ["out", "outbound"],
  ["incoming", "inbound"],
  ["outgoing", "outbound"],
  ["呼入", "inbound"],
  ["呼出", "outbound"],
]);

const SOURCE_SYNONYMS = new Map<string, (typeof FEEDBACK_SOURCES)[number]>([
  ["rating", "review"],
  ["投诉", "complaint"],
  ["调查", "survey"],
  ["评价", "review"],
  ["工单", "ticket"],
]);

const STATUSES = ["open", "resolved"] as const;
const STATUS_SYNONYMS = new Map<string, (typeof STATUSES)[number]>([
  ["closed", "resolved"],
  ["done", "resolved"],
  ["pending", "open"],
  ["已解决", "resolved"],
  ["未解决", "open"],
]);

const TICKET_KIND_SYNONYMS = new Map<string, (typeof TICKET_KINDS)[number]>([
  ["投诉", "complaint"],
  ["咨询", "question"],
  ["问题", "question"],
  ["inquiry", "question"],
  ["enquiry", "question"],
  ["需求", "request"],
  ["申请", "request"],
  ["退货", "return"],
  ["退换货", "return"],
  ["refund", "return"],
]);

const TICKET_STATUS_SYNONYMS = new Map<string, (typeof TICKET_STATUSES)[number]>([
  ["new", "open"],
  ["pending", "open"],
  ["待处理", "open"],
  ["replied", "answered"],
  ["responded", "answered"],
  ["in progress", "answered"],
  ["已回复", "answered"],
  ["处理中", "answered"],
  ["closed", "resolved"],
  ["done", "resolved"],
  ["solved", "resolved"],
  ["已解决", "resolved"],
  ["已关闭", "resolved"],
]);

const EVENT_TYPE_SYNONYMS = new Map<string, (typeof EVENT_TYPES)[number]>([
  ["pageview", "page_view"],
  ["page view", "page_view"],
  ["view", "page_view"],
  ["浏览", "page_view"],
  ["add_to_cart", "cart"],
  ["add to cart", "cart"],
  ["加购", "cart"],
  ["加入购物车", "cart"],
  ["visit", "store_visit"],
  ["store visit", "store_visit"],
  ["到店", "store_visit"],
  ["搜索", "search"],
  ["收藏", "wishlist"],
]);

/**
 * Parses the records of one file into typed rows: `parse` takes a record's fields in the order of
 * `header` and throws a `FieldError` naming the first value that is wrong.
 */
export class RecordParser {
  private readonly field: FieldReader;
  private readonly date: (raw: string) => string;

  constructor(
    private readonly kind: ImportKind,
    header: readonly string[],
    private readonly mapping: Map<string, string>,
    dates: DateContext,
  ) {
    this.field = new FieldReader(header, mapping, SPECS.get(kind)!);
    this.date = (raw) => parseDate(raw, dates);
  }

  parse(fields: readonly string[]): ImportRow {
    this.field.use(fields);
    return readRow(this.kind, this.field, this.mapping, this.date);
  }
}

// The value parsers as functions made once: a row reads several values, a file millions of rows.
const readEmail = (raw: string): string => {
  const email = raw.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new ValueError("not an email address");
  return email;
};
const readAmount = (raw: string) => parseNumberIn(raw, AMOUNTS);
const readQuantity = (raw: string) => parseNumberIn(raw, QUANTITIES);
const readUnitPrice = (raw: string) => parseNumberIn(raw, UNIT_PRICES);
const readMargin = (raw: string) => parseNumberIn(raw, MARGINS);
const readChannel = (raw: string) => parseChoice(raw, INTERACTION_CHANNELS, CHANNEL_SYNONYMS);
const readDirection = (raw: string) => parseChoice(raw, DIRECTIONS, DIRECTION_SYNONYMS);
const readSource = (raw: string) => parseChoice(raw, FEEDBACK_SOURCES, SOURCE_SYNONYMS);
const readStatus = (raw: string) => parseChoice(raw, STATUSES, STATUS_SYNONYMS);
const readScore = (raw: string) => parseNumberIn(raw, SCORES);
const readTicketKind = (raw: string) => parseChoice(raw, TICKET_KINDS, TICKET_KIND_SYNONYMS);
const readTicketStatus = (raw: string) => parseChoice(raw, TICKET_STATUSES, TICKET_STATUS_SYNONYMS);
const readEventType = (raw: string) => parseChoice(raw, EVENT_TYPES, EVENT_TYPE_SYNONYMS);

function readRow(
  kind: ImportKind,
  field: FieldReader,
  mapping: Map<string, string>,
  date: (raw: string) => string,
): ImportRow {
  switch (kind) {
    case "customers":
      return {
        external_id: field.required("external_id"),
        name: field.text("name"),
        company: field.text("company"),
        email: field.parse("email", readEmail),
        phone: field.text("phone"),
        country: field.text("country"),
        language: field.parse("language", parseLanguage),
        owner: field.text("owner"),
        acquisition_channel: field.text("acquisition_channel"),
        acquired_at: field.parse("acquired_at", date),
        tags: field.parse("tags", parseTags),
        do_not_contact: field.parse("do_not_contact", parseBoolean),
        birthday: field.parse("birthday", (raw) => birthdayOf(raw, date)),
      };
    case "transactions": {
      let amount = field.parse("amount", readAmount);
      const quantity = field.parse("quantity", readQuantity);
      // Checked even when an amount is given: every mapped value must be valid.
      const unitPrice = field.parse("unit_price", readUnitPrice);
      if (amount === null) {
        if (quantity === null || unitPrice === null) {
          const column =
            mapping.get("amount") ?? mapping.get(quantity === null ? "quantity" : "unit_price") ?? "amount";
          throw new FieldError(
            column,
            "",
            "the amount is missing: give an amount, or both quantity and unit_price",
          );
        }
        const product = quantity * unitPrice;
        // Each factor is in range, but 1e7 × 1e9 is not an amount any store should hold.
        if (Math.abs(product) > MAX_MONEY) {
          throw new FieldError(
            mapping.get("unit_price")!,
            field.raw("unit_price")!,
            `out of range: quantity × unit_price is ${product.toExponential(3)}, and amounts must be between -${formatLimit(MAX_MONEY)} and ${formatLimit(MAX_MONEY)}; fix the value or remove the row`,
          );
        }
        amount = Math.round(product * 100) / 100 + 0;
      }
      return {
        external_id: field.text("external_id"),
        customer: field.required("customer"),
        occurred_at: field.parseRequired("date", date),
        amount,
        quantity,
        margin: field.parse("margin", readMargin),
        channel: field.text("channel"),
        country: field.text("country"),
      };
    }
    case "interactions":
      return {
        external_id: field.text("external_id"),
        customer: field.required("customer"),
        occurred_at: field.parseRequired("date", date),
        channel: field.parseRequired("channel", readChannel),
        direction: field.parse("direction", readDirection) ?? "outbound",
        summary: field.text("summary") ?? "",
        outcome: field.text("outcome"),
      };
    case "feedback": {
      const source = field.parse("source", readSource) ?? "survey";
      const score = field.parse("score", (raw) => {
        const value = readScore(raw);
        if (source === "nps" && !Number.isInteger(value))
          throw new ValueError(
            "an NPS answer is a whole number from 0 to 10; fix the value or remove the row",
          );
        return value;
      });
      const text = field.text("text") ?? "";
      if (score === null && text === "") {
        throw new FieldError(
          mapping.get("text") ?? mapping.get("score") ?? "text",
          "",
          "feedback needs a score, a text, or both",
        );
      }
      return {
        external_id: field.text("external_id"),
        customer: field.required("customer"),
        occurred_at: field.parseRequired("date", date),
        source,
        score,
        text,
        language: field.parse("language", parseLanguage) ?? detectLanguage(text),
        status:
          field.parse("status", readStatus) ??
          (source === "complaint" || source === "ticket" ? "open" : "resolved"),
      };
    }
    case "tickets":
      return readTicket(field, mapping, date);
    case "events":
      return {
        external_id: field.text("external_id"),
        customer: field.required("customer"),
        occurred_at: field.parseRequired("date", date),
        type: field.parseRequired("type", readEventType),
        category: field.text("category"),
      };
  }
}

/** A birthday is a day: any date the file's format reads, stored as YYYY-MM-DD, without a time. */
function birthdayOf(raw: string, date: (raw: string) => string): string {
  const stored = date(raw);
  if (!stored.endsWith("T00:00:00Z"))
    throw new ValueError("a birthday is a day without a time; write it YYYY-MM-DD, e.g. 1985-04-23");
  return stored.slice(0, 10);
}

/**
 * A ticket row, its times checked against each other: nobody answers or resolves a ticket before
 * it was opened, and a status must agree with the stamps (a resolved ticket says when it was
 * resolved; one with a resolution time is resolved). Without a status, the stamps give it.
 */
function readTicket(
  field: FieldReader,
  mapping: Map<string, string>,
  date: (raw: string) => string,
): TicketImportRow {
  const external_id = field.text("external_id");
  const customer = field.required("customer");
  const channel = field.text("channel");
  const kind = field.parseRequired("kind", readTicketKind);
  const subject = field.text("subject") ?? "";
  const opened_at = field.parseRequired("opened_at", date);
  const first_response_at = field.parse("first_response_at", date);
  const resolved_at = field.parse("resolved_at", date);
  const status =
    field.parse("status", readTicketStatus) ??
    (resolved_at !== null ? "resolved" : first_response_at !== null ? "answered" : "open");
  const before = (name: "first_response_at" | "resolved_at", value: string | null, what: string) => {
    if (value !== null && value < opened_at)
      throw new FieldError(
        mapping.get(name)!,
        field.raw(name)!,
        `${what} ${value} is before the ticket was opened (${opened_at}); fix one of the two times`,
      );
  };
  before("first_response_at", first_response_at, "the first response");
  before("resolved_at", resolved_at, "the resolution");
  if (status === "resolved" && resolved_at === null) {
    throw new FieldError(
      mapping.get("status")!,
      field.raw("status")!,
      "a resolved ticket needs its resolved_at time; add it, or give the status the ticket really has (open or answered)",
    );
  }
  if (status !== "resolved" && resolved_at !== null) {
    throw new FieldError(
      mapping.get("status")!,
      field.raw("status")!,
      `the ticket has a resolved_at time (${resolved_at}) but status ${status}; set the status to resolved, or clear resolved_at if it was reopened`,
    );
  }
  if (status === "answered" && first_response_at === null) {
    throw new FieldError(
      mapping.get("status")!,
      field.raw("status")!,
      "an answered ticket needs its first_response_at time; add it, or set the status to open",
    );
  }
  return {
    external_id,
    customer,
    channel,
    kind,
    subject,
    opened_at,
    first_response_at,
    resolved_at,
    status,
    owner: field.text("owner"),
    resolution: field.text("resolution"),
  };
}

/**
 * The id under which a row without its own id is stored: a hash of the row's parsed content
 * and how many identical rows came before it in the file. Re-importing the same file yields
 * the same ids (so nothing doubles), while genuinely repeated rows, like two identical
 * purchases on one day, are both kept.
 */
export function contentId(kind: ImportKind, row: ImportRow, occurrence: number): string {
  const { external_id: _ignored, ...content } = row;
  const digest = createHash("sha256")
    .update(`${kind}\n${JSON.stringify(content)}\n${occurrence}`)
    .digest("hex");
  return `h:${digest.slice(0, 24)}`;
}
