/**
 * Feedback themes (price, delivery, support, quality, product range, billing) with keyword lists
 * in English and Chinese, and the stop words left out of term counts.
 *
 * Matching rules: an English keyword matches a whole token, where known multi-word keywords
 * ("customer service", "on time") are single tokens; a Chinese keyword of two or more characters
 * matches anywhere in the text (Chinese has no spaces, and these words are unambiguous), while a
 * one-character keyword (贵, 钱) must be a token of its own so that 贵公司 is not about price.
 */

import type { Bilingual } from "./i18n.js";

/** Theme keys. */
export type ThemeKey = "price" | "delivery" | "support" | "quality" | "range" | "billing";

/** A theme's labels and keywords. */
export interface ThemeInfo {
  key: ThemeKey;
  label: Bilingual;
  keywords: { en: readonly string[]; zh: readonly string[] };
}

/** The themes in display order. */
// prettier-ignore
export const THEMES: Readonly<Record<ThemeKey, ThemeInfo>> = {
  price: {
    key: "price",
    label: { en: "Price", zh: "价格" },
    keywords: {
      en: [
        "price", "prices", "priced", "pricing", "cost", "costs", "costly", "expensive", "cheap", "cheaper",
        "cheapest", "affordable", "overpriced", "pricey", "value for money", "discount", "discounts",
        "coupon", "coupons", "deal", "deals", "bargain", "money", "promotion", "promo", "rip off", "rip-off",
        "ripoff", "worth the money", "too much",
      ],
      zh: [
        "价格", "价钱", "价位", "定价", "贵", "便宜", "实惠", "划算", "性价比", "优惠", "折扣", "打折", "降价", "涨价", "昂贵", "物美价廉", "值",
        "钱", "费用", "运费", "优惠券", "促销", "超值", "不值", "物超所值", "偏贵", "太贵",
      ],
    },
  },
  delivery: {
    key: "delivery",
    label: { en: "Delivery", zh: "物流配送" },
    keywords: {
      en: [
        "delivery", "deliveries", "deliver", "delivered", "delivering", "shipping", "shipped", "ship",
        "shipment", "courier", "package", "packages", "parcel", "arrive", "arrived", "arrival", "arrives",
        "dispatch", "dispatched", "tracking", "postage", "on time", "late", "transit", "carrier", "logistics",
        "postman", "fedex", "ups", "dhl", "usps", "packaging",
      ],
      zh: [
        "物流", "快递", "送货", "发货", "到货", "配送", "运输", "运费", "包裹", "包装", "签收", "收货", "派送", "快递员", "送达", "送到", "顺丰",
        "邮寄", "延误", "丢件", "漏发", "错发", "少发", "物流信息", "寄",
      ],
    },
  },
  support: {
    key: "support",
    label: { en: "Customer support", zh: "客户服务" },
    keywords: {
      en: [
        "support", "service", "customer service", "customer support", "staff", "agent", "agents",
        "representative", "rep", "help desk", "helpdesk", "call center", "call centre", "hotline", "phone",
        "chat", "respond", "response", "responded", "reply", "replied", "helpful", "unhelpful", "rude",
        "polite", "assistance", "complaint", "complaints", "ticket", "tickets", "contacted", "manager",
        "after-sales", "unresponsive", "courteous",
      ],
      zh: [
        "客服", "服务", "售后", "态度", "服务态度", "回复", "响应", "解答", "人工", "电话", "热线", "专员", "工作人员", "店员", "销售", "经理",
        "投诉", "沟通", "处理", "耐心", "热情", "敷衍", "推诿", "客服人员", "售后服务", "咨询",
      ],
    },
  },
  quality: {
    key: "quality",
    label: { en: "Product quality", zh: "产品质量" },
    keywords: {
      en: [
        "quality", "broken", "broke", "damaged", "defective", "faulty", "durable", "sturdy", "flimsy",
        "material", "materials", "build", "built", "well made", "well-made", "break", "breaks", "cracked",
        "scratched", "defect", "defects", "reliable", "unreliable", "lasted", "fake", "genuine", "authentic",
        "craftsmanship", "fell apart", "falls apart", "expired", "fresh",
      ],
      zh: [
        "质量", "品质", "做工", "材质", "材料", "用料", "坏", "破损", "损坏", "瑕疵", "次品", "劣质", "耐用", "结实", "正品", "假货", "质感",
        "手感", "故障", "毛病", "粗糙", "精致", "过期", "变质", "新鲜", "口感", "效果",
      ],
    },
  },
  range: {
    key: "range",
    label: { en: "Product range", zh: "商品种类" },
    keywords: {
      en: [
        "range", "selection", "choice", "choices", "variety", "options", "stock", "out of stock", "sizes",
        "colors", "colours", "models", "catalog", "catalogue", "assortment", "availability", "unavailable",
      ],
      zh: [
        "种类", "品种", "款式", "选择", "品类", "颜色", "尺码", "型号", "缺货", "断货", "库存", "新品", "上新", "货源", "齐全", "单一",
      ],
    },
  },
  billing: {
    key: "billing",
    label: { en: "Billing", zh: "账单与付款" },
    keywords: {
      en: [
        "bill", "billing", "billed", "invoice", "invoices", "invoiced", "charge", "charged", "charges",
        "overcharged", "payment", "payments", "paid", "refund", "refunds", "refunded", "receipt",
        "subscription", "renewal", "double charged", "charged twice", "credit card", "fee", "fees",
        "hidden fees", "vat",
      ],
      zh: [
        "账单", "发票", "扣费", "扣款", "收费", "付款", "支付", "退款", "到账", "充值", "续费", "自动续费", "订阅", "多扣", "乱收费", "重复扣费",
        "收据", "账户", "余额", "信用卡",
      ],
    },
  },
};

