import { MAX_LENGTH } from "../limits.js";
import { CHANGE_AREAS } from "../store/store.js";

/**
 * The fields each import kind understands, with the header names matched automatically. A
 * header matches when it equals a synonym after lower-casing and dropping spaces, dashes and
 * underscores, so "Customer ID", "customer_id" and "CustomerID" all match `customer`. Chinese
 * exports are matched too ("客户编号", "下单日期", "金额").
 */

/** Every area of the book (`Store.markChanged`) can be imported. */
export const IMPORT_KINDS = CHANGE_AREAS;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface FieldSpec {
  name: string;
  /** Header names that map to this field without `--map`. */
  synonyms: readonly string[];
  required: boolean;
  description: string;
  /** Longest value accepted, in characters (default `MAX_LENGTH.shortText`). */
  maxLength?: number;
  /** Whether the value may hold tabs and line breaks (free text); other fields are one line. */
  lineBreaks?: boolean;
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
    "客户",
    "客户id",
    "客户编号",
    "客户号",
    "客户代码",
    "会员id",
    "会员编号",
  ],
  required: true,
  description: "the customer's external id (as in the customers file or your own system)",
  maxLength: MAX_LENGTH.id,
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
    "日期",
    "时间",
    "下单日期",
    "下单时间",
    "订单日期",
    "交易日期",
    "交易时间",
    "发生时间",
    "创建时间",
  ],
  required: true,
  description: "when it happened (ISO, YYYYMMDD, M/D/YYYY or D/M/YYYY with --date-format dmy)",
};

