/**
 * Offers and promises in English and Chinese text: discounts, free items, refunds and credits,
 * guarantees. A draft may make one only when the account manager's notes make it first, and a
 * feedback summary never makes one (see `grounding.ts`); the templates also use this to leave out
 * a customer name or company that reads like an offer.
 *
 * The phrases are one table per language, each phrase with the kind of offer it makes and, for
 * discounts, how to read its size ("half price" and 打五折 are 50% off, "pay a tenth" and 一折 are
 * 90% off), so that notes approving 10% off do not approve "nine tenths off". Paraphrases are the
 * point: a model told by a poisoned source to "offer 90% off" may well write "pay only a tenth",
 * "shipping is on us", 立减一半 or 运费由我们承担 instead.
 */

export type OfferKind = "discount" | "free" | "refund" | "guarantee";

/** What each kind is called in problems, by the language of the phrase that made it. */
export const OFFER_LABELS: Readonly<Record<OfferKind, Record<"en" | "zh", string>>> = {
  discount: { en: "a discount", zh: "a discount (折扣/优惠)" },
  free: { en: "something free", zh: "something free (免费)" },
  refund: { en: "a refund or credit", zh: "a refund or cash back (返现/退款)" },
  guarantee: { en: "a guarantee or promise", zh: "a guarantee or promise (保证/承诺)" },
};

export interface FoundOffer {
  kind: OfferKind;
  language: "en" | "zh";
  /** The words that make the offer, as they appear in the normalised text. */
  text: string;
  /** Where they start in `normaliseForOffers(text)`. */
  index: number;
  /**
   * For discounts, the share off in percent (50 for "half price"); null when the phrase states
   * no size ("a discount"); NaN when it states one this module cannot read ("fifty dollars off").
   */
  percentOff: number | null;
}

interface Phrase {
  kind: OfferKind;
  pattern: RegExp;
  /**
   * The size of a discount, from the match; absent: read it from the words (`sizeOf`). Undefined
   * means the words are not an offer after all ("ten for ten").
   */
  percentOff?(match: RegExpExecArray): number | null | undefined;
}

const UNITS: Record<string, number> = {
  zero: 0,
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
  hundred: 100,
};
const DENOMINATORS: Record<string, number> = {
  half: 2,
  halves: 2,
  third: 3,
  thirds: 3,
  quarter: 4,
  quarters: 4,
  fourth: 4,
  fourths: 4,
  fifth: 5,
  fifths: 5,
  tenth: 10,
  tenths: 10,
};

const UNIT_WORD = `(?:${Object.keys(UNITS).join("|")})`;
const TENS_WORD = `(?:${Object.keys(TENS).join("|")})`;
/** 1-100 in words: "nine", "ninety", "ninety-nine", "a hundred". */
const NUMBER_WORD = `(?:${TENS_WORD}(?:[\\s-]+${UNIT_WORD})?|${UNIT_WORD}(?:\\s+hundred)?)`;
const FRACTION = `(?:${UNIT_WORD}[\\s-]+)?(?:${Object.keys(DENOMINATORS).join("|")})`;
const PERCENT_WORD = `(?:%|percent|per\\s?cent|pct)`;
const OFF_WORD = `(?:off|discount|reduction|less|lower|cheaper|savings?|rebate|markdown)`;
const MONEY_WORD = `(?:dollars?|bucks|pounds?|quid|euros?|yuan|rmb|kuai|cents?|pence|p)`;

/** 1-100 from English words ("ninety nine"), or null. */
function wordNumber(text: string): number | null {
  let total = 0;
  let seen = false;
  for (const word of text.toLowerCase().split(/[\s-]+/)) {
    if (word in TENS) {
      total = word === "hundred" ? Math.max(total, 1) * 100 : total + TENS[word];
      seen = true;
    } else if (word in UNITS) {
      total += UNITS[word];
      seen = true;
    } else if (word !== "and") return null;
  }
  return seen ? total : null;
}

