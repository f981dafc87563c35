import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  analyseFeedback,
  csatScore,
  detectLanguage,
  npsScore,
  sentimentOf,
  type FeedbackItem,
} from "../../core/feedback.js";
import { tokenize } from "../../core/sentiment.js";

describe("npsScore and csatScore", () => {
  it("gives 30 for 5 promoters, 3 passives and 2 detractors", () => {
    expect(npsScore([9, 10, 9, 10, 9, 7, 8, 7, 3, 6])).toEqual({
      score: 30,
      promoters: 5,
      passives: 3,
      detractors: 2,
      responses: 10,
    });
  });

  it("stays within -100..100", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 200 }), (scores) => {
        const { score } = npsScore(scores);
        return score !== null && score >= -100 && score <= 100;
      }),
    );
    expect(npsScore([]).score).toBeNull();
  });

  it("counts 4 and 5 as satisfied for CSAT", () => {
    expect(csatScore([5, 4, 3, 1])).toEqual({ score: 50, satisfied: 2, responses: 4 });
  });

  it("rejects answers off the scale with a hint", () => {
    expect(() => npsScore([11])).toThrow(/scores\[0\].*0 to 10/);
    expect(() => csatScore([0])).toThrow(/scoreType: "nps"/);
  });
});

describe("sentimentOf", () => {
  it("uses the built-in Chinese word segmenter (full ICU)", () => {
    const segments = Array.from(
      new Intl.Segmenter("zh", { granularity: "word" }).segment("质量很差"),
      (s) => s.segment,
    );
    expect(segments).toEqual(["质量", "很", "差"]);
    expect(tokenize("客服态度很好").map((token) => token.text)).toEqual(["客服", "态度", "很", "好"]);
  });

  it("flips English sentiment under negation", () => {
    expect(sentimentOf("good").label).toBe("positive");
    expect(sentimentOf("not good").label).toBe("negative");
    expect(sentimentOf("The service was not good at all").label).toBe("negative");
    expect(sentimentOf("not bad").label).toBe("positive");
    expect(sentimentOf("no problem").label).toBe("positive");
    expect(sentimentOf("The parcel never arrived.").label).toBe("negative");
    expect(sentimentOf("It didn't work").label).toBe("negative");
    expect(sentimentOf("I don’t like it").label).toBe("negative");
  });

  it("flips Chinese sentiment under negation", () => {
    expect(sentimentOf("好").label).toBe("positive");
    expect(sentimentOf("不好").label).toBe("negative");
    expect(sentimentOf("满意").label).toBe("positive");
    expect(sentimentOf("不满意").label).toBe("negative");
    expect(sentimentOf("不是很满意").label).toBe("negative");
    expect(sentimentOf("问题").label).toBe("negative");
    expect(sentimentOf("没有问题").label).toBe("positive");
    expect(sentimentOf("退款一直没到账").label).toBe("negative");
    expect(sentimentOf("不推荐").label).toBe("negative");
  });

  it("makes intensified words stronger and softened ones weaker", () => {
    expect(sentimentOf("very good").score).toBeGreaterThan(sentimentOf("good").score);
    expect(sentimentOf("slightly slow").score).toBeGreaterThan(sentimentOf("slow").score);
    expect(sentimentOf("太慢了").score).toBeLessThan(sentimentOf("慢").score);
    expect(sentimentOf("好慢啊").label).toBe("negative");
  });

  it("weighs the part after 'but' / '但是' more", () => {
    expect(sentimentOf("The price is great but the delivery was terribly slow").label).toBe("negative");
    expect(sentimentOf("Delivery was slow but the product is excellent").label).toBe("positive");
    expect(sentimentOf("质量不错，但是发货太慢了").label).toBe("negative");
  });

  it("does not read 'would like' or 贵公司 as opinions", () => {
    expect(sentimentOf("I would like to update my address").label).toBe("neutral");
    expect(sentimentOf("贵公司的地址是什么").label).toBe("neutral");
  });

  it("keeps scores in (-1, 1) and never NaN on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const { score } = sentimentOf(text);
        return Number.isFinite(score) && score > -1 && score < 1;
      }),
    );
  });
});

describe("detectLanguage", () => {
  it("says zh when Chinese characters dominate", () => {
    expect(detectLanguage("物流太慢了")).toBe("zh");
    expect(detectLanguage("这个app很好用 but slow")).toBe("zh");
    expect(detectLanguage("The delivery was slow")).toBe("en");
    expect(detectLanguage("I love 北京")).toBe("en");
    expect(detectLanguage("")).toBe("en");
  });
});

