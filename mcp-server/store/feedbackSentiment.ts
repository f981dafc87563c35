import { sentimentOf, type FeedbackLanguage, type SentimentLabel } from "../../core/sentiment.js";
import type { Store } from "./store.js";

/**
 * The sentiment a feedback row keeps (`feedback.sentiment`, `feedback.sentiment_label`, added by
 * migration 5). It is computed once, when the row is written (imports, `record_feedback`, the
 * demo), so feedback analytics and scoring count negatives in SQL instead of re-reading every
 * text; `backfillFeedbackSentiment` fills it in for rows written by older versions.
 */
export interface StoredSentiment {
  /** `sentimentOf(text, language).score`, in (-1, 1); null for a row without text. */
  sentiment: number | null;
  sentiment_label: SentimentLabel | null;
}

const NO_TEXT: StoredSentiment = { sentiment: null, sentiment_label: null };

/**
 * The sentiment to store for a feedback text. A blank text has none (null). A text the analyser
 * cannot read counts as neutral, as scoring has always treated it, rather than failing the write.
 */
export function feedbackSentiment(text: string, language: FeedbackLanguage | null): StoredSentiment {
  if (text.trim() === "") return NO_TEXT;
  try {
    const { score, label } = sentimentOf(text, language ?? undefined);
    return { sentiment: score, sentiment_label: label };
  } catch {
    return { sentiment: 0, sentiment_label: "neutral" };
  }
}

/** Rows read and written per step of the backfill: small enough to keep each write lock short. */
export const BACKFILL_BATCH_ROWS = 2000;

/**
 * Fills in the stored sentiment of feedback rows that have text but no sentiment yet (stores
 * written before migration 5, or rows inserted by hand). Works through the rows in id order, a
 * batch of `BACKFILL_BATCH_ROWS` per transaction, so readers and writers in other processes get
 * their turn between batches and memory stays flat on any book. Idempotent: rows that already
 * have a sentiment are never read, so a second call finds nothing to do. It does not bump the data
 * version: the sentiment is derived from the text, which has not changed.
 *
 * @returns how many rows were filled in.
 */
export async function backfillFeedbackSentiment(
  store: Store,
  batchRows = BACKFILL_BATCH_ROWS,
): Promise<number> {
  let filled = 0;
  let afterId = 0;
  for (;;) {
    // `text <> ''` and the id range keep the scan to the rows still missing a value; a blank
    // text (spaces only) gets no sentiment, so it is skipped by the id cursor, not re-read forever.
    const rows = await store.db.all<{ id: number; text: string; language: FeedbackLanguage | null }>(
      `SELECT id, text, language FROM feedback
       WHERE sentiment IS NULL AND text <> '' AND id > ? ORDER BY id LIMIT ?`,
      [afterId, batchRows],
    );
    if (rows.length === 0) return filled;
    afterId = rows[rows.length - 1].id;
    const values = rows.flatMap(({ id, text, language }) => {
      const { sentiment, sentiment_label } = feedbackSentiment(text, language);
      return sentiment === null ? [] : [id, sentiment, sentiment_label];
    });
    if (values.length === 0) continue;
    const tuples = Array.from({ length: values.length / 3 }, () => "(?, ?, ?)").join(", ");
    await store.db.transaction(async () => {
      const { changes } = await store.db.run(
        `WITH computed (id, sentiment, sentiment_label) AS (VALUES ${tuples})
         UPDATE feedback SET sentiment = computed.sentiment, sentiment_label = computed.sentiment_label
         FROM computed WHERE feedback.id = computed.id AND feedback.sentiment IS NULL`,
        values,
      );
      filled += changes;
    });
  }
}