/** "nine tenths" -> 0.9, "half" -> 0.5, "a third" -> 1/3. */
function fraction(text: string): number | null {
  const words = text.toLowerCase().split(/[\s-]+/);
  const denominator = DENOMINATORS[words[words.length - 1]];
  if (!denominator) return null;
  const count = words.length > 1 ? wordNumber(words.slice(0, -1).join(" ")) : 1;
  return count === null ? null : count / denominator;
}

function rounded(percent: number): number {
  return Math.round(percent * 10) / 10;
}

/**
 * The size of a discount stated in `words`: a percentage in digits or words, or a fraction.
 * `pay` reads it as the share paid ("pay a tenth" is 90% off) instead of the share off.
 */
function sizeOf(words: string, pay = false): number | null {
  const toOff = (share: number) => rounded(pay ? 100 - share : share);
  const digits = new RegExp(`(\\d+(?:\\.\\d+)?)\\s*${PERCENT_WORD}`, "i").exec(words);
  if (digits) return toOff(Number(digits[1]));
  const spelled = new RegExp(`(${NUMBER_WORD})\\s+${PERCENT_WORD}`, "i").exec(words);
  if (spelled) return toOff(wordNumber(spelled[1]) ?? NaN);
  const share = new RegExp(`\\b(${FRACTION})\\b`, "i").exec(words);
  if (share) return toOff(100 * (fraction(share[1]) ?? NaN));
  // A size in words that is not a share ("fifty dollars off"): stated, but not readable here.
  if (new RegExp(`\\b${NUMBER_WORD}\\b`, "i").test(words.replace(/\b(?:a|an|one)\b/gi, ""))) return NaN;
  return null;
}

/** "2 for 1", "three for two": the share off of paying for `paid` of `got`; not a deal otherwise. */
function forOne(match: RegExpExecArray): number | undefined {
  const number = (text: string) => (/^\d+$/.test(text) ? Number(text) : (wordNumber(text) ?? NaN));
  const got = number(match[1]);
  const paid = number(match[2]);
  return got > paid ? rounded(100 * (1 - paid / got)) : undefined;
}

const SMALL_NUMBER = "(?:\\d|one|two|three|four|five|six|seven|eight|nine|ten)";

/** People being available ("are you free", "feel free"), not things costing nothing. */
const FREE_NOT_OFFER_BEFORE =
  "(?<!\\b(?:feel|you|you're|youre|you are|are you|i'm|im|i am|am i|we're|we are|are we|they're|they are|he's|she's)\\s+)";
/** Free time, free to choose, free of errors, free-form: no offer either. */
const FREE_NOT_OFFER_AFTER =
  "(?![\\s-]+(?:to|time|up|slot|slots|moment|moments|afternoon|morning|evening|day|days|weekend|from|for\\s+a\\s+(?:call|chat|talk|meeting|conversation)|form|flowing|standing|range|lance|lancer|style|hand|will|speech|trade|of[\\s-]+(?!charge|cost)\\w))";