const SAMPLE: FeedbackItem[] = [
  { id: "e1", text: "Delivery was late and the package arrived damaged.", score: 3, source: "nps" },
  { id: "e2", text: "Great quality, but shipping took forever.", score: 7, source: "nps" },
  { id: "e3", text: "Customer service was rude and never replied.", score: 1, source: "nps" },
  { id: "e4", text: "Love it! The price is reasonable and delivery was on time.", score: 10, source: "nps" },
  { id: "z1", text: "物流太慢了，等了一个星期才到货。", score: 2, source: "survey" },
  { id: "z2", text: "质量不错，但是价格太贵了。", score: 4, source: "survey" },
  { id: "z3", text: "客服态度很好，很快就解决了。", score: 5, source: "survey" },
  { id: "z4", text: "发货太慢，快递员态度也很差。", score: 1, source: "survey" },
];

describe("analyseFeedback", () => {
  const result = analyseFeedback(SAMPLE);
  const theme = (key: string) => result.themes.find((summary) => summary.theme === key);

  it("computes NPS from nps items and CSAT from the rest", () => {
    expect(result.nps).toMatchObject({ promoters: 1, passives: 1, detractors: 2, responses: 4, score: -25 });
    expect(result.csat).toMatchObject({ satisfied: 2, responses: 4, score: 50 });
  });

  it("detects themes in English and Chinese with counts and sentiment", () => {
    expect(theme("delivery")).toMatchObject({ count: 5, label: { en: "Delivery", zh: "物流配送" } });
    expect(theme("delivery")?.sentiment).toMatchObject({ positive: 1, negative: 4 });
    expect(theme("support")?.count).toBe(3);
    expect(theme("price")?.count).toBe(2);
    expect(theme("quality")?.count).toBe(3);
    // The item that praises quality and complains about price counts once on each side.
    const mixed = result.items.find((item) => item.id === "z2");
    expect(mixed?.themes).toEqual([
      { theme: "price", score: expect.any(Number), label: "negative" },
      { theme: "quality", score: expect.any(Number), label: "positive" },
    ]);
    expect(result.themes.map((summary) => summary.count)).toEqual(
      [...result.themes.map((summary) => summary.count)].sort((a, b) => b - a),
    );
  });

  it("lists top terms and phrases with counts, without stop words", () => {
    const delivery = theme("delivery")!;
    // Ties are ordered by code unit, so the English term comes before the Chinese one.
    expect(delivery.topTerms.slice(0, 2)).toEqual([
      { term: "delivery", count: 2 },
      { term: "慢", count: 2 },
    ]);
    expect(delivery.topTerms.map((entry) => entry.term)).not.toContain("the");
    expect(delivery.topTerms.map((entry) => entry.term)).not.toContain("了");
    expect(delivery.topPhrases.map((entry) => entry.phrase)).toContain("delivery late");
    expect(theme("price")!.topPhrases.map((entry) => entry.phrase)).toContain("价格太贵");
  });

  it("chooses quotes deterministically: strongest, then shortest, then earliest", () => {
    const again = analyseFeedback([...SAMPLE]);
    expect(again.quotes).toEqual(result.quotes);
    expect(result.quotes.negative[0].id).toBe("z4");
    expect(result.quotes.positive.map((quote) => quote.id)).toEqual(["z3", "e4"]);
    const tie = analyseFeedback([
      { id: "long", text: "The delivery was late." },
      { id: "later", text: "Delivery late.", timestamp: new Date("2024-03-02T00:00:00Z") },
      { id: "earlier", text: "Delivery late.", timestamp: new Date("2024-03-01T00:00:00Z") },
    ]);
    expect(tie.quotes.negative.map((quote) => quote.id)).toEqual(["earlier", "later", "long"]);
    expect(tie.themes[0].quotes.map((quote) => quote.id)).toEqual(["earlier", "later", "long"]);
  });

  it("shortens long quotes", () => {
    const long = analyseFeedback([{ text: `Terrible. ${"x ".repeat(300)}` }], { quoteLength: 40 });
    expect(Array.from(long.quotes.negative[0].text)).toHaveLength(40);
    expect(long.quotes.negative[0].text.endsWith("…")).toBe(true);
  });

  it("counts score-only answers for NPS but not for sentiment", () => {
    const scoresOnly = analyseFeedback([
      { text: "", score: 10, scoreType: "nps" },
      { text: "", score: 0, scoreType: "nps" },
    ]);
    expect(scoresOnly.nps?.score).toBe(0);
    expect(scoresOnly.sentimentMix.total).toBe(0);
    expect(scoresOnly.themes).toEqual([]);
  });

  it("explains a score on the wrong scale", () => {
    expect(() => analyseFeedback([{ id: "f9", text: "ok", score: 9, source: "survey" }])).toThrow(
      /items\[0\] \(id f9\).*scoreType: "nps"/,
    );
  });
});
