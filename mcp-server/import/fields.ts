/**
 * The fields each import kind understands, with the header names matched automatically. A
 * header matches when it equals a synonym after lower-casing and dropping spaces, dashes and
 * underscores, so "Customer ID", "customer_id" and "CustomerID" all match `customer`.
 */

export const IMPORT_KINDS = ["customers", "transactions", "interactions", "feedback"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface FieldSpec {
  name: string;
  /** Header names that map to this field without `--map`. */
  synonyms: readonly string[];
  required: boolean;
  description: string;
}

const customerKey: FieldSpec = {
  name: "customer",
  synonyms: [
    "customer",
    "customerid",
    "customerno",
    "customernumber",
    "clientid",
    "client",
    "customerexternalid",
    "accountid",
  ],
  required: true,
  description: "the customer's external id (as in the customers file or your own system)",
};
const occurredAt: FieldSpec = {
  name: "date",
  synonyms: [
    "date",
    "datetime",
    "timestamp",
    "time",
    "occurredat",
    "orderdate",
    "invoicedate",
    "purchasedate",
    "transactiondate",
    "createdat",
  ],
  required: true,
  description: "when it happened (ISO, YYYYMMDD, M/D/YYYY or D/M/YYYY with --date-format dmy)",
};

export const FIELDS: Record<ImportKind, readonly FieldSpec[]> = {
  customers: [
    {
      ...customerKey,
      name: "external_id",
      synonyms: ["externalid", "id", ...customerKey.synonyms],
      description: "the customer's id in your own system",
    },
    {
      name: "name",
      synonyms: ["name", "fullname", "customername", "contactname", "contact", "姓名", "客户名称"],
      required: false,
      description: "person's name",
    },
    {
      name: "company",
      synonyms: ["company", "companyname", "organisation", "organization", "account", "accountname", "公司"],
      required: false,
      description: "company",
    },
    {
      name: "email",
      synonyms: ["email", "emailaddress", "mail", "邮箱"],
      required: false,
      description: "email address",
    },
    {
      name: "phone",
      synonyms: ["phone", "phonenumber", "telephone", "tel", "mobile", "电话", "手机"],
      required: false,
      description: "phone number",
    },
    {
      name: "country",
      synonyms: ["country", "countrycode", "国家"],
      required: false,
      description: "country",
    },
    {
      name: "language",
      synonyms: ["language", "lang", "locale", "语言"],
      required: false,
      description: "en or zh",
    },
    {
      name: "owner",
      synonyms: ["owner", "accountmanager", "manager", "salesrep", "rep", "负责人"],
      required: false,
      description: "the account manager",
    },
    {
      name: "acquisition_channel",
      synonyms: ["acquisitionchannel", "channel", "source", "leadsource"],
      required: false,
      description: "how the customer was acquired",
    },
    {
      name: "acquired_at",
      synonyms: [
        "acquiredat",
        "acquired",
        "signupdate",
        "since",
        "customersince",
        "firstpurchase",
        "createdat",
        "created",
      ],
      required: false,
      description: "when the customer was acquired",
    },
    {
      name: "tags",
      synonyms: ["tags", "labels", "tag", "标签"],
      required: false,
      description: "tags separated by commas, semicolons or pipes",
    },
    {
      name: "do_not_contact",
      synonyms: ["donotcontact", "dnc", "optout", "unsubscribed"],
      required: false,
      description: "yes/no",
    },
  ],
  transactions: [
    {
      name: "external_id",
      synonyms: [
        "transactionid",
        "orderid",
        "orderno",
        "ordernumber",
        "invoice",
        "invoiceno",
        "invoicenumber",
        "invoiceid",
        "externalid",
      ],
      required: false,
      description: "the transaction's id; rows without one are identified by their content",
    },
    customerKey,
    occurredAt,
    {
      name: "amount",
      synonyms: [
        "amount",
        "total",
        "value",
        "revenue",
        "sales",
        "dollarvalue",
        "ordervalue",
        "netamount",
        "totalamount",
        "金额",
      ],
      required: false,
      description: "the transaction's value; negative for returns (or give quantity and unit_price)",
    },
    {
      name: "quantity",
      synonyms: ["quantity", "qty", "units", "items", "numberofitems", "numberofcds", "数量"],
      required: false,
      description: "number of items",
    },
    {
      name: "unit_price",
      synonyms: ["unitprice", "price", "itemprice", "单价"],
      required: false,
      description: "price per item; amount = quantity × unit_price when there is no amount",
    },
    {
      name: "margin",
      synonyms: ["margin", "profit", "grossmargin", "grossprofit"],
      required: false,
      description: "profit on the transaction",
    },
    {
      name: "channel",
      synonyms: ["channel", "saleschannel", "store"],
      required: false,
      description: "where it was bought",
    },
    {
      name: "country",
      synonyms: ["country"],
      required: false,
      description: "the customer's country, used when the import creates the customer",
    },
  ],
  interactions: [
    {
      name: "external_id",
      synonyms: ["interactionid", "activityid", "externalid", "id"],
      required: false,
      description: "the interaction's id",
    },
    customerKey,
    occurredAt,
    {
      name: "channel",
      synonyms: ["channel", "type", "medium"],
      required: true,
      description: "email, phone, meeting, chat, social or in-store",
    },
    {
      name: "direction",
      synonyms: ["direction", "inout"],
      required: false,
      description: "inbound or outbound (default outbound)",
    },
    {
      name: "summary",
      synonyms: ["summary", "notes", "note", "subject", "description", "内容"],
      required: false,
      description: "what was said",
    },
    {
      name: "outcome",
      synonyms: ["outcome", "result", "status"],
      required: false,
      description: "what came of it",
    },
  ],
  feedback: [
    {
      name: "external_id",
      synonyms: ["feedbackid", "responseid", "ticketid", "externalid", "id"],
      required: false,
      description: "the feedback's id",
    },
    customerKey,
    occurredAt,
    {
      name: "source",
      synonyms: ["source", "type", "kind"],
      required: false,
      description: "survey, nps, review, ticket or complaint (default survey)",
    },
    {
      name: "score",
      synonyms: ["score", "rating", "npsscore", "nps", "csat", "评分"],
      required: false,
      description: "0-10 (NPS) or 1-5 (rating)",
    },
    {
      name: "text",
      synonyms: ["text", "comment", "comments", "feedback", "review", "message", "body", "内容", "评价"],
      required: false,
      description: "what the customer wrote",
    },
    {
      name: "language",
      synonyms: ["language", "lang", "locale"],
      required: false,
      description: "en or zh (detected from the text when absent)",
    },
    {
      name: "status",
      synonyms: ["status", "state"],
      required: false,
      description: "open or resolved (complaints and tickets default to open)",
    },
  ],
};

export function normaliseHeader(name: string): string {
  return name.toLowerCase().replace(/[\s_\-.#()]/g, "");
}

/** Raised when the header cannot supply a required field or a mapping names a missing column. */
export class MappingError extends Error {}

/**
 * Decides which header column feeds each field: explicit `--map field=Header` first, then
 * automatic matching by synonym. Returns field name → header name.
 */
export function resolveMapping(
  kind: ImportKind,
  header: readonly string[],
  explicit: Record<string, string>,
): Map<string, string> {
  const specs = FIELDS[kind];
  const known = new Set(specs.map((spec) => spec.name));
  const mapping = new Map<string, string>();
  for (const [field, column] of Object.entries(explicit)) {
    if (!known.has(field)) {
      throw new MappingError(
        `--map ${field}=${column}: ${kind} have no field "${field}"; fields are ${[...known].join(", ")}`,
      );
    }
    if (!header.includes(column)) {
      throw new MappingError(
        `--map ${field}=${column}: the file has no column "${column}"; its columns are ${header.join(", ")}`,
      );
    }
    mapping.set(field, column);
  }
  const used = new Set(mapping.values());
  for (const spec of specs) {
    if (mapping.has(spec.name)) continue;
    const match = header.find(
      (column) => !used.has(column) && spec.synonyms.includes(normaliseHeader(column)),
    );
    if (match) {
      mapping.set(spec.name, match);
      used.add(match);
    }
  }
  const missing = specs.filter((spec) => spec.required && !mapping.has(spec.name));
  if (
    kind === "transactions" &&
    !mapping.has("amount") &&
    !(mapping.has("quantity") && mapping.has("unit_price"))
  ) {
    missing.push({
      name: "amount",
      synonyms: [],
      required: true,
      description: "the transaction's value, or both quantity and unit_price",
    });
  }
  if (missing.length > 0) {
    const lines = missing.map((spec) => `"${spec.name}" (${spec.description})`).join("; ");
    throw new MappingError(
      `no column for ${lines}. The file's columns are ${header.join(", ")}. Map one with --map ${missing[0].name}=<column>`,
    );
  }
  return mapping;
}