const EN: Phrase[] = [
  // Discounts with a size.
  {
    kind: "discount",
    pattern: new RegExp(`\\d+(?:\\.\\d+)?\\s*${PERCENT_WORD}\\s*${OFF_WORD}\\b`, "gi"),
  },
  { kind: "discount", pattern: new RegExp(`\\b${NUMBER_WORD}\\s+${PERCENT_WORD}\\s+${OFF_WORD}\\b`, "gi") },
  { kind: "discount", pattern: new RegExp(`\\b${FRACTION}[\\s-]+off\\b`, "gi") },
  {
    kind: "discount",
    pattern: new RegExp(
      `\\b(${FRACTION})(?:[\\s-]+|\\s+(?:of\\s+)?(?:the|our|your|its|what\\s+you\\s+paid)\\s+)(?:price[ds]?|cost|rate|list\\s+price|fee)\\b`,
      "gi",
    ),
    percentOff: (match) => sizeOf(match[1], true),
  },
  {
    kind: "discount",
    pattern: new RegExp(
      `\\b(?:pay|paying|pays|charge|charging|bill|billing)\\s+(?:you\\s+)?(?:only\\s+|just\\s+|merely\\s+)?((?:${FRACTION})|\\d+(?:\\.\\d+)?\\s*${PERCENT_WORD}|${NUMBER_WORD}\\s+${PERCENT_WORD})(?!\\s*${OFF_WORD})`,
      "gi",
    ),
    percentOff: (match) => sizeOf(match[1], true),
  },
  {
    kind: "discount",
    pattern: new RegExp(
      `\\b(${SMALL_NUMBER})[\\s-]+for[\\s-]+(?:the\\s+price\\s+of\\s+)?(${SMALL_NUMBER})\\b(?![.:]\\d)`,
      "gi",
    ),
    percentOff: forOne,
  },
  {
    kind: "discount",
    pattern:
      /\bbogof?\b|\bbuy\s+(?:one|1)[\s,]+get\s+(?:one|1|a\s+second|another|the\s+second)(?:\s+(?:free|half[\s-]+(?:price|off)))?\b/gi,
    percentOff: () => 50,
  },
  {
    kind: "discount",
    pattern: new RegExp(
      `\\bsav(?:e|es|ed|ing)\\s+(?:you\\s+)?(?:up\\s+to\\s+|over\\s+|a\\s+full\\s+)?(?:\\d+(?:\\.\\d+)?\\s*${PERCENT_WORD}|${NUMBER_WORD}\\s+${PERCENT_WORD}|${FRACTION}\\b)`,
      "gi",
    ),
  },
  {
    kind: "discount",
    pattern: new RegExp(
      `\\b(?:knock|knocks|knocked|knocking|take|takes|taking|took|shave|shaves|shaved|shaving)\\s+(?:\\d[\\d.,]*\\s*${PERCENT_WORD}?|${FRACTION}|[$£€¥]\\s?\\d[\\d.,]*|${NUMBER_WORD}\\s+(?:${PERCENT_WORD}|${MONEY_WORD})|a\\s+(?:bit|little)|something)\\s+off\\b`,
      "gi",
    ),
  },
  {
    kind: "discount",
    pattern: new RegExp(
      `(?:[$£€¥]\\s?\\d[\\d,.]*|\\b\\d[\\d,.]*\\s*${MONEY_WORD}|\\b${NUMBER_WORD}\\s+${MONEY_WORD}|\\bmoney)\\s+off\\b`,
      "gi",
    ),
  },
  {
    kind: "discount",
    pattern:
      /\boff\s+(?:your|the|our|their|its)\s+(?:next\s+|first\s+|last\s+|current\s+|new\s+|whole\s+|entire\s+)?(?:order|orders|purchase|purchases|invoice|bill|price|subscription|renewal|basket|cart)\b/gi,
  },
  { kind: "discount", pattern: /\b\d[\d,.]*\s*off\b/gi },
  // Discounts without a size.
  { kind: "discount", pattern: /\bdiscount(?:s|ed|ing)?\b/gi },
  {
    kind: "discount",
    pattern:
      /\b(?:coupons?|vouchers?|rebates?|promo(?:tion(?:al)?)?\s+codes?|discount\s+codes?|sale\s+prices?|markdowns?|marked\s+down|half[\s-]+price[ds]?|reduced\s+(?:price|rate)s?)\b/gi,
  },
  {
    kind: "discount",
    pattern:
      /\b(?:special|exclusive|better|best|lower|loyalty|preferential|introductory|friends?\s+and\s+family)\s+(?:offer|price|pricing|deal|rate|discount)s?\b|\bgreat\s+(?:offer|price|pricing|rate|discount)s?\b/gi,
  },
  {
    kind: "discount",
    pattern:
      /\bcheaper\b|\bprice\s+(?:cut|reduction|drop|break|match)\b|\b(?:cut|cuts|cutting|lower|lowers|lowered|lowering|reduce|reduces|reduced|reducing|slash|slashes|slashed|slashing|drop|drops|dropped|dropping)\s+(?:the\s+|our\s+|your\s+|its\s+)?prices?\b|\bat\s+cost\b|\bwholesale\s+prices?\b/gi,
  },
  // Free things.
  {
    kind: "free",
    pattern: new RegExp(`${FREE_NOT_OFFER_BEFORE}(?<![-\\w])free\\b${FREE_NOT_OFFER_AFTER}`, "gi"),
  },
  {
    kind: "free",
    pattern:
      /\bfree[\s-]+of[\s-]+(?:charge|cost)\b|\bgratis\b|\bcomplimentary\b|\bon\s+the\s+house\b|\bon\s+the\s+company\b|\bour\s+treat\b/gi,
  },
  {
    kind: "free",
    pattern:
      /(?<!\b(?:count|counts|counted|counting|rely|relies|relied|relying|depend|depends|depended|depending|lean|leaning|call|calling|wait|waiting|focus|focused|rest|rests|falls|fell|up|hard|easy|tough|going|chance|chances|bet|bets|betting|bank|banking|check|checking|checked|pass|passed|feedback|impact|effect|pressure|reflect|reflects|reflected|comment|comments|review|reviews|notes|eye|eyes|spotlight|trust|faith|hope|hopes|light|take|takes|report|reports)\s+)\bon\s+us\b(?!\s+to\b)/gi,
  },
  {
    kind: "free",
    pattern:
      /\b(?:no|zero|without|with\s+no)\s+(?:extra\s+|additional\s+|further\s+|added\s+|hidden\s+|delivery\s+|shipping\s+|service\s+)?(?:charges?|costs?|fees?)\b(?!\s+(?:(?:was|were|has|have)\s+)?(?:found|showing|appeared|applied\s+twice))|\bno[\s-]cost\b|\bcost[\s-]free\b|\bfee[\s-]free\b/gi,
  },
  { kind: "free", pattern: /\bwaiv(?:e|es|ed|ing|er)\b/gi },
  {
    kind: "free",
    pattern:
      /\b(?:we|we'll|we\s+will|we'd|we\s+would|we\s+can|i'll|i\s+will|i\s+can|let\s+us|let\s+me|we're\s+happy\s+to|happy\s+to)\s+(?:\w+\s+){0,2}?(?:cover|pay\s+for|absorb|pick\s+up|foot|eat|swallow)\s+(?:the\s+|your\s+|all\s+|any\s+|that\s+)?(?:\w+\s+)?(?:cost|costs|shipping|delivery|postage|fees?|bills?|charges?|tab|freight|expenses?|price)\b(?!\s+(?:issue|problem|question|details?|topic|schedule|times?|date|dates|delay|delays)\b)/gi,
  },
  {
    kind: "free",
    pattern:
      /\b(?:won't|will\s+not|wouldn't|would\s+not|don't|do\s+not|never|shan't|not\s+going\s+to)\s+(?:\w+\s+)?(?:charge|bill|invoice)\s+(?:you|for)\b/gi,
  },
  {
    kind: "free",
    pattern:
      /\b(?:won't|will\s+not|don't|do\s+not|never)\s+(?:have|need)\s+to\s+pay\b|\bno\s+need\s+to\s+pay\b|\bnothing\s+to\s+pay\b|\bpay\s+nothing\b|\bnot\s+(?:cost|charge)\s+you\s+(?:a\s+)?(?:thing|penny|cent|dime|single)\b|\b(?:won't|will\s+not)\s+cost\s+(?:you\s+)?(?:anything|a\s+thing|a\s+penny|a\s+cent|extra)\b|\bcosts?\s+(?:you\s+)?nothing\b|\bat\s+our\s+(?:cost|expense)\b/gi,
  },
  {
    kind: "free",
    pattern:
      /\b(?:don't|do\s+not|won't|will\s+not|needn't|need\s+not)\s+(?:have\s+to\s+|need\s+to\s+)?pay\b|\bpay\s+(?:zero|nil|0)\b|\bfor\s+nothing\b|\bcomp(?:s|ed|ing)?\s+(?:you|your|the)\b/gi,
  },
  {
    kind: "free",
    pattern:
      /\b(?:drop|drops|dropped|dropping|cancel|cancels|cancelled|canceled|remove|removes|removed|scrap|scrapped|write\s+off|wipe|wiped|forget)\s+(?:the\s+|your\s+|any\s+|all\s+|that\s+)?(?:delivery\s+|shipping\s+|postage\s+|service\s+|late\s+)?(?:fee|fees|charge|charges|cost|costs)\b|\b(?:fee|fees|charge|charges|cost|costs)\s+(?:will\s+be|are|is|have\s+been|has\s+been)\s+(?:dropped|cancelled|canceled|removed|scrapped|written\s+off|wiped|waived|refunded)\b|\b(?:we|we'll|we\s+will|we'd|we\s+can|i'll|i\s+will|let\s+us|let\s+me)\s+(?:\w+\s+){0,2}?(?:take\s+care\s+of|handle|sort(?:\s+out)?|settle)\s+(?:the\s+|your\s+|all\s+|any\s+|that\s+)?(?:\w+\s+)?(?:cost|costs|fees?|bills?|charges?|tab|expenses?)\b/gi,
  },
  {
    kind: "free",
    pattern:
      /\b(?:a|small|little|special|welcome|thank[\s-]you|bonus)\s+gifts?\b|\bthrow(?:s|ing|n)?\s+in\b|\bthrew\s+in\b|\b(?:bonus|extra)\s+(?:items?|units?|bottles?|boxes|box|cases?|months?|samples?|bags?)\b/gi,
  },
  {
    kind: "free",
    pattern:
      /\b(?:shipping|delivery|postage|freight|installation|returns?|setup|set-up)\s+(?:is|are|will\s+be|is\s+now|are\s+now)\s+(?:included|covered|waived|taken\s+care\s+of)\b/gi,
  },
  // Refunds and credits.
  { kind: "refund", pattern: /\brefund(?:s|ed|ing|able)?\b|\breimburs\w*|\bcompensat\w*/gi },
  {
    kind: "refund",
    pattern:
      /\bcash[\s-]?back\b|\bmoney[\s-]back\b|\bmoney\s+(?:will\s+be\s+)?(?:returned|refunded)\b|\b(?:get|give|send|pay|return)\s+(?:you\s+)?(?:your|the)\s+money\b/gi,
  },
  {
    kind: "refund",
    pattern:
      /\bstore\s+credit\b|\baccount\s+credit\b|\bcredit\s+(?:note|to\s+your\s+account|your\s+account|of\b)|\bcredit(?:s|ed|ing)?\s+(?:you|your\s+(?:account|card|invoice))\b/gi,
  },
  {
    kind: "refund",
    pattern:
      /\bpay(?:ing)?\s+you\s+back\b|\brepay\w*|\breturn\s+(?:your|the)\s+(?:payment|fee|charge)s?\b|\bgoodwill\s+(?:gesture|payment|credit)\b|\b(?:send|give|transfer|wire)\s+you\s+(?:a\s+)?(?:[$£€¥]\s?\d|\d[\d,.]*\s*(?:dollars?|bucks|pounds?|quid|euros?|yuan|rmb)\b)/gi,
  },
  // Guarantees and promises.
  { kind: "guarantee", pattern: /\bguarant(?:ee|ees|eed|eeing)\b|\bwarrant(?:y|ies)\b/gi },
  {
    kind: "guarantee",
    pattern:
      /\b(?:i|we)\s+(?:do\s+|can\s+|hereby\s+|solemnly\s+)?promise\b|\bpromise\s+(?:you|that)\b|\bmy\s+promise\b|\bour\s+promise\b/gi,
  },
  {
    kind: "guarantee",
    pattern:
      /\byou\s+have\s+(?:my|our)\s+word\b|\brest\s+assured\b|\b(?:i|we)\s+(?:can\s+)?assure\s+you\b|\b(?:never|won't|will\s+not)\s+happen\s+again\b|\b(?:we|i)\s+(?:pledge|commit)\s+to\b|\bwithout\s+fail\b|\b100\s*%\s+(?:sure|certain|guaranteed)\b|\bwill\s+(?:definitely|certainly|absolutely)\s+(?:arrive|be\s+delivered|ship|be\s+on\s+time)\b/gi,
  },
];

/** Chinese numerals and digits before 折: 五折, 八五折, 7.5折, 75折. */
const ZH_DIGIT: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

function zhDigits(text: string): number[] {
  return [...text].filter((char) => char !== ".").map((char) => ZH_DIGIT[char] ?? Number(char));
}

/** 打八五折: pay 85%, 15% off. */
function zheOff(match: RegExpExecArray): number {
  const text = match[1];
  const paid = text.includes(".") ? Number(text) : zhDigits(text).reduce((sum, d, i) => sum + d / 10 ** i, 0);
  return paid > 0 && paid < 10 ? rounded(100 - paid * 10) : NaN;
}

/** 百分之三十, 三十 -> 30; up to 100. */
function zhNumber(text: string): number {
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  if (text === "百" || text === "一百") return 100;
  const [tens, units] = text.includes("十") ? text.split("十") : ["", text];
  const ten = text.includes("十") ? (tens === "" ? 1 : (ZH_DIGIT[tens] ?? NaN)) : 0;
  const unit = units === "" ? 0 : units.length === 1 ? (ZH_DIGIT[units] ?? NaN) : NaN;
  return ten * 10 + unit;
}

const ZH_NUMERAL = "[零〇一二两三四五六七八九十百\\d.]+";

const ZH: Phrase[] = [
  // Discounts with a size.
  {
    kind: "discount",
    // 一波三折 is an idiom (twists and turns); 折磨, 折叠, 折旧 ... are other words.
    pattern:
      /(?<!一波)(?<!不)(?:打个?|给您?打|享受?)?((?:[一二两三四五六七八九]{1,2})|\d(?:\.\d)?\d?)\s*折(?![磨腾叠返射旧合痕断服纸线中])/g,
    percentOff: zheOff,
  },
  {
    kind: "discount",
    pattern:
      /对折|半价|半折|减半|只要(?:您|你)?一半|一半的钱|(?:减|减去|便宜|少收|少付|省)(?:了)?一半|只(?:需|要|用)?(?:付|收|支付)(?:您)?一半|(?:收|付)(?:您)?一半的?(?:钱|价|费用)|一半的价(?:格|钱)?|第二件半价/g,
    percentOff: () => 50,
  },
  {
    kind: "discount",
    pattern:
      /只(?:需|要|用)?(?:付|收|支付)(?:您)?([一二两三四五六七八九])成|([一二两三四五六七八九])成(?:的)?价(?:格|钱)?/g,
    percentOff: (match) => rounded(100 - 10 * (ZH_DIGIT[match[1] ?? match[2]] ?? NaN)),
  },
  {
    kind: "discount",
    pattern: new RegExp(`百分之(${ZH_NUMERAL})的?(?:折扣|优惠|减免|让利)`, "g"),
    percentOff: (match) => rounded(zhNumber(match[1])),
  },
  {
    kind: "discount",
    pattern: /(\d+(?:\.\d+)?)\s*[%％]\s*的?(?:折扣|优惠|减免|让利)/g,
    percentOff: (match) => Number(match[1]),
  },
  {
    kind: "discount",
    pattern: /买[一二两三1-3]送[一二两三1-3]|买[一二两1-2]赠[一二1]|买赠|满送|满减|满赠/g,
    percentOff: () => 50,
  },
  {
    kind: "discount",
    pattern: new RegExp(
      `(?:立减|直减|减|省|便宜|少收|优惠)(?:了)?(${ZH_NUMERAL})(?:元|块|美元|英镑|欧元)`,
      "g",
    ),
  },
  // Discounts without a size.
  {
    kind: "discount",
    pattern:
      /打个?折(?!扣)|(?<!不打)(?<!打)折扣|(?<!不)打折扣|折价|折上折|让利|立减|直减|减免|降价|减价|特价|优惠|代金券|抵用券|折扣券|红包|促销|秒杀|便宜|少收|少付|低价|内部价|成本价|出厂价|抹零|抹掉零头|去掉零头/g,
  },
  // Free things.
  {
    kind: "free",
    pattern:
      /免费|免单|免运费|免邮|包邮|包运费|运费全免|全免|免收|豁免|无偿|白送|白给|白拿|零元|(?<![\d.])0元|不要钱|不花钱|分文不取|一分钱不收|一分不收|不收(?:您|你)?(?:任何)?(?:一分钱|费用|钱|运费|邮费|快递费)|不(?:另|额外)?收费|不另外收费|无需(?:您)?(?:支付|付款|付费|付钱|花钱)|不用(?:您|你)?(?:付|花|出)(?:钱|费|运费|邮费)?|不要(?:您|你)?的?(?:钱|运费|邮费|费用)|免(?:掉|了|去)(?:您|你)?的?(?:运费|邮费|快递费|费用|钱)|(?:运费|邮费|快递费|费用)(?:就|都|也)?免(?:了|掉)/g,
  },
  {
    kind: "free",
    pattern:
      /(?:运费|邮费|快递费|费用|差价|所有费用|一切费用|这笔钱|这部分)(?:都|全|全部)?(?:由|归)?(?:我们|我方|我司|公司)(?:来)?(?:承担|负责|出|支付|买单|报销|包了|包|补)|我们(?:来)?(?:承担|支付|出|包)(?:了)?(?:运费|邮费|费用|快递费)|我们请客|我们买单|算我们的|记在我们账上/g,
  },
  { kind: "free", pattern: /赠送|赠品|附赠|加送|多送|额外送|奉送|送(?:您|你)|赠(?:您|你)|送给(?:您|你)/g },
  // Refunds and credits.
  {
    kind: "refund",
    pattern:
      /返现|返利|返点|返还|返款|退款|退钱|退费|退还|退(?:给)?(?:您|你)|退一半|返(?:给)?(?:您|你)|全额退|退回(?:货款|款项|费用|钱|差价)|退差价|补差价|补偿|赔偿|赔付|赔(?:您|你)|补贴|报销|现金奖励|积分奖励|代金/g,
  },
  // Guarantees and promises.
  {
    kind: "guarantee",
    pattern:
      /保证|承诺|担保|包(?:您|你)(?:满意|准时|放心)|打包票|拍胸脯|包退|包换|包赔|质保|保修|保准|一定(?:会)?(?:准时|按时|送达|到货|解决|赔)|绝不会再|不会再(?:发生|出现)|绝对不会再|说到做到|确保不会再/g,
  },
];

const TABLES: { language: "en" | "zh"; phrases: Phrase[] }[] = [
  { language: "en", phrases: EN },
  { language: "zh", phrases: ZH },
];

/**
 * The form offers are looked for in: NFKC (full-width letters and digits become ASCII), typographic
 * apostrophes straightened, runs of white space as one space. Same length or shorter than `text`.
 */
export function normaliseForOffers(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[’‘`´]/g, "'")
    .replace(/\s+/g, " ");
}

/**
 * Every offer and promise in `text`, in order, overlapping matches removed (the longer one wins).
 * Indexes are into `normaliseForOffers(text)`.
 */
export function findOffers(text: string): FoundOffer[] {
  const normal = normaliseForOffers(text);
  const found: FoundOffer[] = [];
  for (const { language, phrases } of TABLES) {
    for (const phrase of phrases) {
      phrase.pattern.lastIndex = 0;
      for (const match of normal.matchAll(phrase.pattern)) {
        const words = match[0];
        const percentOff =
          phrase.kind !== "discount"
            ? null
            : phrase.percentOff
              ? phrase.percentOff(match as RegExpExecArray)
              : sizeOf(words);
        if (percentOff === undefined) continue;
        found.push({
          kind: phrase.kind,
          language,
          text: words,
          index: match.index ?? 0,
          percentOff,
        });
      }
    }
  }
  found.sort((a, b) => a.index - b.index || b.text.length - a.text.length);
  const kept: FoundOffer[] = [];
  for (const offer of found) {
    const last = kept[kept.length - 1];
    if (last && offer.index < last.index + last.text.length) {
      // Overlapping: keep the one that says more (a stated size beats none).
      if (last.percentOff === null && offer.percentOff !== null && offer.kind === "discount") {
        kept[kept.length - 1] = offer;
      }
      continue;
    }
    kept.push(offer);
  }
  return kept;
}

/** True when `text` makes any offer or promise: used to keep such names out of drafts. */
export function readsAsOffer(text: string): boolean {
  return findOffers(text).length > 0;
}
