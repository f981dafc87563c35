import { describe, expect, it } from "vitest";
import { sentimentOf } from "../../../core/sentiment.js";
import { importFile } from "../../../mcp-server/import/importFile.js";
import { backfillFeedbackSentiment, feedbackSentiment } from "../../../mcp-server/store/feedbackSentiment.js";
import { recordFeedback } from "../../../mcp-server/tools/recordFeedback.js";
import { writableDeps } from "../../helpers/deps.js";
import { lines } from "../../helpers/tempFiles.js";
import { useTempStore, type TempStore } from "../../helpers/tempStore.js";

const TEXTS: [string, "en" | "zh"][] = [
  ["Delivery was late again and nobody answered my emails.", "en"],
  ["Great service, will order again!", "en"],
  ["客服五天都没有回复我的工单，太慢了。", "zh"],
  ["很满意，下次还会再买。", "zh"],
  ["It arrived.", "en"],
];

async function withCustomers(temp: TempStore) {
  const file = temp.dir.write("customers.csv", lines(["id,name", "C1,Ann Lee", "C2,王芳"]));
  await importFile(temp.store, { kind: "customers", file });
}

type Stored = { text: string; language: string; sentiment: number | null; sentiment_label: string | null };

async function storedFeedback(temp: TempStore): Promise<Stored[]> {
  return temp.store.db.all<Stored>(
    "SELECT text, language, sentiment, sentiment_label FROM feedback ORDER BY id",
  );
}

/** What a row with this text must hold: the analyser's score and label, or nothing without text. */
function expected(text: string, language: "en" | "zh") {
  if (text === "") return { sentiment: null, sentiment_label: null };
  const { score, label } = sentimentOf(text, language);
  return { sentiment: score, sentiment_label: label };
}

describe("feedback sentiment stored at write time", () => {
  it("is the analyser's score and label, and nothing for a blank text", () => {
    for (const [text, language] of TEXTS)
      expect(feedbackSentiment(text, language)).toEqual(expected(text, language));
    expect(feedbackSentiment("", "en")).toEqual({ sentiment: null, sentiment_label: null });
    expect(feedbackSentiment("   ", "zh")).toEqual({ sentiment: null, sentiment_label: null });
  });

  it("is stored by an import for every row with text, in its language, and left empty for rows without", async () => {
    const temp = await useTempStore();
    await withCustomers(temp);
    const file = temp.dir.write(
      "feedback.csv",
      lines([
        "customer,date,score,text",
        ...TEXTS.map(([text], index) => `C${(index % 2) + 1},2024-03-0${index + 1},${index + 3},"${text}"`),
        "C1,2024-03-09,9,",
      ]),
    );
    const report = await importFile(temp.store, { kind: "feedback", file });
    expect(report).toMatchObject({ committed: true, inserted: TEXTS.length + 1 });
    const stored = await storedFeedback(temp);
    expect(stored).toEqual([
      ...TEXTS.map(([text, language]) => ({ text, language, ...expected(text, language) })),
      { text: "", language: "en", sentiment: null, sentiment_label: null },
    ]);
  });

  it("is stored by record_feedback, and its label is the one the tool answers with", async () => {
    const temp = await useTempStore();
    await withCustomers(temp);
    const deps = writableDeps(temp.store, new Date("2024-06-01T12:00:00Z"));
    const [text, language] = TEXTS[2];
    const written = await recordFeedback(deps, { customer_id: "C2", source: "complaint", text });
    const scoreOnly = await recordFeedback(deps, { customer_id: "C1", source: "nps", score: 9 });
    expect(written.feedback.sentiment).toBe(expected(text, language).sentiment_label);
    expect(scoreOnly.feedback.sentiment).toBeNull();
    expect(await storedFeedback(temp)).toEqual([
      { text, language, ...expected(text, language) },
      { text: "", language: "en", sentiment: null, sentiment_label: null },
    ]);
  });
});

describe("backfillFeedbackSentiment", () => {
  it("fills in rows from older versions batch by batch, leaves rows without text alone, and does nothing a second time", async () => {
    const temp = await useTempStore();
    await withCustomers(temp);
    const db = temp.store.db;
    // Rows as a version before migration 5 wrote them: text, no sentiment.
    const rows = Array.from({ length: 23 }, (_, index) => {
      const [text, language] = index % 6 === 5 ? ["", "en" as const] : TEXTS[index % TEXTS.length];
      return [`F${index}`, 1, "2024-03-01T00:00:00Z", "survey", null, text, language];
    });
    await db.insertRows(
      "feedback",
      ["external_id", "customer_id", "occurred_at", "source", "score", "text", "language"],
      rows.map((row) => (row[5] === "" ? [...row.slice(0, 4), 5, ...row.slice(5)] : row)),
    );
    // One row already has a value (written by this version): it is not read or changed.
    await db.run(
      "UPDATE feedback SET sentiment = 0.5, sentiment_label = 'positive' WHERE external_id = 'F0'",
    );

    const withText = rows.filter((row) => row[5] !== "").length;
    expect(await backfillFeedbackSentiment(temp.store, 4)).toBe(withText - 1);
    const stored = await db.all<Stored & { external_id: string }>(
      "SELECT external_id, text, language, sentiment, sentiment_label FROM feedback ORDER BY id",
    );
    for (const row of stored) {
      if (row.external_id === "F0")
        expect(row).toMatchObject({ sentiment: 0.5, sentiment_label: "positive" });
      else expect(row).toMatchObject(expected(row.text, row.language as "en" | "zh"));
    }
    const version = await temp.store.dataVersion();
    const filled = await db.all("SELECT * FROM feedback ORDER BY id");
    expect(await backfillFeedbackSentiment(temp.store, 4)).toBe(0);
    expect(await db.all("SELECT * FROM feedback ORDER BY id")).toEqual(filled);
    // Derived from text that did not change: cached scores stay valid.
    expect(await temp.store.dataVersion()).toBe(version);
  });
});
