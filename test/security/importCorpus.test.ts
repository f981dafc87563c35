import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImportFileError } from "../../mcp-server/import/errors.js";
import type { ImportKind } from "../../mcp-server/import/fields.js";
import { importFile, type ImportOptions, type ImportReport } from "../../mcp-server/import/importFile.js";
import { DATE_WINDOW, MAX_LENGTH, MAX_MONEY, MAX_QUANTITY } from "../../mcp-server/limits.js";
import { detectLanguage } from "../../core/sentiment.js";
import { Store } from "../../mcp-server/store/store.js";
import { createTempDir, type TempDir } from "../helpers/tempFiles.js";

/**
 * The bad-input corpus: every file is either imported exactly (what the store holds afterwards
 * is the file's rows, nothing dropped or altered) or refused with a message that names a line,
 * and then the store file is byte-identical to before. Each case runs on its own copy of one
 * seeded store file, so a case cannot hide behind what an earlier one did.
 *
 * Formula-like cells (`=cmd|' /C calc'!A0`, `+SUM(...)`, `@A1`) are data: the store keeps
 * them as text and nothing here evaluates them. Escaping them is the job of whatever exports
 * to a spreadsheet, so they import unchanged rather than being refused.
 */

const NOW = new Date("2024-06-01T12:00:00Z");
const CREATED = "2024-06-01T12:00:00Z";

/** Two customers and one row in each table, so "unchanged" means something for every table. */
const SEED: [ImportKind, string][] = [
  ["customers", "id,name,company,acquired_at\nC1,Ann Lee,Acme,2023-01-01\nC2,李雷,星辰,2023-02-01\n"],
  ["transactions", "order id,customer,date,amount\nO1,C1,2024-01-02,10.5\n"],
  ["interactions", "id,customer,date,channel,summary\nI1,C1,2024-01-04,email,hello\n"],
  ["feedback", "id,customer,date,score,text\nF1,C2,2024-01-05,9,很好\n"],
];

type Row = Record<string, unknown>;
type Book = Record<ImportKind, Row[]>;

const DUMPS: Record<ImportKind, string> = {
  customers: `SELECT external_id, name, company, email, phone, country, language, owner, acquisition_channel,
                     acquired_at, tags, do_not_contact, created_at FROM customers`,
  transactions: `SELECT t.external_id, c.external_id AS customer, t.occurred_at, t.amount, t.quantity, t.margin, t.channel
                 FROM transactions t JOIN customers c ON c.id = t.customer_id`,
  interactions: `SELECT i.external_id, c.external_id AS customer, i.occurred_at, i.channel, i.direction, i.summary, i.outcome
                 FROM interactions i JOIN customers c ON c.id = i.customer_id`,
  feedback: `SELECT f.external_id, c.external_id AS customer, f.occurred_at, f.source, f.score, f.text, f.language, f.status
             FROM feedback f JOIN customers c ON c.id = f.customer_id`,
  tickets: `SELECT t.external_id, c.external_id AS customer, t.channel, t.kind, t.subject, t.opened_at, t.first_response_at,
                   t.resolved_at, t.status, t.owner, t.resolution
            FROM tickets t JOIN customers c ON c.id = t.customer_id`,
  events: `SELECT e.external_id, c.external_id AS customer, e.occurred_at, e.type, e.category
           FROM events e JOIN customers c ON c.id = e.customer_id`,
};

/** Rows without their own id are stored under a content hash; the corpus only checks they have one. */
function normalise(row: Row): Row {
  const id = row.external_id;
  return typeof id === "string" && /^h:[0-9a-f]{24}$/.test(id)
    ? { ...row, external_id: "(content id)" }
    : row;
}

function sorted(rows: Row[]): Row[] {
  return rows
    .map(normalise)
    .map((row) => [JSON.stringify(row, Object.keys(row).sort()), row] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, row]) => row);
}

/** Every table's rows by natural keys, sorted, so two dumps compare with toEqual. */
async function dumpBook(store: Store): Promise<Book> {
  const book = {} as Book;
  for (const kind of Object.keys(DUMPS) as ImportKind[])
    book[kind] = sorted(await store.db.all<Row>(DUMPS[kind]));
  return book;
}

function fileHash(path: string): string {
  const hash = createHash("sha256").update(readFileSync(path));
  // After a clean close SQLite folds the WAL back in and removes it; a leftover would hold data too.
  for (const suffix of ["-wal", "-shm"])
    if (existsSync(path + suffix)) hash.update(readFileSync(path + suffix));
  return hash.digest("hex");
}

const customer = (row: Row): Row => ({
  external_id: null,
  name: null,
  company: null,
  email: null,
  phone: null,
  country: null,
  language: "en",
  owner: null,
  acquisition_channel: null,
  acquired_at: null,
  tags: "[]",
  do_not_contact: 0,
  created_at: CREATED,
  ...row,
});
const transaction = (row: Row): Row => ({
  external_id: "(content id)",
  customer: "C1",
  quantity: null,
  margin: null,
  channel: null,
  ...row,
});
const interaction = (row: Row): Row => ({
  external_id: "(content id)",
  customer: "C1",
  direction: "outbound",
  summary: "",
  outcome: null,
  ...row,
});
const feedback = (row: Row): Row => ({
  external_id: "(content id)",
  customer: "C1",
  source: "survey",
  score: null,
  text: "",
  language: "en",
  status: "resolved",
  ...row,
});

type Expectation = { imported: Row[] } | { refusedAt: number; column?: string | null; reason: RegExp };

interface CorpusCase {
  name: string;
  kind: ImportKind;
  file: string | Uint8Array;
  options?: Partial<ImportOptions>;
  expect: Expectation;
}

const imported = (...rows: Row[]): Expectation => ({ imported: rows });
const refused = (line: number, column: string | null, reason: RegExp): Expectation => ({
  refusedAt: line,
  column,
  reason,
});

