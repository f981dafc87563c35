import { describe, expect, it } from "vitest";
import { sentimentOf, tokenize, type SentimentLabel } from "../../core/sentiment.js";

// Labels are what a person reading the feedback would say, not what the analyser happened to
// output: each line is a review, complaint, ticket or NPS comment, many with negation, degree
// words, double negation or a "but".
type Labelled = readonly [text: string, label: SentimentLabel];

const ENGLISH: readonly Labelled[] = [
  // Negated negatives and litotes read as (mild) praise.
  ["Not bad at all, the delivery was quicker than I expected.", "positive"],
  ["Not too bad for the price.", "positive"],
  ["Honestly not bad, I'd buy it again.", "positive"],
  ["No problem at all, thanks for the quick reply.", "positive"],
  ["I had no issues with my order.", "positive"],
  ["Nothing wrong with the product, it works as advertised.", "positive"],
  ["Can't complain, the support team sorted it out in a day.", "positive"],
  ["Can’t complain about the price either.", "positive"],
  ["I was never disappointed by this shop.", "positive"],
  ["I wasn't disappointed at all.", "positive"],
  ["Works perfectly, no complaints.", "positive"],
  ["I don't have any complaints about the service.", "positive"],
  ["The app doesn't crash anymore, thanks for fixing it.", "positive"],
  ["I've never had a bad experience with your team.", "positive"],
  ["I can't fault the installers, they were quick and tidy.", "positive"],
  // "Couldn't be happier" and "can't ... enough" are praise, not negation.
  ["I couldn't be happier with the new plan.", "positive"],
  ["Couldn’t be better, thank you!", "positive"],
  ["We could not be more pleased with the onboarding.", "positive"],
  ["I can't recommend them enough.", "positive"],
  ["Can't thank you enough for sorting out my account.", "positive"],
  ["I can't say enough good things about the team.", "positive"],
  // Double negation.
  ["There was nothing I didn't like about it.", "positive"],
  ["Not unhappy with the result overall.", "positive"],
  // "Not only" adds, it does not negate.
  ["Not only was delivery fast, the packaging was great too.", "positive"],
  ["Not just cheap but also really sturdy.", "positive"],
  // Plain praise, with degree words.
  ["The agent was very helpful and polite.", "positive"],
  ["Great product, I would definitely recommend it to friends.", "positive"],
  ["Absolutely love the new dashboard.", "positive"],
  ["Five stars, fast shipping and well packaged.", "positive"],
  ["Pretty good value for money.", "positive"],
  ["Score 9 because the team is always responsive.", "positive"],
  ["Will buy again.", "positive"],
  ["Would use them again for our next move.", "positive"],
  // A "but" turns the sentence towards what follows.
  ["Delivery was a bit slow but the quality is excellent.", "positive"],
  ["It isn't cheap, but it's worth every penny.", "positive"],
  ["I was worried at first, but the setup was really easy.", "positive"],

  // Negated praise reads as criticism.
  ["I wouldn't recommend this company to anyone.", "negative"],
  ["I wouldn’t recommend them.", "negative"],
  ["I would not recommend it.", "negative"],
  ["Don't recommend, the item arrived broken.", "negative"],
  ["Won't buy again.", "negative"],
  ["I won’t be ordering again.", "negative"],
  ["I will never order from here again.", "negative"],
  ["Not a fan of the new checkout.", "negative"],
  ["Not very good, the strap broke after a week.", "negative"],
  ["The support agent was hardly helpful.", "negative"],
  ["I'm no longer happy with the service.", "negative"],
  ["I didn't like the new layout.", "negative"],
  ["The quality isn't great.", "negative"],
  ["Not happy at all.", "negative"],
  ["I'm not satisfied with the answer I got.", "negative"],
  ["Not worth the money.", "negative"],
  ["Shipping is never on time.", "negative"],
  ["Not the best experience, the checkout kept failing.", "negative"],
  // Expected events that did not happen.
  ["The package never arrived and nobody replied to my emails.", "negative"],
  ["I was charged twice and still haven't received a refund.", "negative"],
  ["It stopped working after two days.", "negative"],
  ["I'd like a refund, the item doesn't work.", "negative"],
  ["The refund hasn't arrived yet.", "negative"],
  ["This spray can't get it clean enough.", "negative"],
  ["The app can't load more than ten photos at once.", "negative"],
  // Plain complaints, with degree words.
  ["Very disappointed with the delivery.", "negative"],
  ["Terrible customer service, I waited two hours on the phone.", "negative"],
  ["The app keeps crashing.", "negative"],
  ["Way too expensive for what you get.", "negative"],
  ["The order arrived late and the box was damaged.", "negative"],
  ["It couldn't be worse.", "negative"],
  // A "but" turns the sentence towards what follows.
  ["The product is great, but the support was useless.", "negative"],
  ["It works, but it's far too slow.", "negative"],
  ["Decent product but not worth the price.", "negative"],

  // No opinion, even with "not", "like" or an expected event in it.
  ["I would like to change my delivery address.", "neutral"],
  ["Please call me back tomorrow morning.", "neutral"],
  ["What are your opening hours?", "neutral"],
  ["The order number is 4521.", "neutral"],
  ["I received the invoice by email.", "neutral"],
  ["Can you send me the user manual?", "neutral"],
  ["We ordered three units for the Berlin office.", "neutral"],
  ["The parcel arrived on Tuesday.", "neutral"],
  ["I bought this as a gift for my sister.", "neutral"],
  ["Is the blue version available in large?", "neutral"],
  ["I don't have my order number with me.", "neutral"],
  ["I haven't used it yet.", "neutral"],
  ["It looks like the product in the photo.", "neutral"],
  ["How do I update my payment details?", "neutral"],
  ["The technician is scheduled to visit on Friday.", "neutral"],
  ["Not sure which size to pick.", "neutral"],
  ["I ordered again yesterday, the order number is 5531.", "neutral"],
];