/** Theme keys in display order. */
export const THEME_KEYS = Object.keys(THEMES) as ThemeKey[];

/** Every Chinese theme keyword: the segmenter keeps these whole. */
export const CHINESE_THEME_WORDS: readonly string[] = THEME_KEYS.flatMap((key) => THEMES[key].keywords.zh);
/** Every multi-word English theme keyword: the tokenizer keeps these whole. */
export const ENGLISH_THEME_PHRASES: readonly string[] = THEME_KEYS.flatMap((key) =>
  THEMES[key].keywords.en.filter((keyword) => keyword.includes(" ")),
);

/** Per theme: English keywords, one-character Chinese keywords, and a pattern for the longer ones. */
const MATCHERS = new Map(
  THEME_KEYS.map((key) => {
    const { en, zh } = THEMES[key].keywords;
    const words = zh.filter((keyword) => keyword.length >= 2);
    return [
      key,
      {
        english: new Set(en),
        chineseCharacters: new Set(zh.filter((keyword) => keyword.length === 1)),
        // Theme keywords are plain Han characters, so they need no escaping in the pattern.
        chineseWords: words.length > 0 ? new RegExp(words.join("|"), "u") : null,
      },
    ];
  }),
);

/** English stop words: function words, pronouns and filler left out of term counts. */
// prettier-ignore
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set([
  "a", "an", "the", "and", "or", "if", "then", "of", "to", "in", "on", "at", "by", "for", "with", "from",
  "as", "is", "are", "was", "were", "be", "been", "being", "am", "i", "me", "my", "mine", "we", "us", "our",
  "you", "your", "he", "him", "his", "she", "her", "it", "its", "they", "them", "their", "this", "that",
  "these", "those", "there", "here", "what", "which", "who", "whom", "when", "where", "why", "how", "all",
  "any", "both", "each", "few", "more", "some", "only", "own", "same", "than", "can", "will", "just", "would",
  "could", "should", "do", "does", "did", "have", "has", "had", "having", "get", "got", "also", "about",
  "after", "again", "before", "because", "into", "out", "over", "under", "up", "down", "off", "once", "while",
  "during", "until", "against", "between", "through", "now", "even", "still", "yet", "one", "ever", "much",
  "many", "it's", "i'm", "i've", "that's", "there's", "we're", "they're", "you're", "i'd", "i'll", "we've",
  "im", "ive", "s", "t", "etc", "via", "per", "let", "lets", "make", "made", "go", "went", "going", "said",
  "say", "told", "tell", "day", "days", "week", "weeks", "time", "times", "thing", "things", "way", "another",
  "other", "every", "since", "though", "within", "item", "items", "order", "ordered", "bought", "buy",
  "product", "products",
]);

/** Chinese stop words: particles, pronouns, function words and filler. */
// prettier-ignore
export const CHINESE_STOP_WORDS: ReadonlySet<string> = new Set([
  "的", "了", "是", "在", "我", "你", "他", "她", "它", "我们", "你们", "他们", "她们", "这", "那", "这个", "那个", "这些", "那些", "个",
  "和", "与", "及", "以及", "也", "都", "就", "还", "又", "吧", "吗", "呢", "啊", "呀", "哦", "啦", "嘛", "哈", "有", "被", "把",
  "给", "对", "从", "向", "为", "为了", "一个", "一些", "一下", "什么", "怎么", "怎么样", "因为", "所以", "如果", "而且", "或者", "并且",
  "可以", "已经", "一直", "就是", "还是", "感觉", "觉得", "自己", "东西", "时候", "然后", "现在", "这样", "那样", "里", "上", "下", "中", "次",
  "说", "要", "会", "能", "想", "看", "买", "其他", "等", "着", "过", "地", "得", "之", "其", "而", "等等", "人", "让", "才", "再",
  "没", "请", "您", "吧", "哪", "一", "二", "两", "天", "这次", "每次", "购买", "商品", "产品", "家", "店", "她的", "我的", "你的", "他的",
  "一样",
]);

/** A token as the themes module needs it (structurally compatible with the sentiment tokenizer's). */
export interface ThemeToken {
  text: string;
  han: boolean;
}

/**
 * The themes a piece of text mentions, in display order.
 *
 * @param text the raw text, for Chinese keyword substrings
 * @param tokens the text's tokens, for English keywords and one-character Chinese keywords
 */
export function themesMentioned(text: string, tokens: readonly ThemeToken[]): ThemeKey[] {
  const hasHan = tokens.some((token) => token.han);
  return THEME_KEYS.filter((key) => {
    const matcher = MATCHERS.get(key)!;
    for (const token of tokens) {
      if (token.han ? matcher.chineseCharacters.has(token.text) : matcher.english.has(token.text))
        return true;
    }
    return hasHan && matcher.chineseWords !== null && matcher.chineseWords.test(text);
  });
}