const csv = (...lines: string[]) => lines.map((line) => `${line}\n`).join("");
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(
    parts.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part))),
  );
const encoded = (text: string, encoding: string) => iconv.encode(text, encoding);

const OUT_OF_RANGE =
  /out of range: amounts must be between -1,000,000,000 and 1,000,000,000; fix the value or remove the row/;
const OUTSIDE_WINDOW = /outside the dates the store keeps \(1900-01-01 to 2100-12-31\)/;
const NOT_A_ZONE = /is not a real offset: zones run from -14:00 to \+14:00/;
const NOT_UTF8 = /not valid UTF-8: .*--encoding gbk\|gb18030\|big5\|shift_jis\|euc-kr\|latin1\|windows-1252/;
const CONTROL = /holds a control character, U\+/;
const LONG_TEXT = "长".repeat(MAX_LENGTH.longText);

const CASES: CorpusCase[] = [
  // Numbers: overflow, non-numbers and values no order has.
  {
    name: "amount 1e308",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,2024-03-01,5", "C1,2024-03-02,1e308"),
    expect: refused(3, "amount", OUT_OF_RANGE),
  },
  {
    name: "amount 1e309 (overflows to Infinity)",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,2024-03-01,1e309"),
    expect: refused(2, "amount", OUT_OF_RANGE),
  },
  {
    name: "amount Infinity as text",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,2024-03-01,Infinity"),
    expect: refused(2, "amount", /not a number/),
  },
  {
    name: "amount -Infinity as text",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,2024-03-01,-Infinity"),
    expect: refused(2, "amount", /not a number/),
  },
  {
    name: "amount NaN (an empty cell as pandas writes it) with nothing else to compute from",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,2024-03-01,NaN"),
    expect: refused(2, "amount", /the amount is missing/),
  },
  {
    name: "amount one over the limit",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,2024-03-01,1000000000.01"),
    expect: refused(2, "amount", OUT_OF_RANGE),
  },
  {
    name: "amount far below the negative limit",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,2024-03-01,-1e10"),
    expect: refused(2, "amount", OUT_OF_RANGE),
  },
  {
    name: "amount written in hex",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,2024-03-01,0x1F"),
    expect: refused(2, "amount", /not a number/),
  },
  {
    name: "amounts at exactly the limits",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,2024-03-01,1000000000", "C2,2024-03-01,-1000000000"),
    expect: imported(
      transaction({ occurred_at: "2024-03-01T00:00:00Z", amount: MAX_MONEY }),
      transaction({ customer: "C2", occurred_at: "2024-03-01T00:00:00Z", amount: -MAX_MONEY }),
    ),
  },
  {
    name: "quantity 1e200 × unit price 1e200",
    kind: "transactions",
    file: csv("customer,date,quantity,unit_price", "C1,2024-03-01,1e200,1e200"),
    expect: refused(2, "quantity", /quantities must be between -10,000,000 and 10,000,000/),
  },
  {
    name: "quantity × unit price past the amount limit with each factor in range",
    kind: "transactions",
    file: csv("customer,date,quantity,unit_price", "C1,2024-03-01,10000000,1000"),
    expect: refused(2, "unit_price", /quantity × unit_price is 1\.000e\+10, and amounts must be between/),
  },
  {
    name: "unit price 1e308 next to a valid amount",
    kind: "transactions",
    file: csv("customer,date,amount,unit_price", "C1,2024-03-01,5,1e308"),
    expect: refused(2, "unit_price", /unit prices must be between/),
  },
  {
    name: "margin 1e300",
    kind: "transactions",
    file: csv("customer,date,amount,margin", "C1,2024-03-01,5,1e300"),
    expect: refused(2, "margin", /margins must be between/),
  },
  {
    name: "quantity 1e400",
    kind: "transactions",
    file: csv("customer,date,quantity,unit_price", "C1,2024-03-01,1e400,1"),
    expect: refused(2, "quantity", /quantities must be between/),
  },
  {
    name: "negative quantity (a return)",
    kind: "transactions",
    file: csv("customer,date,quantity,unit_price", "C1,2024-03-01,-3,2.5"),
    expect: imported(transaction({ occurred_at: "2024-03-01T00:00:00Z", amount: -7.5, quantity: -3 })),
  },
  {
    name: "line items of one order adding up past the amount limit",
    kind: "transactions",
    file: csv("order,customer,date,amount", "O7,C1,2024-03-01,900000000", "O7,C1,2024-03-01,200000000"),
    options: { map: { external_id: "order" } },
    expect: refused(3, "order", /order O7 adds up to more than 1,000,000,000/),
  },
  {
    name: "line items of one order far apart in the file (after a batch was written) adding up past the limit",
    kind: "transactions",
    file: csv(
      "order,customer,date,amount",
      "O8,C1,2024-03-01,600000000",
      ...Array.from({ length: 450 }, (_, i) => `F${i},C2,2024-03-02,1`),
      "O8,C1,2024-03-01,600000000",
    ),
    options: { map: { external_id: "order" } },
    expect: refused(453, "order", /order O8 adds up to more than 1,000,000,000/),
  },
  {
    name: "score 11",
    kind: "feedback",
    file: csv("customer,date,score", "C1,2024-03-01,11"),
    expect: refused(2, "score", /scores \(0-10 for NPS, 1-5 for ratings\) must be between 0 and 10/),
  },
  {
    name: "score -1",
    kind: "feedback",
    file: csv("customer,date,score", "C1,2024-03-01,-1"),
    expect: refused(2, "score", /must be between 0 and 10/),
  },
  {
    name: "score 1e308",
    kind: "feedback",
    file: csv("customer,date,score", "C1,2024-03-01,1e308"),
    expect: refused(2, "score", /must be between 0 and 10/),
  },
  {
    name: "NPS answer 7.5",
    kind: "feedback",
    file: csv("customer,date,source,score", "C1,2024-03-01,nps,7.5"),
    expect: refused(2, "score", /an NPS answer is a whole number from 0 to 10/),
  },
  {
    name: "score NaN next to a text (pandas' empty cell: no score)",
    kind: "feedback",
    file: csv("customer,date,score,text", "C1,2024-03-01,NaN,Fast delivery"),
    expect: imported(feedback({ occurred_at: "2024-03-01T00:00:00Z", text: "Fast delivery" })),
  },

  // Text: lengths, control characters and cells that look like code.
  {
    name: "feedback text one character over the limit",
    kind: "feedback",
    file: csv("customer,date,text", `C1,2024-03-01,${"x".repeat(MAX_LENGTH.longText + 1)}`),
    expect: refused(2, "text", /is 20,001 characters long; text holds at most 20,000 characters/),
  },
  {
    name: "feedback text of 0.7 MB",
    kind: "feedback",
    file: csv("customer,date,text", `C1,2024-03-01,"${"Too slow. ".repeat(70_000)}"`),
    expect: refused(2, "text", /is 699,999 characters long/),
  },
  {
    name: "feedback text of exactly the limit",
    kind: "feedback",
    file: csv("customer,date,text", `C1,2024-03-01,${LONG_TEXT}`),
    expect: imported(feedback({ occurred_at: "2024-03-01T00:00:00Z", text: LONG_TEXT, language: "zh" })),
  },
  {
    name: "interaction summary over the limit",
    kind: "interactions",
    file: csv("customer,date,channel,notes", `C1,2024-03-01,phone,"${"n".repeat(MAX_LENGTH.longText + 5)}"`),
    expect: refused(2, "notes", /summary holds at most 20,000 characters/),
  },
  {
    name: "name longer than 200 characters",
    kind: "customers",
    file: csv("id,name", `C9,${"N".repeat(201)}`),
    expect: refused(2, "name", /name holds at most 200 characters/),
  },
  {
    name: "email longer than 254 characters",
    kind: "customers",
    file: csv("id,email", `C9,${"e".repeat(250)}@example.com`),
    expect: refused(2, "email", /email holds at most 254 characters/),
  },
  {
    name: "customer id longer than 100 characters",
    kind: "transactions",
    file: csv("customer,date,amount", `${"K".repeat(101)},2024-03-01,5`),
    expect: refused(2, "customer", /customer holds at most 100 characters/),
  },
  {
    name: "NUL byte in a name",
    kind: "customers",
    file: csv("id,name", "C9,Ann\u0000Lee"),
    expect: refused(2, "name", /U\+0000 NUL at character 4/),
  },
  {
    name: "NUL byte in a feedback text",
    kind: "feedback",
    file: csv("customer,date,text", "C1,2024-03-01,ok\u0000"),
    expect: refused(2, "text", /U\+0000 NUL/),
  },
  {
    name: "escape character in an interaction summary",
    kind: "interactions",
    file: csv("customer,date,channel,summary", "C1,2024-03-01,email,\u001b[31mred"),
    expect: refused(2, "summary", /U\+001B escape/),
  },
  {
    name: "C1 control (NEL) in a company",
    kind: "customers",
    file: csv("id,company", "C9,Acme\u0085Ltd"),
    expect: refused(2, "company", /U\+0085/),
  },
  {
    name: "DEL in an email",
    kind: "customers",
    file: csv("id,email", "C9,ann\u007f@example.com"),
    expect: refused(2, "email", /U\+007F DEL/),
  },
  {
    name: "line break inside a quoted name (a one-line field)",
    kind: "customers",
    file: csv("id,name", 'C9,"Ann', 'Lee"'),
    expect: refused(2, "name", /U\+000A line feed at character 4/),
  },
  {
    name: "tabs and line breaks inside a quoted summary (free text keeps them)",
    kind: "interactions",
    file: csv("customer,date,channel,summary", 'C1,2024-03-01,meeting,"Agenda:\tprices', 'Next: call back"'),
    expect: imported(
      interaction({
        occurred_at: "2024-03-01T00:00:00Z",
        channel: "meeting",
        summary: "Agenda:\tprices\nNext: call back",
      }),
    ),
  },
  {
    name: "formula-like cells are stored as text",
    kind: "customers",
    file: csv("id,name,company,owner,phone", `C9,"=cmd|' /C calc'!A0",+SUM(1+1),@A1,-2+3`),
    expect: imported(
      customer({
        external_id: "C9",
        name: "=cmd|' /C calc'!A0",
        company: "+SUM(1+1)",
        owner: "@A1",
        phone: "-2+3",
      }),
    ),
  },
  {
    name: "SQL-looking text is stored verbatim",
    kind: "feedback",
    file: csv("customer,date,text", `C1,2024-03-01,"'); DROP TABLE customers; --"`),
    expect: imported(feedback({ occurred_at: "2024-03-01T00:00:00Z", text: "'); DROP TABLE customers; --" })),
  },

  // Dates and zones.
  {
    name: "year 0000",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,0000-01-01,5"),
    expect: refused(2, "date", /year 0000 is outside the dates the store keeps/),
  },
  {
    name: "year 0001",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,0001-01-01,5"),
    expect: refused(2, "date", /year 0001 is outside/),
  },
  {
    name: "year 0001 written YYYYMMDD",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,00010101,5"),
    expect: refused(2, "date", OUTSIDE_WINDOW),
  },
  {
    name: "year 2101",
    kind: "interactions",
    file: csv("customer,date,channel", "C1,2101-01-01,email"),
    expect: refused(2, "date", OUTSIDE_WINDOW),
  },
  {
    name: "the day before the window",
    kind: "feedback",
    file: csv("customer,date,score", "C1,1899-12-31,5"),
    expect: refused(2, "date", OUTSIDE_WINDOW),
  },
  {
    name: "a zone that carries the first day out of the window",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,1900-01-01T00:30:00+01:00,5"),
    expect: refused(2, "date", /in UTC this is 1899-12-31T23:30:00Z, which is outside/),
  },
  {
    name: "the first and last second of the window",
    kind: "transactions",
    file: csv(
      "customer,date,amount",
      `C1,${DATE_WINDOW.first}T00:00:00Z,1`,
      `C1,${DATE_WINDOW.last}T23:59:59Z,2`,
    ),
    expect: imported(
      transaction({ occurred_at: "1900-01-01T00:00:00Z", amount: 1 }),
      transaction({ occurred_at: "2100-12-31T23:59:59Z", amount: 2 }),
    ),
  },
  {
    name: "February 30",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,2024-02-30,5"),
    expect: refused(2, "date", /day 30 does not exist in 2024-02/),
  },
  {
    name: "February 29 of a common year, written M/D/YYYY",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,2/29/2023,5"),
    expect: refused(2, "date", /day 29 does not exist in 2023-02/),
  },
  {
    name: "hour 25",
    kind: "interactions",
    file: csv("customer,date,channel", "C1,2024-03-01T25:00:00Z,chat"),
    expect: refused(2, "date", /not a valid time of day/),
  },
  {
    name: "zone +99:99",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,2024-03-01T10:00:00+99:99,5"),
    expect: refused(2, "date", NOT_A_ZONE),
  },
  {
    name: "zone +14:01",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,2024-03-01T10:00:00+14:01,5"),
    expect: refused(2, "date", NOT_A_ZONE),
  },
  {
    name: "zone -05:60",
    kind: "feedback",
    file: csv("customer,date,score", "C1,2024-03-01T10:00:00-05:60,5"),
    expect: refused(2, "date", NOT_A_ZONE),
  },
  {
    name: "zones at the edges (+14:00 and -12:00) convert to UTC",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,2024-03-01T10:00:00+1400,1", "C1,2024-03-01T10:00:00-12:00,2"),
    expect: imported(
      transaction({ occurred_at: "2024-02-29T20:00:00Z", amount: 1 }),
      transaction({ occurred_at: "2024-03-01T22:00:00Z", amount: 2 }),
    ),
  },

  // Enumerations and headers with prototype names.
  {
    name: "channel constructor",
    kind: "interactions",
    file: csv("customer,date,channel", "C1,2024-03-01,constructor"),
    expect: refused(2, "channel", /expected one of: email, phone, meeting, chat, social, in-store/),
  },
  {
    name: "channel __proto__",
    kind: "interactions",
    file: csv("customer,date,channel", "C1,2024-03-01,__proto__"),
    expect: refused(2, "channel", /expected one of/),
  },
  {
    name: "channel toString",
    kind: "interactions",
    file: csv("customer,date,channel", "C1,2024-03-01,toString"),
    expect: refused(2, "channel", /expected one of/),
  },
  {
    name: "direction hasOwnProperty",
    kind: "interactions",
    file: csv("customer,date,channel,direction", "C1,2024-03-01,email,hasOwnProperty"),
    expect: refused(2, "direction", /expected one of: inbound, outbound/),
  },
  {
    name: "source __proto__",
    kind: "feedback",
    file: csv("customer,date,source,score", "C1,2024-03-01,__proto__,5"),
    expect: refused(2, "source", /expected one of: survey, nps, review, ticket, complaint/),
  },
  {
    name: "status constructor",
    kind: "feedback",
    file: csv("customer,date,score,status", "C1,2024-03-01,5,constructor"),
    expect: refused(2, "status", /expected one of: open, resolved/),
  },
  {
    name: "a column named __proto__ mapped with --map",
    kind: "interactions",
    file: csv("customer,date,channel,__proto__", "C1,2024-03-01,email,sent the catalogue"),
    options: { map: { summary: "__proto__" } },
    expect: imported(
      interaction({ occurred_at: "2024-03-01T00:00:00Z", channel: "email", summary: "sent the catalogue" }),
    ),
  },
  {
    name: "columns named constructor, toString and __proto__ mapped with --map",
    kind: "customers",
    file: csv("constructor,toString,__proto__", "C9,Ann Lee,Acme"),
    options: { map: { external_id: "constructor", name: "toString", company: "__proto__" } },
    expect: imported(customer({ external_id: "C9", name: "Ann Lee", company: "Acme" })),
  },
  {
    name: "an unused column named __proto__ next to matched ones",
    kind: "transactions",
    file: csv("__proto__,customer,date,amount", "x,C2,2024-03-01,5"),
    expect: imported(transaction({ customer: "C2", occurred_at: "2024-03-01T00:00:00Z", amount: 5 })),
  },
  {
    name: "Chinese headers",
    kind: "transactions",
    file: csv("订单号,客户,下单日期,数量,单价", "D1,C2,2024-03-01,2,3.5"),
    expect: imported(
      transaction({
        external_id: "D1",
        customer: "C2",
        occurred_at: "2024-03-01T00:00:00Z",
        amount: 7,
        quantity: 2,
      }),
    ),
  },
  {
    name: "the same header twice",
    kind: "transactions",
    file: csv("customer,date,amount,amount", "C1,2024-03-01,5,6"),
    expect: refused(1, null, /the header names column "amount" twice/),
  },
  {
    name: "the same header twice once spaces are trimmed",
    kind: "customers",
    file: csv("id,name, name", "C9,a,b"),
    expect: refused(1, null, /the header names column "name" twice/),
  },
  {
    name: "a header without a name",
    kind: "transactions",
    file: csv("customer,,date,amount", "C1,x,2024-03-01,5"),
    expect: refused(1, null, /column 2 of the header has no name/),
  },
  {
    name: "a missing required column",
    kind: "transactions",
    file: csv("customer,amount", "C1,5"),
    expect: refused(1, null, /no column for "date"/),
  },

  // Structure: rows, quotes, line ends and sizes.
  {
    name: "a row with an extra field",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,2024-03-01,5,oops"),
    expect: refused(2, null, /expected 3 fields as in the header, found 4/),
  },
  {
    name: "a row with a field missing",
    kind: "transactions",
    file: csv("customer,date,amount", "C1,2024-03-01,5", "C1,2024-03-02"),
    expect: refused(3, null, /expected 3 fields as in the header, found 2/),
  },
  {
    name: "a quote that is never closed",
    kind: "feedback",
    file: csv("customer,date,text", 'C1,2024-03-01,"never closed', "C2,2024-03-02,fine"),
    expect: refused(2, null, /a double quote opened on this line is never closed/),
  },
  {
    name: "a stray quote inside a value",
    kind: "customers",
    file: csv("id,name", 'C9,He said "hi"'),
    expect: refused(2, null, /Invalid Opening Quote/),
  },
  {
    name: "a record over 1 MB (an open quote swallowing the file)",
    kind: "feedback",
    file: csv(
      "customer,date,text",
      "C1,2024-03-01,fine",
      `C1,2024-03-02,"${"y".repeat(MAX_LENGTH.recordBytes + 10)}`,
    ),
    expect: refused(3, null, /the record starting on this line runs past 1,000,000 bytes/),
  },
  {
    name: "a 19,000-character line",
    kind: "feedback",
    file: csv("customer,date,text", `C1,2024-03-01,${"z".repeat(19_000)}`),
    expect: imported(feedback({ occurred_at: "2024-03-01T00:00:00Z", text: "z".repeat(19_000) })),
  },
  {
    name: "an empty file",
    kind: "customers",
    file: "",
    expect: refused(1, null, /the file is empty/),
  },
  {
    name: "a file of blank lines",
    kind: "customers",
    file: "\r\n  \n\n",
    expect: refused(1, null, /the file is empty/),
  },
  {
    name: "a header and no rows",
    kind: "customers",
    file: csv("id,name"),
    expect: refused(1, null, /the file has a header but no rows/),
  },
  {
    name: "CRLF line ends",
    kind: "customers",
    file: "id,name\r\nC9,Ann\r\nC10,Bob\r\n",
    expect: imported(
      customer({ external_id: "C9", name: "Ann" }),
      customer({ external_id: "C10", name: "Bob" }),
    ),
  },
  {
    name: "CR-only line ends",
    kind: "customers",
    file: "id,name\rC9,Ann\rC10,Bob\r",
    expect: imported(
      customer({ external_id: "C9", name: "Ann" }),
      customer({ external_id: "C10", name: "Bob" }),
    ),
  },
  {
    name: "a trailing delimiter on the header line (a column without a name)",
    kind: "customers",
    file: csv("id,name,", "C9,Ann,"),
    expect: refused(1, null, /column 3 of the header has no name/),
  },
  {
    name: "semicolons as delimiters",
    kind: "transactions",
    file: csv("customer;date;amount", "C1;2024-03-01;1234,50"),
    expect: imported(transaction({ occurred_at: "2024-03-01T00:00:00Z", amount: 1234.5 })),
  },
  {
    name: "a whitespace file with an amount of 1e308",
    kind: "transactions",
    file: csv("customer date quantity amount", "C1 20240301 1 9.99", "C1 20240302 1 1e308"),
    options: { format: "whitespace" },
    expect: refused(3, "amount", OUT_OF_RANGE),
  },

  // Byte-order marks and encodings.
  {
    name: "a UTF-8 byte-order mark",
    kind: "customers",
    file: "\uFEFFid,name\nC9,Zoë\n",
    expect: imported(customer({ external_id: "C9", name: "Zoë" })),
  },
  {
    name: "two UTF-8 byte-order marks",
    kind: "customers",
    file: "\uFEFF\uFEFFid,name\nC9,Zoë\n",
    expect: imported(customer({ external_id: "C9", name: "Zoë" })),
  },
  {
    name: "UTF-16 LE with a byte-order mark",
    kind: "customers",
    file: Buffer.concat([Buffer.from([0xff, 0xfe]), encoded("id,name\r\nC9,王芳\r\n", "utf-16le")]),
    expect: imported(customer({ external_id: "C9", name: "王芳" })),
  },
  {
    name: "UTF-16 BE with a byte-order mark",
    kind: "customers",
    file: Buffer.concat([Buffer.from([0xfe, 0xff]), encoded("id,name\nC9,Zoë\n", "utf-16be")]),
    expect: imported(customer({ external_id: "C9", name: "Zoë" })),
  },
  {
    name: "UTF-16 LE without a byte-order mark",
    kind: "customers",
    file: encoded("id,name\nC9,Zoë\n", "utf-16le"),
    expect: refused(
      1,
      null,
      /looks like UTF-16 without a byte-order mark; import it with --encoding utf-16le/,
    ),
  },
  {
    name: "GBK read as UTF-8",
    kind: "customers",
    file: encoded("编号,姓名\nC9,王芳\n", "gbk"),
    expect: refused(1, null, NOT_UTF8),
  },
  {
    name: "GBK with --encoding gbk",
    kind: "customers",
    file: encoded("编号,姓名,公司\nC9,王芳,北京星辰科技有限公司\n", "gbk"),
    options: { encoding: "gbk" },
    expect: imported(customer({ external_id: "C9", name: "王芳", company: "北京星辰科技有限公司" })),
  },
  {
    name: "GBK with bytes GBK cannot read",
    kind: "customers",
    file: Buffer.concat([
      encoded("编号,姓名\nC9,王芳\n", "gbk"),
      Buffer.from("C10,"),
      Buffer.from([0xff, 0xff]),
      Buffer.from("\n"),
    ]),
    options: { encoding: "gbk" },
    expect: refused(3, null, /some bytes on this line are not valid gbk/),
  },
  {
    name: "Latin-1 read as UTF-8",
    kind: "customers",
    file: encoded("id,name\nC9,Ann\nC10,José\n", "latin1"),
    expect: refused(3, null, NOT_UTF8),
  },
  {
    name: "Latin-1 with --encoding latin1",
    kind: "customers",
    file: encoded("id,name\nC10,José Müller\n", "latin1"),
    options: { encoding: "latin1" },
    expect: imported(customer({ external_id: "C10", name: "José Müller" })),
  },
  {
    name: "Windows-1252 smart quotes with --encoding windows-1252",
    kind: "feedback",
    file: encoded("customer,date,text\nC1,2024-03-01,“great” – thanks\n", "windows-1252"),
    options: { encoding: "windows-1252" },
    expect: imported(feedback({ occurred_at: "2024-03-01T00:00:00Z", text: "“great” – thanks" })),
  },
  {
    name: "Shift_JIS with --encoding shift_jis",
    kind: "customers",
    file: encoded("id,name,country\nC9,山田太郎,日本\n", "shift_jis"),
    options: { encoding: "shift_jis" },
    expect: imported(customer({ external_id: "C9", name: "山田太郎", country: "日本" })),
  },
  {
    name: "UTF-8 cut off inside the last character",
    kind: "customers",
    file: bytes("id,name\nC9,", [0xe7, 0x8e]),
    expect: refused(2, null, /it ends inside a character \(from byte 12\)/),
  },
  {
    name: "an overlong UTF-8 encoding of a slash",
    kind: "customers",
    file: bytes("id,name\nC9,a", [0xc0, 0xaf], "b\n"),
    expect: refused(2, null, /byte 13 of the file \(0xC0\) is not part of a UTF-8 character/),
  },
  {
    name: "a UTF-16 surrogate encoded in UTF-8 (CESU-8)",
    kind: "customers",
    file: bytes("id,name\nC8,x\nC9,", [0xed, 0xa0, 0x80], "\n"),
    expect: refused(3, null, /\(0xED\)/),
  },
  {
    name: "a lone continuation byte",
    kind: "customers",
    file: bytes("id,name\r\nC9,", [0x80], "\r\n"),
    expect: refused(2, null, NOT_UTF8),
  },

  // Rows that contradict the store or each other.
  {
    name: "an interaction for a customer the store does not have",
    kind: "interactions",
    file: csv("customer,date,channel", "C1,2024-03-01,email", "C404,2024-03-02,email"),
    expect: refused(3, "customer", /no customer with this id in the store/),
  },
  {
    name: "the same interaction id twice",
    kind: "interactions",
    file: csv("id,customer,date,channel", "X1,C1,2024-03-01,email", "X1,C1,2024-03-02,chat"),
    expect: refused(3, "id", /this id appears on an earlier line/),
  },
  {
    name: "the same customer id twice in a customers file (the second would overwrite the first)",
    kind: "customers",
    file: csv("id,name", "C9,Ann", "C9,Bob"),
    expect: refused(3, "id", /this id appears on an earlier line of the file; ids must be unique/),
  },
  {
    name: "one order id for two customers",
    kind: "transactions",
    file: csv("order id,customer,date,amount", "O9,C1,2024-03-01,1", "O9,C2,2024-03-01,2"),
    expect: refused(3, "order id", /order ids must not be shared between customers/),
  },
  {
    name: "a transaction without a customer",
    kind: "transactions",
    file: csv("customer,date,amount", "(blank),2024-03-01,5"),
    expect: refused(2, "customer", /pass --skip-missing-customer/),
  },
  {
    name: "an interaction id of the seed store (a re-import is a duplicate, not a change)",
    kind: "interactions",
    file: csv("id,customer,date,channel,summary", "I2,C2,2024-03-01,phone,new"),
    expect: imported(
      interaction({
        external_id: "I2",
        customer: "C2",
        occurred_at: "2024-03-01T00:00:00Z",
        channel: "phone",
        summary: "new",
      }),
    ),
  },
];