const CHINESE: readonly Labelled[] = [
  // 否定 + 负面词：温和的正面。
  ["没有问题，很满意。", "positive"],
  ["用了一个月，没有什么问题。", "positive"],
  ["毫无问题，值得购买。", "positive"],
  ["安装师傅很专业，没有任何问题。", "positive"],
  ["用了三个月，一点问题都没有。", "positive"],
  ["没有想象中那么差，还挺耐用的。", "positive"],
  ["并不差，比我想象的好。", "positive"],
  ["不算差，价格也合理。", "positive"],
  ["没那么差，还可以接受。", "positive"],
  ["一点也不贵，很划算。", "positive"],
  ["不贵，而且质量很好。", "positive"],
  ["不是很贵，性价比不错。", "positive"],
  ["不会失望的，放心买。", "positive"],
  ["用了半年了，从来没出过故障。", "positive"],
  ["现在不再卡顿了，谢谢技术支持。", "positive"],
  // 双重否定。
  ["没有不满意的地方。", "positive"],
  ["家里人没有不喜欢的。", "positive"],
  ["不得不说，这家店的服务真的很贴心。", "positive"],
  // 程度词与普通好评。
  ["还不错，会回购。", "positive"],
  ["挺好的，下次还来。", "positive"],
  ["质量很好，物流也很快。", "positive"],
  ["客服态度非常好，耐心解答了我的问题。", "positive"],
  ["性价比很高，推荐购买。", "positive"],
  ["五星好评！", "positive"],
  ["一直很满意，绝对会再来。", "positive"],
  ["发货速度比预期快。", "positive"],
  ["没想到这么便宜还这么好用。", "positive"],
  ["从来没有遇到过这么好的客服。", "positive"],
  ["客服回复很及时，问题很快就解决了。", "positive"],
  ["包装特别精美，送人很有面子。", "positive"],
  // 转折：后半句为主。
  ["虽然有点贵，但是质量确实好。", "positive"],
  ["物流慢了点，不过东西超级好用。", "positive"],

  // 否定 + 正面词：负面。
  ["不会推荐给朋友。", "negative"],
  ["不太满意，做工比较粗糙。", "negative"],
  ["非常不好，再也不买了。", "negative"],
  ["不怎么好用。", "negative"],
  ["一点也不好，跟图片差太多了。", "negative"],
  ["不是很满意，尺寸偏小。", "negative"],
  ["再也不买了。", "negative"],
  ["绝对不会再来了。", "negative"],
  ["不推荐，质量太差。", "negative"],
  ["不值这个价。", "negative"],
  ["没那么好，有点失望。", "negative"],
  ["一点儿也不满意。", "negative"],
  ["绝不推荐。", "negative"],
  ["不太好用，经常卡顿。", "negative"],
  ["不是很好，一般般吧。", "negative"],
  ["质量不怎么样。", "negative"],
  ["毫无诚意，不会再来了。", "negative"],
  ["实物没有图片上那么好看。", "negative"],
  ["并没有宣传的那么好用。", "negative"],
  ["才用三天就无法使用了。", "negative"],
  ["根本不值这个价钱。", "negative"],
  // 程度词与普通差评。
  ["有点慢，等了一个星期。", "negative"],
  ["太贵了，不值得。", "negative"],
  ["不便宜，质量也一般。", "negative"],
  ["用了两天就坏了，非常失望。", "negative"],
  ["服务态度很差，爱答不理的。", "negative"],
  ["客服一直不回复，太失望了。", "negative"],
  // 期望落空。
  ["快递三天了还没到。", "negative"],
  ["退款到现在都没有到账。", "negative"],
  ["收到的商品有破损，申请退款也没人理。", "negative"],
  ["说好的三天发货，结果一周都没发。", "negative"],
  ["从不回复消息。", "negative"],
  // 转折：后半句为主。
  ["包装很精美，但是东西坏了。", "negative"],
  ["质量还行，但是价格太贵了。", "negative"],

  // 没有评价的句子，即使含有“不”“好”“麻烦”之类的字。
  ["请问什么时候发货？", "neutral"],
  ["我想修改收货地址。", "neutral"],
  ["订单号是12345。", "neutral"],
  ["已经收到货了。", "neutral"],
  ["这个颜色有大号的吗？", "neutral"],
  ["发票请寄到公司。", "neutral"],
  ["我上周买了两件衣服。", "neutral"],
  ["能不能开发票？", "neutral"],
  ["麻烦帮我查一下物流。", "neutral"],
  ["麻烦您明天上午送过来。", "neutral"],
  ["你们的营业时间是几点到几点？", "neutral"],
  ["我想咨询一下会员积分怎么用。", "neutral"],
  ["快递今天上午到了。", "neutral"],
  ["我是第一次在你们店买东西。", "neutral"],
  ["我不在家，请放快递柜。", "neutral"],
  ["不知道怎么安装，有说明书吗？", "neutral"],
  ["我买了好几次了，这次想换个颜色。", "neutral"],
];

