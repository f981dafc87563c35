import { createHash } from "node:crypto";
import { detectLanguage } from "../../core/sentiment.js";
import type { ImportKind } from "./fields.js";
import {
  ValueError,
  parseBoolean,
  parseChoice,
  parseDate,
  parseLanguage,
  parseNumber,
  parseTags,
  type DateContext,
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

export type ImportRow = CustomerImportRow | TransactionImportRow | InteractionImportRow | FeedbackImportRow;

/** Reads mapped fields from one record, turning value errors into located field errors. */
class FieldReader {
  constructor(
    private readonly values: Record<string, string>,
    private readonly mapping: Map<string, string>,
  ) {}

  raw(field: string): string | undefined {
    const column = this.mapping.get(field);
    if (column === undefined) return undefined;
    const value = this.values[column];
    return EMPTY_PLACEHOLDERS.has(value.trim().toLowerCase()) ? "" : value;
  }

  text(field: string): string | null {
    const value = this.raw(field)?.trim();
    return value ? value : null;
  }

  required(field: string): string {
    const value = this.text(field);
    if (value === null) {
      const column = this.mapping.get(field) ?? field;
      throw new FieldError(
        column,
        this.values[column] ?? "",
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

const CHANNEL_SYNONYMS: Record<string, (typeof INTERACTION_CHANNELS)[number]> = {
  "e-mail": "email",
  mail: "email",
  call: "phone",
  telephone: "phone",
  电话: "phone",
  visit: "meeting",
  会议: "meeting",
  拜访: "meeting",
  wechat: "chat",
  微信: "chat",
  im: "chat",
  "live chat": "chat",
  instore: "in-store",
  "in store": "in-store",
  store: "in-store",
  shop: "in-store",
  门店: "in-store",
  邮件: "email",
  twitter: "social",
  weibo: "social",
  微博: "social",
};

/** Parses one record of `kind` into a typed row. */
export function parseRecord(
  kind: ImportKind,
  values: Record<string, string>,
  mapping: Map<string, string>,
  dates: DateContext,
): ImportRow {
  const field = new FieldReader(values, mapping);
  const date = (raw: string) => parseDate(raw, dates);
  switch (kind) {
    case "customers":
      return {
        external_id: field.required("external_id"),
        name: field.text("name"),
        company: field.text("company"),
        email: field.parse("email", (raw) => {
          const email = raw.trim();
          if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new ValueError("not an email address");
          return email;
        }),
        phone: field.text("phone"),
        country: field.text("country"),
        language: field.parse("language", parseLanguage),
        owner: field.text("owner"),
        acquisition_channel: field.text("acquisition_channel"),
        acquired_at: field.parse("acquired_at", date),
        tags: field.parse("tags", parseTags),
        do_not_contact: field.parse("do_not_contact", parseBoolean),
      };
    case "transactions": {
      let amount = field.parse("amount", parseNumber);
      const quantity = field.parse("quantity", parseNumber);
      if (amount === null) {
        const unitPrice = field.parse("unit_price", parseNumber);
        if (quantity === null || unitPrice === null) {
          const column =
            mapping.get("amount") ?? mapping.get(quantity === null ? "quantity" : "unit_price") ?? "amount";
          throw new FieldError(
            column,
            "",
            "the amount is missing: give an amount, or both quantity and unit_price",
          );
        }
        amount = Math.round(quantity * unitPrice * 100) / 100;
      }
      return {
        external_id: field.text("external_id"),
        customer: field.required("customer"),
        occurred_at: field.parseRequired("date", date),
        amount,
        quantity,
        margin: field.parse("margin", parseNumber),
        channel: field.text("channel"),
        country: field.text("country"),
      };
    }
    case "interactions":
      return {
        external_id: field.text("external_id"),
        customer: field.required("customer"),
        occurred_at: field.parseRequired("date", date),
        channel: field.parseRequired("channel", (raw) =>
          parseChoice(raw, INTERACTION_CHANNELS, CHANNEL_SYNONYMS),
        ),
        direction:
          field.parse("direction", (raw) =>
            parseChoice(raw, ["inbound", "outbound"] as const, {
              in: "inbound",
              out: "outbound",
              incoming: "inbound",
              outgoing: "outbound",
            }),
          ) ?? "outbound",
        summary: field.text("summary") ?? "",
        outcome: field.text("outcome"),
      };
    case "feedback": {
      const source =
        field.parse("source", (raw) =>
          parseChoice<(typeof FEEDBACK_SOURCES)[number]>(raw, FEEDBACK_SOURCES, {
            rating: "review",
            投诉: "complaint",
            调查: "survey",
          }),
        ) ?? "survey";
      const score = field.parse("score", (raw) => {
        const value = parseNumber(raw);
        if (value < 0 || value > 10)
          throw new ValueError("scores run from 0 to 10 (NPS) or 1 to 5 (ratings)");
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
          field.parse("status", (raw) =>
            parseChoice(raw, ["open", "resolved"] as const, {
              closed: "resolved",
              done: "resolved",
              pending: "open",
              已解决: "resolved",
              未解决: "open",
            }),
          ) ?? (source === "complaint" || source === "ticket" ? "open" : "resolved"),
      };
    }
  }
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