let dir: TempDir;
let basePath: string;
let caseNumber = 0;

beforeAll(async () => {
  dir = createTempDir("crm-corpus-");
  basePath = dir.join("base.db");
  const store = await Store.open(basePath);
  for (const [kind, text] of SEED) {
    const report = await importFile(store, { kind, file: dir.write(`seed-${kind}.csv`, text), now: NOW });
    expect(report.errors).toEqual([]);
  }
  await store.close();
});

afterAll(() => dir.remove());

interface Outcome {
  file: string;
  report?: ImportReport;
  error?: unknown;
  before: Book;
  after: Book;
  hashBefore: string;
  hashAfter: string;
}

/** Imports `content` into a fresh copy of the seeded store and records everything about it. */
async function runImport(
  kind: ImportKind,
  content: string | Uint8Array,
  options: Partial<ImportOptions> = {},
): Promise<Outcome> {
  const number = caseNumber++;
  const path = dir.join(`case-${number}.db`);
  copyFileSync(basePath, path);
  const hashBefore = fileHash(path);
  const file = dir.write(`case-${number}.csv`, content);
  const store = await Store.open(path);
  let outcome: Pick<Outcome, "report" | "error">;
  const before = await dumpBook(store);
  try {
    outcome = { report: await importFile(store, { kind, file, now: NOW, ...options }) };
  } catch (error) {
    outcome = { error };
  }
  const after = await dumpBook(store);
  await store.close();
  return { file, ...outcome, before, after, hashBefore, hashAfter: fileHash(path) };
}