describe("sentimentOf on labelled customer feedback", () => {
  it("has at least 60 labelled sentences per language, covering all three labels", () => {
    for (const table of [ENGLISH, CHINESE]) {
      expect(table.length).toBeGreaterThanOrEqual(60);
      expect(new Set(table.map(([, label]) => label))).toEqual(new Set(["positive", "negative", "neutral"]));
    }
  });

  it.each(ENGLISH)("labels the English %j as %s", (text, label) => {
    expect(sentimentOf(text, "en").label).toBe(label);
  });

  it.each(CHINESE)("labels the Chinese %j as %s", (text, label) => {
    expect(sentimentOf(text, "zh").label).toBe(label);
  });
});

const score = (text: string): number => sentimentOf(text).score;

describe("negation", () => {
  it("turns praise into criticism: 不会推荐, 不太满意, wouldn't recommend", () => {
    for (const text of [
      "不会推荐",
      "不太满意",
      "非常不好",
      "不推荐",
      "不值",
      "wouldn't recommend",
      "isn't great",
    ]) {
      expect(sentimentOf(text).label, text).toBe("negative");
    }
  });

  it("makes a negated complaint mildly positive: weaker than the plain praise word", () => {
    expect(score("没有问题")).toBeGreaterThan(0);
    expect(score("并不差")).toBeGreaterThan(0);
    expect(score("不算差")).toBeGreaterThan(0);
    expect(score("no problem")).toBeGreaterThan(0);
    expect(score("not bad")).toBeGreaterThan(0);
    expect(score("并不差")).toBeLessThan(score("好"));
    expect(score("不算差")).toBeLessThan(score("好"));
    expect(score("没有问题")).toBeLessThan(score("好"));
    expect(score("not bad")).toBeLessThan(score("good"));
    expect(score("no problem")).toBeLessThan(score("good"));
  });

  it("makes a negated praise word less negative than the opposite word (damping 0.74)", () => {
    expect(score("not good")).toBeGreaterThan(score("bad"));
    expect(score("并不好")).toBeGreaterThan(score("差"));
  });

  it("reads contractions with a straight or curly apostrophe the same way", () => {
    for (const [straight, curly] of [
      ["I wouldn't recommend it", "I wouldn’t recommend it"],
      ["Won't buy again", "Won’t buy again"],
      ["I can't complain", "I can’t complain"],
      ["It isn't great", "It isn’t great"],
    ]) {
      expect(score(curly)).toBe(score(straight));
      expect(score(straight)).not.toBe(0);
    }
  });

  it("reads 'couldn't be happier' and 'can't recommend enough' as praise, 'couldn't be worse' as criticism", () => {
    expect(score("couldn't be happier")).toBeGreaterThan(score("happy"));
    expect(score("I can't recommend them enough")).toBeGreaterThan(score("I recommend them"));
    expect(score("It could not be worse")).toBeLessThan(0);
  });

  it("negates a Chinese word from after it when the negator ends the clause: 问题都没有", () => {
    expect(sentimentOf("一点问题都没有").label).toBe("positive");
    expect(sentimentOf("回复都没有").label).toBe("negative");
    expect(sentimentOf("问题没有解决").label).toBe("negative");
  });

  it("reads 没有…那么好 as 没那么好 even past the three-word lookback", () => {
    expect(score("没有想象中那么好")).toBeCloseTo(score("没那么好"), 10);
    expect(score("从来没有遇到过这么好的客服")).toBeGreaterThan(0);
  });

  it("stops at a clause break: 'not' before a comma does not flip what follows", () => {
    expect(sentimentOf("Not sure, but the staff were friendly").label).toBe("positive");
    expect(sentimentOf("不知道，不过客服很热情").label).toBe("positive");
  });

  it("keeps Chinese negators and degree words as tokens of their own", () => {
    const texts = (sentence: string) => tokenize(sentence).map((token) => token.text);
    expect(texts("不会推荐")).toEqual(["不会", "推荐"]);
    expect(texts("一点也不贵")).toEqual(["一点也", "不", "贵"]);
    expect(texts("没那么好")).toEqual(["没那么", "好"]);
    expect(texts("不太好用")).toEqual(["不太", "好用"]);
  });
});