export const FIELDS: Record<ImportKind, readonly FieldSpec[]> = {
  customers: [
    {
      ...customerKey,
      name: "external_id",
      synonyms: ["externalid", "id", "编号", ...customerKey.synonyms],
      description: "the customer's id in your own system",
    },
    {
      name: "name",
      synonyms: [
        "name",
        "fullname",
        "customername",
        "contactname",
        "contact",
        "姓名",
        "名称",
        "客户名称",
        "客户姓名",
        "联系人",
      ],
      required: false,
      description: "person's name",
    },
    {
      name: "company",
      synonyms: [
        "company",
        "companyname",
        "organisation",
        "organization",
        "account",
        "accountname",
        "公司",
        "公司名称",
        "企业",
        "单位",
      ],
      required: false,
      description: "company",
      // Exports keep multi-line legal names quoted; they are text, not a new row.
      lineBreaks: true,
    },
    {
      name: "email",
      synonyms: ["email", "emailaddress", "mail", "邮箱", "电子邮件", "电子邮箱", "邮件地址"],
      required: false,
      description: "email address",
      maxLength: MAX_LENGTH.email,
    },
    {
      name: "phone",
      synonyms: [
        "phone",
        "phonenumber",
        "telephone",
        "tel",
        "mobile",
        "电话",
        "手机",
        "手机号",
        "电话号码",
        "联系电话",
      ],
      required: false,
      description: "phone number",
      maxLength: MAX_LENGTH.phone,
    },
    {
      name: "country",
      synonyms: ["country", "countrycode", "国家", "国家/地区", "国家地区"],
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
      synonyms: [
        "owner",
        "accountmanager",
        "manager",
        "salesrep",
        "rep",
        "负责人",
        "客户经理",
        "销售",
        "业务员",
      ],
      required: false,
      description: "the account manager",
    },
    {
      name: "acquisition_channel",
      synonyms: ["acquisitionchannel", "channel", "source", "leadsource", "获客渠道", "渠道", "来源"],
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
        "注册日期",
        "注册时间",
        "首次购买",
        "加入日期",
        "创建时间",
      ],
      required: false,
      description: "when the customer was acquired",
    },
    {
      name: "tags",
      synonyms: ["tags", "labels", "tag", "标签"],
      required: false,
      description: "tags separated by commas, semicolons or pipes",
      maxLength: MAX_LENGTH.tags,
    },
    {
      name: "do_not_contact",
      synonyms: ["donotcontact", "dnc", "optout", "unsubscribed", "勿扰", "拒绝联系", "退订"],
      required: false,
      description: "yes/no",
    },
    {
      name: "birthday",
      synonyms: ["birthday", "birthdate", "dateofbirth", "dob", "生日", "出生日期", "出生年月日"],
      required: false,
      description: "the customer's birthday, a day without a time (YYYY-MM-DD)",
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
        "订单号",
        "订单编号",
        "订单id",
        "单号",
        "交易号",
        "交易编号",
        "发票号",
      ],
      required: false,
      description: "the transaction's id; rows without one are identified by their content",
      maxLength: MAX_LENGTH.id,
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
        "总额",
        "总金额",
        "订单金额",
        "销售额",
        "实付金额",
      ],
      required: false,
      description: "the transaction's value; negative for returns (or give quantity and unit_price)",
    },
    {
      name: "quantity",
      synonyms: ["quantity", "qty", "units", "items", "numberofitems", "numberofcds", "数量", "件数"],
      required: false,
      description: "number of items",
    },
    {
      name: "unit_price",
      synonyms: ["unitprice", "price", "itemprice", "单价", "价格"],
      required: false,
      description: "price per item; amount = quantity × unit_price when there is no amount",
    },
    {
      name: "margin",
      synonyms: ["margin", "profit", "grossmargin", "grossprofit", "利润", "毛利"],
      required: false,
      description: "profit on the transaction",
    },
    {
      name: "channel",
      synonyms: ["channel", "saleschannel", "store", "渠道", "销售渠道"],
      required: false,
      description: "where it was bought",
    },
    {
      name: "country",
      synonyms: ["country", "国家", "国家/地区", "国家地区"],
      required: false,
      description: "the customer's country, used when the import creates the customer",
    },
  ],
  interactions: [
    {
      name: "external_id",
      synonyms: ["interactionid", "activityid", "externalid", "id", "编号", "记录编号"],
      required: false,
      description: "the interaction's id",
      maxLength: MAX_LENGTH.id,
    },
    customerKey,
    occurredAt,
    {
      name: "channel",
      synonyms: ["channel", "type", "medium", "渠道", "方式", "联系方式", "类型"],
      required: true,
      description: "email, phone, meeting, chat, social or in-store",
    },
    {
      name: "direction",
      synonyms: ["direction", "inout", "方向"],
      required: false,
      description: "inbound or outbound (default outbound)",
    },
    {
      name: "summary",
      synonyms: [
        "summary",
        "notes",
        "note",
        "subject",
        "description",
        "内容",
        "摘要",
        "备注",
        "记录",
        "沟通内容",
      ],
      required: false,
      description: "what was said",
      maxLength: MAX_LENGTH.longText,
      lineBreaks: true,
    },
    {
      name: "outcome",
      synonyms: ["outcome", "result", "status", "结果", "状态"],
      required: false,
      description: "what came of it",
      lineBreaks: true,
    },
  ],
  feedback: [
    {
      name: "external_id",
      synonyms: ["feedbackid", "responseid", "ticketid", "externalid", "id", "编号", "反馈编号", "工单号"],
      required: false,
      description: "the feedback's id",
      maxLength: MAX_LENGTH.id,
    },
    customerKey,
    occurredAt,
    {
      name: "source",
      synonyms: ["source", "type", "kind", "来源", "类型"],
      required: false,
      description: "survey, nps, review, ticket or complaint (default survey)",
    },
    {
      name: "score",
      synonyms: ["score", "rating", "npsscore", "nps", "csat", "评分", "分数", "打分", "得分"],
      required: false,
      description: "0-10 (NPS) or 1-5 (rating)",
    },
    {
      name: "text",
      synonyms: [
        "text",
        "comment",
        "comments",
        "feedback",
        "review",
        "message",
        "body",
        "内容",
        "评价",
        "反馈",
        "评论",
        "意见",
      ],
      required: false,
      description: "what the customer wrote",
      maxLength: MAX_LENGTH.longText,
      lineBreaks: true,
    },
    {
      name: "language",
      synonyms: ["language", "lang", "locale", "语言"],
      required: false,
      description: "en or zh (detected from the text when absent)",
    },
    {
      name: "status",
      synonyms: ["status", "state", "状态"],
      required: false,
      description: "open or resolved (complaints and tickets default to open)",
    },
  ],
  tickets: [
    {
      name: "external_id",
      synonyms: [
        "ticketid",
        "ticketno",
        "ticketnumber",
        "caseid",
        "caseno",
        "externalid",
        "id",
        "工单号",
        "工单编号",
        "编号",
      ],
      required: false,
      description: "the ticket's id in the service desk",
      maxLength: MAX_LENGTH.id,
    },
    customerKey,
    {
      name: "opened_at",
      synonyms: [
        "openedat",
        "opened",
        "createdat",
        "created",
        "date",
        "opendate",
        "创建时间",
        "开单时间",
        "提交时间",
        "日期",
      ],
      required: true,
      description: "when the customer opened the ticket",
    },
    {
      name: "kind",
      synonyms: ["kind", "type", "tickettype", "issuetype", "类型", "工单类型"],
      required: true,
      description: "complaint, question, request or return",
    },
    {
      name: "channel",
      synonyms: ["channel", "source", "medium", "渠道", "来源"],
      required: false,
      description: "how the ticket came in (email, phone, chat, ...)",
    },
    {
      name: "subject",
      synonyms: ["subject", "title", "summary", "主题", "标题", "摘要"],
      required: false,
      description: "what the ticket is about, one line",
    },
    {
      name: "first_response_at",
      synonyms: [
        "firstresponseat",
        "firstresponse",
        "firstreplyat",
        "respondedat",
        "首次响应时间",
        "首次回复时间",
      ],
      required: false,
      description: "when the customer first got an answer",
    },
    {
      name: "resolved_at",
      synonyms: ["resolvedat", "resolved", "closedat", "closed", "解决时间", "关闭时间"],
      required: false,
      description: "when the ticket was resolved",
    },
    {
      name: "status",
      synonyms: ["status", "state", "状态"],
      required: false,
      description:
        "open, answered or resolved (default: resolved with resolved_at, answered with first_response_at, else open)",
    },
    {
      name: "owner",
      synonyms: ["owner", "agent", "assignee", "assignedto", "负责人", "处理人", "客服"],
      required: false,
      description: "who handles the ticket",
    },
    {
      name: "resolution",
      synonyms: ["resolution", "resolutionnote", "solution", "解决方案", "处理结果"],
      required: false,
      description: "how the ticket was resolved",
      maxLength: MAX_LENGTH.longText,
      lineBreaks: true,
    },
  ],
  events: [
    {
      name: "external_id",
      synonyms: ["eventid", "externalid", "id", "事件编号", "编号"],
      required: false,
      description: "the event's id",
      maxLength: MAX_LENGTH.id,
    },
    customerKey,
    occurredAt,
    {
      name: "type",
      synonyms: ["type", "eventtype", "event", "action", "类型", "事件", "行为"],
      required: true,
      description: "page_view, cart, store_visit, search or wishlist",
    },
    {
      name: "category",
      synonyms: ["category", "productcategory", "品类", "类目", "商品类目"],
      required: false,
      description: "the product category the event is about",
    },
  ],
};

/**
 * The form headers are compared in. NFKC first folds full-width letters and brackets
 * ("客户ＩＤ", "（元）") into their ASCII forms, as Chinese spreadsheets often write them; a
 * trailing unit in brackets ("金额（元）", "Amount (USD)") is dropped.
 */
export function normaliseHeader(name: string): string {
  return name
    .normalize("NFKC")
    .toLowerCase()
    .replace(/(.)\s*\([^()]*\)\s*$/, "$1")
    .replace(/[\s_\-.#()]/g, "");
}

/** Raised when the header cannot supply a required field or a mapping names a missing column. */
export class MappingError extends Error {
  constructor(
    message: string,
    /** True when the header itself lacks something (so the header's line is the place to fix). */
    readonly inHeader = false,
  ) {
    super(message);
  }
}

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
      true,
    );
  }
  return mapping;
}