/** The store holds exactly what it held plus `rows`, in the imported kind's table only. */
function expectImportedExactly(outcome: Outcome, kind: ImportKind, rows: Row[]): void {
  expect(outcome.error).toBeUndefined();
  expect(outcome.report).toMatchObject({ committed: true, errorCount: 0, skippedWithoutCustomer: 0 });
  expect(outcome.after[kind]).toEqual(sorted([...outcome.before[kind], ...rows]));
  for (const other of Object.keys(DUMPS) as ImportKind[]) {
    if (other !== kind) expect(outcome.after[other], other).toEqual(outcome.before[other]);
  }
}

/** Refused with a located message, and the store file byte-identical. */
function expectRefused(
  outcome: Outcome,
  line: number,
  column: string | null | undefined,
  reason: RegExp,
): void {
  if (outcome.report) {
    expect(outcome.report.committed).toBe(false);
    expect(outcome.report.errorCount).toBeGreaterThan(0);
    const first = outcome.report.errors[0];
    expect(first).toMatchObject({ file: outcome.file, line });
    if (column !== undefined) expect(first.column).toBe(column);
    expect(first.reason).toMatch(reason);
  } else {
    expect(outcome.error).toBeInstanceOf(ImportFileError);
    const error = outcome.error as ImportFileError;
    expect(error.line).toBe(line);
    expect(error.message.startsWith(`${outcome.file}:${line}: `)).toBe(true);
    expect(error.reason).toMatch(reason);
  }
  expect(outcome.after).toEqual(outcome.before);
  expect(outcome.hashAfter).toBe(outcome.hashBefore);
}