describe("degree words", () => {
  it("make Chinese praise stronger or weaker: 非常满意 > 满意 > 比较满意", () => {
    expect(score("非常满意")).toBeGreaterThan(score("满意"));
    expect(score("满意")).toBeGreaterThan(score("比较满意"));
    expect(score("特别好")).toBeGreaterThan(score("好"));
    expect(score("超级好用")).toBeGreaterThan(score("好用"));
  });

  it("make Chinese complaints stronger or weaker: 太慢了 < 慢 < 有点慢, 非常不好 < 不好", () => {
    expect(score("太慢了")).toBeLessThan(score("慢"));
    expect(score("慢")).toBeLessThan(score("有点慢"));
    expect(score("有点慢")).toBeLessThan(0);
    expect(score("非常不好")).toBeLessThan(score("不好"));
    expect(score("极其糟糕")).toBeLessThan(score("糟糕"));
    expect(score("一点也不好")).toBeLessThan(score("不好"));
    expect(score("贵了点")).toBeGreaterThan(score("贵"));
    expect(score("贵了点")).toBeLessThan(0);
  });

  it("make English words stronger or weaker: very good > good > fairly good, extremely slow < slow < a bit slow", () => {
    expect(score("very good")).toBeGreaterThan(score("good"));
    expect(score("good")).toBeGreaterThan(score("fairly good"));
    expect(score("extremely slow")).toBeLessThan(score("slow"));
    expect(score("slow")).toBeLessThan(score("a bit slow"));
    expect(score("a bit slow")).toBeLessThan(0);
  });

  it("soften a negation: 'not very good' and 不太满意 are milder than 'not good' and 不满意", () => {
    expect(score("not very good")).toBeLessThan(0);
    expect(score("not very good")).toBeGreaterThan(score("not good"));
    expect(score("不太满意")).toBeLessThan(0);
    expect(score("不太满意")).toBeGreaterThan(score("不满意"));
    expect(score("不是很满意")).toBeGreaterThan(score("不满意"));
  });
});

describe("long texts", () => {
  it("reads a 0.7 MB review without running out of stack", () => {
    expect(sentimentOf("bad ".repeat(175_000)).label).toBe("negative");
  });
});