describe("the bad-input corpus", () => {
  it("covers at least 48 kinds of bad or unusual file", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(48);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES)("$name: imported exactly or refused at its line with the store untouched", async (c) => {
    const outcome = await runImport(c.kind, c.file, c.options);
    if ("imported" in c.expect) expectImportedExactly(outcome, c.kind, c.expect.imported);
    else expectRefused(outcome, c.expect.refusedAt, c.expect.column, c.expect.reason);
  });
});

/** A generated cell: its text, whether the importer must accept it, and what the store then keeps. */
interface Cell<T> {
  text: string;
  ok: boolean;
  stored: T;
}

const valid = <T>(text: string, stored: T): Cell<T> => ({ text, ok: true, stored });
const invalid = (text: string): Cell<never> => ({ text, ok: false, stored: undefined as never });

const storedTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const pad = (value: number, width = 2) => String(Math.abs(value)).padStart(width, "0");
const FIRST_MS = Date.parse(`${DATE_WINDOW.first}T00:00:00Z`);
const LAST_MS = Date.parse(`${DATE_WINDOW.last}T23:59:59Z`);

/** A moment in the window, written with a zone between -14:00 and +14:00 (whole seconds). */
const validDate: fc.Arbitrary<Cell<string>> = fc
  .tuple(fc.integer({ min: FIRST_MS / 1000, max: LAST_MS / 1000 }), fc.integer({ min: -56, max: 56 }))
  .map(([seconds, quarters]) => {
    const ms = seconds * 1000;
    const offset = quarters * 15;
    const local = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
    const zone =
      offset === 0 ? "Z" : `${offset < 0 ? "-" : "+"}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
    return valid(`${local}${zone}`, storedTime(ms));
  });

const invalidDate: fc.Arbitrary<Cell<never>> = fc.oneof(
  fc.integer({ min: 0, max: 1899 }).map((year) => invalid(`${pad(year, 4)}-06-15`)),
  fc.integer({ min: 2101, max: 9999 }).map((year) => invalid(`${year}-06-15`)),
  // The edges of the window crossed by a zone.
  fc
    .integer({ min: 1, max: 14 * 4 })
    .map((quarters) =>
      invalid(`1900-01-01T00:00:00+${pad(Math.trunc(quarters / 4))}:${pad((quarters % 4) * 15)}`),
    ),
  fc
    .integer({ min: 1, max: 14 * 4 })
    .map((quarters) =>
      invalid(`2100-12-31T23:59:59-${pad(Math.trunc(quarters / 4))}:${pad((quarters % 4) * 15)}`),
    ),
  fc.integer({ min: 1901, max: 2099 }).map((year) => invalid(`${year}-02-30`)),
  fc.integer({ min: 13, max: 99 }).map((month) => invalid(`2024-${month}-01`)),
  fc.integer({ min: 15, max: 99 }).map((hours) => invalid(`2024-03-01T10:00:00+${hours}:00`)),
  fc.integer({ min: 60, max: 99 }).map((minutes) => invalid(`2024-03-01T10:00:00-05:${minutes}`)),
  fc.constantFrom("yesterday", "2024-03-01T24:00:00Z", "0000-01-01", "0001-01-01", "2101-01-01").map(invalid),
);

const validAmount: fc.Arbitrary<Cell<number>> = fc
  .double({ min: -MAX_MONEY, max: MAX_MONEY, noNaN: true })
  .map((value) => valid(String(value), value + 0));

const invalidAmount: fc.Arbitrary<Cell<never>> = fc.oneof(
  fc
    .double({ min: MAX_MONEY * 1.000001, max: Number.MAX_VALUE, noNaN: true })
    .map((value) => invalid(String(value))),
  fc
    .double({ min: -Number.MAX_VALUE, max: -MAX_MONEY * 1.000001, noNaN: true })
    .map((value) => invalid(String(value))),
  fc.constantFrom("Infinity", "-Infinity", "1e309", "-1e400", "1e308", "0x10", "12abc", "--5").map(invalid),
);

/** Quantity and unit price whose product is in range (as the importer rounds it), or is not. */
const lineItem: fc.Arbitrary<{ quantity: Cell<number>; unitPrice: Cell<number>; product: number | null }> =
  fc.oneof(
    fc
      .tuple(fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -1e5, max: 1e5, noNaN: true }))
      .map(([quantity, price]) => ({
        quantity: valid(String(quantity), quantity + 0),
        unitPrice: valid(String(price), price + 0),
        product: Math.round(quantity * price * 100) / 100 + 0,
      })),
    fc
      .tuple(
        fc.integer({ min: 1_000_000, max: MAX_QUANTITY }),
        fc.double({ min: 1e4, max: MAX_MONEY, noNaN: true }),
        fc.constantFrom(1, -1),
      )
      .map(([quantity, price, sign]) => ({
        quantity: valid(String(sign * quantity), sign * quantity),
        // Valid alone; the product is what is out of range.
        unitPrice: invalid(String(price)),
        product: null,
      })),
    fc.constantFrom("1e200", "1e308", "Infinity", String(MAX_QUANTITY + 1)).map((text) => ({
      quantity: invalid(text),
      unitPrice: valid("1", 1),
      product: null,
    })),
  );

const transactionRow = fc
  .record({
    customer: fc.constantFrom("C1", "C2"),
    date: fc.oneof({ weight: 4, arbitrary: validDate }, { weight: 1, arbitrary: invalidDate }),
    value: fc.oneof(
      { weight: 3, arbitrary: validAmount.map((amount) => ({ amount })) },
      { weight: 1, arbitrary: invalidAmount.map((amount) => ({ amount })) },
      { weight: 2, arbitrary: lineItem },
    ),
  })
  .map(({ customer, date, value }) => {
    const amount = "amount" in value ? value.amount : null;
    const item = "quantity" in value ? value : null;
    const ok = date.ok && (amount ? amount.ok : item!.quantity.ok && item!.unitPrice.ok);
    return {
      cells: [customer, date.text, amount?.text ?? "", item?.quantity.text ?? "", item?.unitPrice.text ?? ""],
      expected: ok
        ? transaction({
            customer,
            occurred_at: date.stored,
            amount: amount ? amount.stored : item!.product,
            quantity: item ? item.quantity.stored : null,
          })
        : null,
    };
  });

const TEXT_UNITS = ["a", "Z", " ", "很", "好", "\t", "\n", ",", '"', "é", "=", "😀"];
const controlCode = fc
  .integer({ min: 0, max: 0x1f })
  .filter((code) => code !== 9 && code !== 10 && code !== 13);

/** Free text: printable characters, tabs and line breaks; sometimes a control character or too long. */
const freeText: fc.Arbitrary<Cell<string>> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .string({ unit: fc.constantFrom(...TEXT_UNITS), maxLength: 40 })
      .map((text) => valid(text, text.trim())),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ unit: fc.constantFrom(...TEXT_UNITS), maxLength: 10 }), controlCode)
      .map(([text, code]) => invalid(`${text}${String.fromCharCode(code)}${text}`)),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom("\u007f", "\u0085", "a\u009b", "x".repeat(MAX_LENGTH.longText + 1))
      .map(invalid),
  },
);

const score: fc.Arbitrary<Cell<number | null>> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 10 }).map((value) => valid(String(value), value)) },
  { weight: 1, arbitrary: fc.constant(valid("", null)) },
  { weight: 1, arbitrary: fc.constantFrom("11", "-1", "1e308", "Infinity", "ten").map(invalid) },
);

const source: fc.Arbitrary<Cell<string>> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .constantFrom("survey", "review", "ticket", "complaint", "Complaint")
      .map((text) => valid(text, text.toLowerCase())),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom("__proto__", "constructor", "toString", "valueOf", "tweet").map(invalid),
  },
);

const feedbackRow = fc
  .record({ date: validDate, source, score, text: freeText })
  .map(({ date, source, score, text }) => {
    // A row needs a score or a text; an empty one is refused.
    const ok = source.ok && score.ok && text.ok && (score.stored !== null || text.stored !== "");
    return {
      cells: ["C1", date.text, source.text, score.text, text.text],
      expected: ok
        ? feedback({
            occurred_at: date.stored,
            source: source.stored,
            score: score.stored,
            text: text.stored,
            status: source.stored === "complaint" || source.stored === "ticket" ? "open" : "resolved",
          })
        : null,
    };
  });

/** How many generated files were imported and how many refused, so both paths are known to run. */
const generated = { imported: 0, refused: 0 };

/**
 * Writes `rows` as CSV under `header`, imports it into a fresh copy of the store, and checks
 * the one rule: all rows valid → exactly those rows stored; otherwise refused at the lines of
 * the invalid rows (each reported once), with the store byte-identical.
 */
async function checkGenerated(
  kind: ImportKind,
  header: string[],
  rows: { cells: string[]; expected: Row | null }[],
  expectedLanguage?: (row: Row) => Row,
): Promise<void> {
  let text = stringify([header]);
  let line = 2;
  const invalidLines: number[] = [];
  for (const row of rows) {
    const written = stringify([row.cells], { quoted: true });
    if (row.expected === null) invalidLines.push(line);
    line += (written.match(/\r\n|\r|\n/g) ?? []).length;
    text += written;
  }
  const outcome = await runImport(kind, text);
  generated[invalidLines.length === 0 ? "imported" : "refused"]++;
  if (invalidLines.length === 0) {
    const expected = rows.map((row) => (expectedLanguage ? expectedLanguage(row.expected!) : row.expected!));
    expectImportedExactly(outcome, kind, expected);
    expect(outcome.report!.duplicates).toBe(0);
  } else {
    expect(outcome.error).toBeUndefined();
    expect(outcome.report!.committed).toBe(false);
    expect(outcome.report!.errors.map((error) => error.line)).toEqual(invalidLines.slice(0, 20));
    expect(outcome.report!.errorCount).toBe(invalidLines.length);
    expect(outcome.after).toEqual(outcome.before);
    expect(outcome.hashAfter).toBe(outcome.hashBefore);
  }
}

describe("generated files", () => {
  afterAll(() => {
    expect(generated.imported).toBeGreaterThan(20);
    expect(generated.refused).toBeGreaterThan(20);
  });

  it("transactions with generated amounts, line items, dates and zones import exactly or are refused at the bad lines", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(transactionRow, { minLength: 1, maxLength: 6 }), (rows) =>
        checkGenerated("transactions", ["customer", "date", "amount", "quantity", "unit_price"], rows),
      ),
      { numRuns: 120, seed: 20260701 },
    );
  });

  it("feedback with generated texts, sources and scores imports exactly or is refused at the bad lines", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(feedbackRow, { minLength: 1, maxLength: 6 }), (rows) =>
        checkGenerated("feedback", ["customer", "date", "source", "score", "text"], rows, (row) => ({
          ...row,
          language: detectLanguage(row.text as string),
        })),
      ),
      { numRuns: 120, seed: 20260702 },
    );
  });
});
