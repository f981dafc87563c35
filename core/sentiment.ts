/**
 * Lexicon-based sentiment for English and Chinese feedback, with negation, intensifiers and
 * "but"-clauses, after the rules of VADER (Hutto and Gilbert, "VADER: A Parsimonious Rule-based
 * Model for Sentiment Analysis of Social Media Text", ICWSM 2014):
 *
 * - each lexicon word has a valence from -3 to +3;
 * - up to three preceding words in the same clause can scale it: intensifiers ("very", "太",
 *   "非常") multiply it, diminishers ("a bit", "有点", "比较") shrink it, and negators ("not",
 *   "wouldn't", "不", "不会", "没有", "并不", "再也不") flip it and damp it by 0.74, so "not good"
 *   is moderately negative and "no problem" / "没有问题" / "并不差" mildly positive. Two negators
 *   cancel ("nothing I didn't like", "没有不满意的");
 * - softening negators ("not very", "not too", "不太", "不是很", "没那么", "不算") also scale by 0.8,
 *   so "不太满意" is milder than "不满意"; emphatic ones ("绝不", "毫无", "再也不", and "一点也" /
 *   "丝毫" before "不") scale by 1.3, so "一点也不好" is harsher than "不好";
 * - Chinese also puts modifiers after the word: a negator that closes the clause negates it
 *   ("一点问题都没有"), and "(了)点" / "一些" right after it shrinks it by 0.7 ("贵了点"). In a
 *   comparison the negator reaches past the three words to its 那么 / 那样 ("没有想象中那么好"
 *   reads as "没那么好");
 * - "can't" / "couldn't" before a comparative, or with "enough" after a verb of praise, sets a
 *   ceiling instead of negating ("couldn't be happier", "can't recommend them enough"): the word
 *   is scaled by 1.5 like "extremely" and keeps its sign;
 * - "expected events" ("arrived", "replied", "回复", "到账") carry no sentiment on their own but
 *   turn negative when negated ("never arrived", "一直没到账"); so does an intention to return
 *   ("will order again" +2, "won't buy from them again");
 * - words before "but" / "但是" count half and words after it one and a half times;
 * - the sum s is squashed to s / sqrt(s^2 + 15), a score in (-1, 1); the label is positive at
 *   >= 0.05, negative at <= -0.05, neutral in between (VADER's thresholds).
 *
 * Chinese text is segmented with the built-in `Intl.Segmenter("zh", { granularity: "word" })`
 * (full ICU ships with Node 20 and browsers), then adjusted with this module's dictionary: ICU
 * splits domain words such as 客服 or 性价比, glues degree words to adjectives (太慢, 很好) and
 * cuts negators in varying places (不会|推荐, 不|怎么|好, 一点|也不|贵), so adjacent pieces that
 * form a known word are merged (不怎么, 一点也, and 卡|顿了 -> 卡顿|了) and unknown tokens that
 * are a modifier plus a known word are split. Both lexicons apply to every text, so mixed text
 * ("客服 very slow") is scored in full.
 */

import { CHINESE_THEME_WORDS, ENGLISH_THEME_PHRASES } from "./themes.js";

/** Languages the feedback analysis distinguishes. */
export type FeedbackLanguage = "en" | "zh";

/** Sentiment labels. */
export type SentimentLabel = "positive" | "neutral" | "negative";

/** A word that moved the score, with the valence it contributed after modifiers. */
export interface SentimentMatch {
  term: string;
  valence: number;
}

/** Result of `sentimentOf`. */
export interface SentimentResult {
  /** In (-1, 1); 0 when no sentiment word was found. */
  score: number;
  label: SentimentLabel;
  language: FeedbackLanguage;
  /** Sum of the contributing valences before squashing. */
  valence: number;
  matches: SentimentMatch[];
}

/** A token of a sentence: a word, or a clause break (comma and the like). */
export interface TextToken {
  text: string;
  isBreak: boolean;
  /** True for Chinese (Han script) tokens. */
  han: boolean;
}

interface Modifier {
  /** Multiplies the valence of the word it modifies. */
  scale: number;
  /** Flips the valence (negators). */
  negate: boolean;
}

const boost = (scale: number): Modifier => ({ scale, negate: false });
const negator = (scale = 1): Modifier => ({ scale, negate: true });

/** VADER's damping of negated words: "not good" is less negative than "bad". */
const NEGATION_SCALAR = -0.74;
/** Valence of a negated expected event ("never arrived"). */
const MISSED_EXPECTATION = -1.5;
/** VADER's normalisation constant. */
const NORMALISATION_ALPHA = 15;
const LABEL_THRESHOLD = 0.05;
const LOOKBACK = 3;
/** Scale of a word under a ceiling ("couldn't be happier"): a superlative, like "extremely". */
const CEILING_SCALE = 1.5;

// English lexicon: valence -3..+3; common inflections are listed rather than stemmed so that
// "works" (an expected event) and "worked out" stay distinct.
// prettier-ignore
const EN_LEXICON: Record<string, number> = {
  good: 1.9, great: 3, excellent: 3, amazing: 3, awesome: 3, fantastic: 3, wonderful: 3, perfect: 3,
  perfectly: 2.5, love: 3, loved: 3, loving: 2.5, loves: 3, like: 1.5, liked: 1.5, likes: 1.5, happy: 2.5,
  pleased: 2.2, satisfied: 2, satisfying: 2, glad: 2, nice: 1.8, best: 3, better: 1.9, fast: 1.5, faster: 1.5,
  quick: 1.5, quickly: 1.2, speedy: 1.5, prompt: 1.5, promptly: 1.5, easy: 1.5, easily: 1.2, helpful: 2,
  helped: 1.5, friendly: 2, polite: 1.8, courteous: 1.8, professional: 1.8, kind: 1.5, patient: 1.5,
  attentive: 1.8, knowledgeable: 1.8, reliable: 2, recommend: 2, recommended: 2, impressive: 2.5,
  impressed: 2.5, smooth: 1.5, smoothly: 1.5, efficient: 1.8, responsive: 1.8, affordable: 1.5, cheap: 0.5,
  reasonable: 1.2, worth: 1.5, worthwhile: 2, bargain: 1.5, thanks: 1.5, thank: 1.5, "thank you": 1.5,
  appreciate: 2, appreciated: 2, beautiful: 2.5, lovely: 2.5, superb: 3, outstanding: 3, brilliant: 3,
  delighted: 3, enjoy: 2, enjoyed: 2, fine: 0.8, ok: 0.5, okay: 0.5, decent: 1, solid: 1.2, durable: 1.8,
  sturdy: 1.5, comfortable: 1.8, convenient: 1.5, clean: 1, fresh: 1, accurate: 1.2, seamless: 2,
  flawless: 2.8, favorite: 2, favourite: 2, pleasant: 2, generous: 2, fair: 1, improved: 1.5, resolved: 1.5,
  fixed: 1.5, refunded: 1.2, success: 2, successful: 2, trust: 1.5, trustworthy: 2, intuitive: 1.8,
  useful: 1.8, valuable: 2, incredible: 3, exceptional: 3, superior: 2, wow: 2, pretty: 1.5, super: 2,
  terribly: -2, "on time": 1.5, "value for money": 2, "well made": 2, "top notch": 2.8, "top-notch": 2.8,
  "well-made": 2, "rip-off": -2.8, "five stars": 2.5, "5 stars": 2.5, "exceeded expectations": 2.5,
  "works great": 2.5, bad: -2.5, poor: -2.2, poorly: -2, badly: -2, terrible: -3, awful: -3, horrible: -3,
  worst: -3, worse: -2.2, hate: -3, hated: -3, disappointed: -2.5, disappointing: -2.5, disappointment: -2.5,
  unhappy: -2.2, dissatisfied: -2.5, unsatisfied: -2.2, angry: -2.5, annoyed: -2, annoying: -2,
  frustrated: -2.5, frustrating: -2.5, upset: -2, slow: -1.5, slower: -1.5, slowly: -1.2, late: -1.5,
  delayed: -1.5, delay: -1.3, delays: -1.3, broken: -2.2, broke: -1.8, damaged: -2.2, defective: -2.5,
  faulty: -2.3, missing: -1.8, wrong: -1.8, incorrect: -1.8, error: -1.5, errors: -1.5, mistake: -1.5,
  mistakes: -1.5, problem: -1.5, problems: -1.5, issue: -1.2, issues: -1.2, bug: -1.5, bugs: -1.5, buggy: -2,
  crash: -2, crashes: -2, crashed: -2, fail: -2, failed: -2, fails: -2, failure: -2.2, useless: -2.5,
  waste: -2.3, expensive: -1.5, overpriced: -2.2, pricey: -1.2, costly: -1.3, ripoff: -2.8, scam: -3,
  fraud: -3, rude: -2.5, unhelpful: -2.2, unprofessional: -2.2, ignored: -2, ignoring: -2, complaint: -1.5,
  complaints: -1.5, complain: -1.5, complained: -1.5, cancelled: -1.2, canceled: -1.2, confusing: -1.5,
  confused: -1.3, difficult: -1.3, complicated: -1.3, unreliable: -2.2, flimsy: -2, cheaply: -1.2,
  sucks: -2.5, sucked: -2.5, crap: -2.5, garbage: -2.8, junk: -2.5, mess: -1.8, nightmare: -2.8,
  disaster: -2.8, dirty: -1.8, leaking: -1.5, noisy: -1.2, lost: -1.5, stolen: -2, overcharged: -2.5,
  unauthorized: -2, unacceptable: -2.5, ridiculous: -2, pathetic: -2.5, incompetent: -2.5, lazy: -1.8,
  regret: -2, sorry: -0.8, sad: -2, worried: -1.5, concerned: -1.2, mediocre: -1.3, meh: -1, outdated: -1.2,
  unclear: -1.2, inaccurate: -1.8, misleading: -2.2, lied: -2.5, spam: -1.8, stuck: -1.5, unusable: -2.5,
  unresponsive: -2.2, waiting: -1, waited: -1.2, cracked: -1.8, scratched: -1.5, fake: -2.5, expired: -2,
  "rip off": -2.8, "waste of money": -3, "waste of time": -2.8, "charged twice": -2.5, "double charged": -2.5,
  "never again": -2.5, "so-so": -0.8, "fell apart": -2.5, "falls apart": -2.5, "out of stock": -1.2,
  "hidden fees": -2, "took forever": -2, "takes forever": -2, "taking forever": -2, crashing: -2, failing: -2,
  fault: -1.5, happier: 2.5, easier: 1.5, "worth the money": 1.8, "worth it": 1.8, "speak highly": 2.2,
  "speaks highly": 2.2, "not a fan": -1.5, "big fan": 2, "huge fan": 2.2,
};

/** Valence of buying again ("will order again"); "won't buy from them again" negates it. */
const RETURN_INTENT = 2;
/** Verbs that with "again" shortly after state an intention to return. */
// prettier-ignore
const EN_RETURN_VERBS = new Set([
  "buy", "buying", "order", "ordering", "purchase", "purchasing", "shop", "shopping", "use", "using",
]);

/** English words for events customers expect: neutral when they happen, negative when they do not. */
// prettier-ignore
const EN_EXPECTED = new Set([
  "arrive", "arrived", "arrives", "came", "come", "deliver", "delivered", "receive", "received", "work",
  "works", "worked", "working", "respond", "responded", "response", "reply", "replied", "answer", "answered",
  "resolve", "fix", "refund", "ship", "shipped", "help", "load", "loads", "update", "updated", "processed",
  "called", "contacted", "show", "showed",
]);

// prettier-ignore
const EN_MODIFIERS: Record<string, Modifier> = {
  very: boost(1.3), really: boost(1.3), so: boost(1.3), too: boost(1.3), extremely: boost(1.5),
  incredibly: boost(1.5), absolutely: boost(1.4), totally: boost(1.4), completely: boost(1.4),
  utterly: boost(1.5), highly: boost(1.3), super: boost(1.3), pretty: boost(1.15), quite: boost(1.1),
  most: boost(1.2), especially: boost(1.2), particularly: boost(1.2), truly: boost(1.3),
  seriously: boost(1.3), deeply: boost(1.3), terribly: boost(1.4), awfully: boost(1.4),
  exceptionally: boost(1.4), remarkably: boost(1.3), insanely: boost(1.4), such: boost(1.2),
  slightly: boost(0.6), somewhat: boost(0.7), "a bit": boost(0.7), "a little": boost(0.7),
  "kind of": boost(0.7), kinda: boost(0.7), "sort of": boost(0.7), fairly: boost(0.8), rather: boost(0.9),
  mildly: boost(0.6), marginally: boost(0.6), not: negator(), no: negator(), never: negator(),
  without: negator(), hardly: negator(), barely: negator(), nothing: negator(), none: negator(),
  nobody: negator(), neither: negator(), nor: negator(), cannot: negator(), cant: negator(), dont: negator(),
  didnt: negator(), doesnt: negator(), isnt: negator(), wasnt: negator(), arent: negator(), werent: negator(),
  wont: negator(), havent: negator(), hasnt: negator(), hadnt: negator(), couldnt: negator(),
  wouldnt: negator(), shouldnt: negator(), "not very": negator(0.8), "not really": negator(0.8),
  "not too": negator(0.8), "no longer": negator(), stopped: negator(), stops: negator(),
  // "Not only fast but also cheap" adds to the praise rather than negating it.
  "not only": boost(1), "not just": boost(1),
};

/** Negators that set a ceiling before a comparative or with "enough" (see `isCeiling`). */
const EN_CAN_NEGATORS = new Set(["can't", "cannot", "cant", "couldn't", "couldnt"]);
// prettier-ignore
const EN_COMPARATIVES = new Set([
  "better", "happier", "worse", "easier", "faster", "quicker", "nicer", "smoother", "more", "less",
]);

/** Verbs that "can't ... enough" turns into emphasis ("can't thank you enough"). */
// prettier-ignore
const EN_PRAISE_VERBS = new Set([
  "recommend", "thank", "thank you", "praise", "love", "appreciate", "say", "speak", "speak highly",
]);

/** Words that make a following "like" not an opinion ("would like a refund", "looks like"). */
// prettier-ignore
const EN_LIKE_NOT_OPINION = new Set([
  "would", "i'd", "we'd", "feel", "feels", "felt", "look", "looks", "looked", "seem", "seems", "seemed",
  "sound", "sounds", "something", "anything", "just", "more", "less",
]);

// prettier-ignore
const ZH_LEXICON: Record<string, number> = {
  好: 2, 不错: 2, 满意: 2, 喜欢: 2.2, 爱: 2, 棒: 2.5, 优秀: 2.5, 完美: 3, 赞: 2.2, 点赞: 2, 好评: 2.2, 推荐: 1.8, 值得: 1.8, 值: 1.5,
  划算: 2, 实惠: 2, 便宜: 0.8, 物美价廉: 2.5, 性价比高: 2.2, 性价比很高: 2.5, 快: 1.5, 迅速: 1.8, 及时: 1.8, 准时: 1.8, 高效: 1.8,
  方便: 1.8, 便捷: 1.8, 简单: 1, 好用: 2.2, 耐用: 2, 结实: 1.8, 精致: 2, 漂亮: 2, 美观: 1.8, 舒服: 2, 舒适: 2, 干净: 1.5, 新鲜: 1.5,
  正品: 1.5, 专业: 1.8, 耐心: 1.8, 热情: 2, 周到: 2, 细心: 1.8, 贴心: 2.2, 友好: 2, 礼貌: 1.8, 客气: 1.5, 负责: 1.5, 靠谱: 2, 可靠: 2,
  放心: 1.8, 安心: 1.8, 稳定: 1.5, 流畅: 1.8, 顺利: 1.8, 顺畅: 1.8, 清楚: 1.2, 清晰: 1.2, 准确: 1.5, 惊喜: 2.5, 开心: 2.5, 高兴: 2.5,
  愉快: 2.2, 感谢: 1.8, 谢谢: 1.5, 优质: 2.2, 一流: 2.8, 出色: 2.5, 超值: 2.5, 物超所值: 2.8, 给力: 2.2, 好看: 2, 好吃: 2, 合理: 1.2,
  公道: 1.5, 还行: 0.8, 还可以: 0.8, 还好: 0.6, 满分: 2.5, 五星: 2.5, 回购: 2, 信赖: 2, 信任: 1.8, 齐全: 1.8, 丰富: 1.8, 多样: 1.5,
  没问题: 1.5, 很满意: 2.5, 好评如潮: 3, 差: -2.2, 不好: -2, 不行: -2, 糟糕: -2.8, 垃圾: -2.8, 烂: -2.5, 坑: -2.2, 坑人: -2.5,
  骗: -2.5, 骗子: -3, 欺骗: -2.8, 失望: -2.5, 不满: -2.2, 不满意: -2.2, 生气: -2.5, 气愤: -2.8, 愤怒: -2.8, 郁闷: -2, 难过: -2,
  后悔: -2.2, 讨厌: -2.5, 烦: -1.8, 麻烦: -1.5, 慢: -1.5, 缓慢: -1.5, 迟到: -1.5, 延迟: -1.5, 延误: -1.8, 拖延: -1.8, 贵: -1.5,
  昂贵: -1.8, 偏贵: -1.2, 不值: -2, 坏: -2, 破损: -2.2, 损坏: -2.2, 碎: -1.5, 缺货: -1.5, 丢失: -2, 丢件: -2.2, 错: -1.5,
  错误: -1.8, 有误: -1.8, 出错: -1.8, 问题: -1.5, 毛病: -1.8, 故障: -2, 瑕疵: -1.8, 缺陷: -2, 次品: -2.5, 假货: -2.8, 劣质: -2.5,
  粗糙: -1.8, 难用: -2.2, 不好用: -2.2, 难吃: -2.2, 难看: -2, 复杂: -1.2, 卡顿: -1.8, 闪退: -2.2, 崩溃: -2.5, 恶劣: -2.8, 冷漠: -2,
  敷衍: -2.2, 推诿: -2.2, 推脱: -2, 无语: -2, 无奈: -1.5, 投诉: -1.8, 差评: -2.5, 乱收费: -2.8, 多扣: -2.2, 扣错: -2.2, 重复扣费: -2.5,
  乱扣: -2.5, 欺诈: -3, 差劲: -2.5, 一般: -0.5, 一般般: -0.8, 凑合: -0.5, 不怎么样: -1.5, 失败: -2, 遗憾: -1.5, 担心: -1.2, 着急: -1.5,
  久: -0.8, 不耐烦: -2, 脏: -1.8, 臭: -2, 异味: -1.5, 过期: -2, 变质: -2.5, 发霉: -2.5, 虚假: -2.5, 误导: -2.2, 骚扰: -2.2,
  吵: -1.2, 噪音: -1.2, 断货: -1.2, 单一: -0.8, 不全: -1.2, 不足: -1.2, 漏发: -2, 错发: -2, 少发: -2, 发错: -2, 寄错: -2, 退货: -1,
  没用: -2, 解决了: 1.5, 已解决: 1.5, 已经解决: 1.5, 修好了: 1.5, 不理: -2, 好久: -0.8, 很久: -1, 再也不买: -2.5, 不会再买: -2.2,
  再也不来: -2.5, 不会再来: -2.2, 态度差: -2.5, 太贵: -2, 精美: 2, 用心: 2, 诚意: 1.5, 可惜: -1.2, 爱答不理: -2.2, 再好不过: 3,
  别买: -2.5, 不要买: -2.2,
};

/** Chinese expected events: neutral when they happen, negative when negated (没收到, 没人回复). */
// prettier-ignore
const ZH_EXPECTED = new Set([
  "收到", "到货", "到账", "回复", "退款", "发货", "送到", "送达", "处理", "联系", "修好", "理", "管", "响应", "解决", "到", "回电", "退",
  "发", "使用",
]);

// prettier-ignore
const ZH_MODIFIERS: Record<string, Modifier> = {
  很: boost(1.3), 非常: boost(1.5), 太: boost(1.4), 特别: boost(1.5), 十分: boost(1.5), 极其: boost(1.7), 极: boost(1.6),
  超: boost(1.5), 超级: boost(1.6), 真: boost(1.3), 真的: boost(1.3), 相当: boost(1.4), 挺: boost(1.2), 蛮: boost(1.2),
  最: boost(1.5), 巨: boost(1.5), 格外: boost(1.4), 更: boost(1.2), 更加: boost(1.3), 越来越: boost(1.3),
  实在: boost(1.4), 确实: boost(1.2), 如此: boost(1.3), 这么: boost(1.2), 那么: boost(1.2), 好: boost(1.3),
  贼: boost(1.4), 完全: boost(1.4), 根本: boost(1.4), 有点: boost(0.7), 有点儿: boost(0.7), 有些: boost(0.7),
  有一点: boost(0.7), 稍微: boost(0.6), 稍: boost(0.6), 略: boost(0.6), 略微: boost(0.6), 比较: boost(0.9),
  还算: boost(0.8), 不: negator(), 没: negator(), 没有: negator(), 无: negator(), 非: negator(), 未: negator(),
  别: negator(), 莫: negator(), 勿: negator(), 从未: negator(), 从不: negator(), 从来不: negator(), 从来没: negator(),
  从来没有: negator(), 毫无: negator(1.3), 并不: negator(), 并没有: negator(), 并没: negator(), 不是: negator(),
  绝不: negator(1.3), 决不: negator(1.3), 没什么: negator(), 再也不: negator(1.3), 还没: negator(), 还没有: negator(),
  尚未: negator(), 不太: negator(0.8), 不算: negator(0.8), 不怎么: negator(0.8), 不够: negator(0.9), 一直没: negator(1.2),
  一直没有: negator(1.2), 都没: negator(), 都没有: negator(), 也没: negator(), 也没有: negator(), 不用: negator(),
  不会: negator(), 不能: negator(), 不再: negator(), 无法: negator(), 没法: negator(), 从没: negator(),
  // Softened negators, like "not very": 没那么好 is milder than 不好.
  没那么: negator(0.8), 没这么: negator(0.8), 不那么: negator(0.8), 不是很: negator(0.8), 不是太: negator(0.8),
  不是特别: negator(0.8), 不是非常: negator(0.8), 不是那么: negator(0.8), 没有那么: negator(0.8),
  并没有那么: negator(0.8), 不如: negator(0.8), 还不如: negator(0.8),
  // Emphasis before a negator (一点也不好 "not good at all"), like 绝不 and 毫无.
  一点也: boost(1.3), 一点都: boost(1.3), 一点儿也: boost(1.3), 一点儿都: boost(1.3), 丝毫: boost(1.3),
  压根: boost(1.4), 绝对: boost(1.4),
  // Neutral degree words that ICU glues to the next one (都很, 也很); splitting them frees 很.
  都: boost(1), 也: boost(1),
  // 那样 marks a comparison (没有宣传的那样好) like 那么, without making it stronger.
  那样: boost(1),
};

/** 那么 after 没有 / 不如 further back turns 没有想象中那么好 into 没那么好 (see `scoreTokens`). */
const ZH_COMPARISON_MARKERS = new Set(["那么", "那样"]);
const ZH_COMPARISON_NEGATORS = new Set(["没有", "没", "并没有", "并没", "远没有", "不如", "还不如"]);
const ZH_COMPARISON_NEGATION = negator(0.8);
/** How far before 那么 its negator may stand (没有|宣传|的|那么 is three). */
const COMPARISON_REACH = 6;
/** Negators that close a clause after the word they negate (问题都没有). */
const ZH_POST_NEGATORS = new Set(["没有", "都没有", "也没有", "都没", "也没"]);
/** Diminishers after the word (贵了点, 慢了一点): "a bit", like 有点. */
const ZH_POST_DIMINISHERS = new Set(["点", "点儿", "一点", "一点儿", "些", "一些"]);
const ZH_POST_DIMINISHER = boost(0.7);

/** Words after which the rest of the sentence carries more weight than what came before. */
const CONTRAST_WORDS = new Set(["but", "however", "但是", "但", "可是", "不过", "然而", "只是", "却"]);
const CONTRAST_BEFORE = 0.5;
const CONTRAST_AFTER = 1.5;

/** Sentence-final particles that ICU glues to the word before (贵了, 好的). */
const ZH_PARTICLES = new Set(["了", "的", "啊", "呀", "吧", "啦", "哦", "呢", "嘛", "哈", "喔", "咯", "滴"]);

/** Known words that must not be split though they start with a modifier or end in a particle. */
// prettier-ignore
const ZH_PROTECTED = [
  "贵公司", "贵司", "差不多", "不少", "不断", "不同", "好像", "好多", "只好", "正好", "最好", "不仅", "不管", "不到", "没想到", "不然", "不得不",
  "好几", "好久", "好几次", "好几天", "好几个", "好几年",
  // 说好的 "as agreed" and 麻烦您 "please" are not opinions.
  "说好", "麻烦您", "麻烦你", "麻烦你们", "麻烦帮", "麻烦帮忙",
];

/** Theme keywords are known words too, so 客|服 is rebuilt as 客服 before theme matching. */
const ZH_DOMAIN_WORDS = new Set(CHINESE_THEME_WORDS);

/** Every Chinese word the segmenter adjustments know, in one set for fast lookups. */
const ZH_KNOWN = new Set<string>([
  ...Object.keys(ZH_LEXICON),
  ...Object.keys(ZH_MODIFIERS),
  ...ZH_EXPECTED,
  ...[...CONTRAST_WORDS].filter((word) => /\p{Script=Han}/u.test(word)),
  ...ZH_DOMAIN_WORDS,
  ...ZH_PROTECTED,
]);

function isKnownChinese(word: string): boolean {
  return ZH_KNOWN.has(word);
}

/** Multi-word entries ("not really", "customer service") that the English tokenizer keeps whole. */
const EN_PHRASES = new Set<string>(
  [...Object.keys(EN_LEXICON), ...Object.keys(EN_MODIFIERS), ...ENGLISH_THEME_PHRASES].filter((key) =>
    key.includes(" "),
  ),
);

const MAX_PHRASE_WORDS = 4;
const MAX_ZH_MERGE_CHARS = 6;
const MAX_SEGMENTER_RUN = 256;

let segmenter: Intl.Segmenter | null | undefined;
function chineseSegmenter(): Intl.Segmenter | null {
  if (segmenter === undefined) {
    segmenter =
      typeof Intl.Segmenter === "function" ? new Intl.Segmenter("zh", { granularity: "word" }) : null;
  }
  return segmenter;
}

/** Forward maximum matching on the module dictionary: the fallback when `Intl.Segmenter` is missing. */
function forwardMaximumMatch(run: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < run.length) {
    let length = Math.min(MAX_ZH_MERGE_CHARS, run.length - start);
    while (length > 1 && !isKnownChinese(run.slice(start, start + length))) length--;
    pieces.push(run.slice(start, start + length));
    start += length;
  }
  return pieces;
}

/** Splits an unknown token into modifier + known word and/or known word + particle, or returns null. */
function splitChinese(token: string, depth = 0): string[] | null {
  if (isKnownChinese(token)) return [token];
  if (token.length < 2 || depth > 3) return null;
  const last = token[token.length - 1];
  if (ZH_PARTICLES.has(last)) {
    const rest = splitChinese(token.slice(0, -1), depth + 1);
    if (rest) return [...rest, last];
  }
  for (let length = Math.min(4, token.length - 1); length >= 1; length--) {
    const prefix = token.slice(0, length);
    if (Object.hasOwn(ZH_MODIFIERS, prefix)) {
      const rest = splitChinese(token.slice(length), depth + 1);
      if (rest) return [prefix, ...rest];
    }
  }
  return null;
}

function segmentChinese(run: string): string[] {
  const icu = chineseSegmenter();
  const raw: string[] = [];
  // ICU's iterator slows down sharply on very long strings, so long runs go in chunks.
  for (let start = 0; start < run.length; start += MAX_SEGMENTER_RUN) {
    const chunk = run.slice(start, start + MAX_SEGMENTER_RUN);
    if (icu) for (const segment of icu.segment(chunk)) raw.push(segment.segment);
    else raw.push(...forwardMaximumMatch(chunk));
  }
  // Split first (很好 -> 很|好) so the merge can then rebuild words across ICU's boundaries
  // (很好|用 -> 很|好用); the merge only ever produces known words, so nothing needs a second split.
  const segments = raw.flatMap((token) => splitChinese(token) ?? [token]);
  // Merge neighbours that together form a known word (客|服 -> 客服), longest first. ICU also
  // glues a particle to the second half of a word it split (卡|顿了), so a known word followed
  // by a particle is rebuilt too (卡|顿了 -> 卡顿|了).
  const merged: string[] = [];
  for (let i = 0; i < segments.length;) {
    let word = segments[i];
    let particle = "";
    let take = 1;
    let joined = word;
    for (let j = i + 1; j < segments.length; j++) {
      joined += segments[j];
      if (joined.length > MAX_ZH_MERGE_CHARS + 1) break;
      const stem = joined.slice(0, -1);
      if (isKnownChinese(joined) && joined.length <= MAX_ZH_MERGE_CHARS) {
        [word, particle, take] = [joined, "", j - i + 1];
      } else if (segments[j].length > 1 && ZH_PARTICLES.has(joined.at(-1)!) && isKnownChinese(stem)) {
        [word, particle, take] = [stem, joined.at(-1)!, j - i + 1];
      }
    }
    merged.push(word);
    if (particle) merged.push(particle);
    i += take;
  }
  return merged;
}

function mergeEnglishPhrases(words: string[]): string[] {
  const result: string[] = [];
  for (let i = 0; i < words.length;) {
    let take = 1;
    for (let j = Math.min(words.length, i + MAX_PHRASE_WORDS); j >= i + 2; j--) {
      if (EN_PHRASES.has(words.slice(i, j).join(" "))) {
        take = j - i;
        break;
      }
    }
    result.push(words.slice(i, i + take).join(" "));
    i += take;
  }
  return result;
}

const HAN_RUN = /\p{Script=Han}+/gu;
const EN_TOKEN = /[a-z0-9]+(?:[-'][a-z0-9]+)*|[,:，、：()（）"“”]/g;
const CLAUSE_BREAK = /^[,:，、：()（）"“”]$/;

function tokenizeLatin(text: string): TextToken[] {
  const tokens: TextToken[] = [];
  let words: string[] = [];
  const flush = (): void => {
    for (const word of mergeEnglishPhrases(words)) tokens.push({ text: word, isBreak: false, han: false });
    words = [];
  };
  for (const match of text.matchAll(EN_TOKEN)) {
    if (CLAUSE_BREAK.test(match[0])) {
      flush();
      tokens.push({ text: match[0], isBreak: true, han: false });
    } else {
      words.push(match[0]);
    }
  }
  flush();
  return tokens;
}

/**
 * Splits one sentence into word tokens and clause breaks: Chinese runs through the segmenter and
 * dictionary, everything else as lower-case English words with known phrases kept whole.
 */
export function tokenize(sentence: string): TextToken[] {
  const text = sentence.toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'");
  const tokens: TextToken[] = [];
  let last = 0;
  for (const match of text.matchAll(HAN_RUN)) {
    for (const token of tokenizeLatin(text.slice(last, match.index))) tokens.push(token);
    for (const word of segmentChinese(match[0])) tokens.push({ text: word, isBreak: false, han: true });
    last = match.index + match[0].length;
  }
  // A loop, not push(...spread): a long feedback text has more tokens than the call stack takes arguments.
  for (const token of tokenizeLatin(text.slice(last))) tokens.push(token);
  return tokens;
}

/**
 * Splits text into sentences at 。！？；; and line breaks, and at . ! ? followed by a space or
 * the end (so "3.5" and "e.g." inside a sentence do not split it).
 */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[。！？；;\n])|(?<=[.!?])(?=\s|$)/u)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}

// Maps rather than the object literals: lookups run for every token of every feedback item.
const EN_VALENCE = new Map(Object.entries(EN_LEXICON));
const ZH_VALENCE = new Map(Object.entries(ZH_LEXICON));
const EN_MODIFIER = new Map(Object.entries(EN_MODIFIERS));
const ZH_MODIFIER = new Map(Object.entries(ZH_MODIFIERS));
const CONTRACTED_NEGATION = negator();

function modifierOf(token: TextToken): Modifier | undefined {
  if (token.isBreak) return undefined;
  if (token.han) return ZH_MODIFIER.get(token.text);
  if (token.text.endsWith("n't")) return CONTRACTED_NEGATION;
  return EN_MODIFIER.get(token.text);
}

function valenceOf(token: TextToken): number | undefined {
  if (token.isBreak) return undefined;
  return token.han ? ZH_VALENCE.get(token.text) : EN_VALENCE.get(token.text);
}

function isExpected(token: TextToken): boolean {
  return !token.isBreak && (token.han ? ZH_EXPECTED.has(token.text) : EN_EXPECTED.has(token.text));
}

function carriesSentiment(token: TextToken | undefined): boolean {
  return token !== undefined && (valenceOf(token) !== undefined || isExpected(token));
}

/** True for intensifiers and diminishers ("very", "很"): degree words, not content. */
export function isIntensifier(token: TextToken): boolean {
  const modifier = modifierOf(token);
  return modifier !== undefined && !modifier.negate && valenceOf(token) === undefined;
}

/** True for negators ("not", "didn't", "不", "没有"). */
export function isNegator(token: TextToken): boolean {
  return modifierOf(token)?.negate === true;
}

/** True for words that turn the sentence ("but", "但是"); they also end a clause. */
export function isContrastWord(token: TextToken): boolean {
  return !token.isBreak && CONTRAST_WORDS.has(token.text);
}

/** True when a token carries sentiment of its own (lexicon word or expected event). */
export function isSentimentWord(token: TextToken): boolean {
  return carriesSentiment(token);
}

/** Sentiment of a token sequence such as one clause: its matches and their summed valence. */
export function tokenValence(tokens: readonly TextToken[]): { matches: SentimentMatch[]; valence: number } {
  const matches = scoreTokens(tokens);
  return { matches, valence: matches.reduce((sum, match) => sum + match.valence, 0) };
}

/**
 * True when "can't" / "couldn't" / "could not" sets a ceiling rather than negating: before a
 * comparative ("couldn't be happier", "couldn't have arrived any faster"), or with "enough" after
 * a verb of praise ("can't recommend them enough", "can't say enough good things"; but "can't get
 * it clean enough" stays a complaint).
 */
function isCeiling(tokens: readonly TextToken[], negatorAt: number, wordAt: number): boolean {
  const negator = tokens[negatorAt];
  if (negator.han) return false;
  const before = negatorAt > 0 ? tokens[negatorAt - 1].text : "";
  if (
    !EN_CAN_NEGATORS.has(negator.text) &&
    !(negator.text === "not" && (before === "can" || before === "could"))
  )
    return false;
  let praiseVerb = false;
  for (let j = negatorAt + 1; j < tokens.length && j <= wordAt + 3 && !tokens[j].isBreak; j++) {
    const text = tokens[j].text;
    // "more than" compares with something else ("can't load more than ten items").
    if (j <= wordAt + 2 && EN_COMPARATIVES.has(text) && tokens[j + 1]?.text !== "than") return true;
    if (j <= wordAt) praiseVerb ||= EN_PRAISE_VERBS.has(text);
    if (text === "enough" && praiseVerb) return true;
  }
  return false;
}

/** `RETURN_INTENT` for "buy" / "order" with "again" in the next three words of the clause. */
function returnIntent(tokens: readonly TextToken[], wordAt: number): number | undefined {
  if (tokens[wordAt].han || !EN_RETURN_VERBS.has(tokens[wordAt].text)) return undefined;
  for (let j = wordAt + 1; j < tokens.length && j <= wordAt + 4 && !tokens[j].isBreak; j++) {
    if (tokens[j].text === "again") return RETURN_INTENT;
  }
  return undefined;
}

/**
 * Chinese modifiers that follow the word: a diminisher (慢了点 "a bit slow") or, when it ends the
 * clause, a negator (一点问题都没有 "no problem at all", 一点毛病也没有).
 */
function chineseAfterWord(tokens: readonly TextToken[], wordAt: number): Modifier {
  const rest: string[] = [];
  for (
    let j = wordAt + 1;
    j < tokens.length && !tokens[j].isBreak && !CONTRAST_WORDS.has(tokens[j].text);
    j++
  ) {
    if (!ZH_PARTICLES.has(tokens[j].text)) rest.push(tokens[j].text);
    if (rest.length > 1) break;
  }
  if (rest.length === 1 && ZH_POST_NEGATORS.has(rest[0])) return negator();
  const next = tokens[wordAt + 1]?.text === "了" ? tokens[wordAt + 2] : tokens[wordAt + 1];
  if (next !== undefined && ZH_POST_DIMINISHERS.has(next.text)) return ZH_POST_DIMINISHER;
  return boost(1);
}

/** The sentiment-bearing words of one tokenised sentence, with their valences after modifiers. */
function scoreTokens(tokens: readonly TextToken[]): SentimentMatch[] {
  const matches: (SentimentMatch & { position: number })[] = [];
  let clauseStart = 0;
  let contrastAt = -1;
  tokens.forEach((token, index) => {
    if (token.isBreak) {
      clauseStart = index + 1;
      return;
    }
    if (CONTRAST_WORDS.has(token.text)) {
      contrastAt = index;
      clauseStart = index + 1;
      return;
    }
    const base = valenceOf(token) ?? returnIntent(tokens, index);
    const expected = isExpected(token);
    if (base === undefined && !expected) return;
    // Words like 好 / "pretty" are degree words before another opinion word (好慢, "pretty bad").
    const next = tokens[index + 1];
    if (modifierOf(token) !== undefined && next !== undefined && valenceOf(next) !== undefined) return;
    if (!token.han && token.text === "like" && index > 0 && EN_LIKE_NOT_OPINION.has(tokens[index - 1].text))
      return;

    let scale = 1;
    let negations = 0;
    let nearestNegator = -1;
    let comparisonAt = -1;
    for (let j = index - 1; j >= Math.max(clauseStart, index - LOOKBACK); j--) {
      const previous = tokens[j];
      const modifier = modifierOf(previous);
      // A sentiment word further back has its own modifiers; do not reach past it. A dual word
      // (好) right before this one was its degree word; further back it was an opinion of its own.
      if (modifier === undefined || (j < index - 1 && valenceOf(previous) !== undefined)) {
        if (carriesSentiment(previous)) break;
        continue;
      }
      scale *= modifier.scale;
      if (previous.han && ZH_COMPARISON_MARKERS.has(previous.text)) comparisonAt = j;
      if (modifier.negate) {
        negations++;
        if (nearestNegator < 0) nearestNegator = j;
      }
    }
    if (negations % 2 === 1 && isCeiling(tokens, nearestNegator, index)) {
      negations--;
      scale *= CEILING_SCALE;
    }
    // 没有想象中那么好: the negator of a comparison reaches past the lookback to its 那么.
    if (negations === 0 && comparisonAt > clauseStart) {
      for (let j = comparisonAt - 1; j >= Math.max(clauseStart, comparisonAt - COMPARISON_REACH); j--) {
        if (!ZH_COMPARISON_NEGATORS.has(tokens[j].text)) continue;
        negations = 1;
        scale *= ZH_COMPARISON_NEGATION.scale / ZH_MODIFIER.get(tokens[comparisonAt].text)!.scale;
        break;
      }
    }
    if (token.han) {
      const after = chineseAfterWord(tokens, index);
      scale *= after.scale;
      if (after.negate) negations++;
    }
    const negated = negations % 2 === 1;
    const valence = expected
      ? negated
        ? MISSED_EXPECTATION * scale
        : 0
      : (base as number) * scale * (negated ? NEGATION_SCALAR : 1);
    if (valence !== 0) matches.push({ term: token.text, valence, position: index });
  });
  return matches.map(({ term, valence, position }) => ({
    term,
    valence: contrastAt < 0 ? valence : valence * (position < contrastAt ? CONTRAST_BEFORE : CONTRAST_AFTER),
  }));
}

/** Squashes a valence sum into (-1, 1) the way VADER does. */
export function normaliseValence(sum: number): number {
  return sum === 0 ? 0 : sum / Math.sqrt(sum * sum + NORMALISATION_ALPHA);
}

/** The label of a score: positive at >= 0.05, negative at <= -0.05, neutral between. */
export function sentimentLabel(score: number): SentimentLabel {
  if (score >= LABEL_THRESHOLD) return "positive";
  if (score <= -LABEL_THRESHOLD) return "negative";
  return "neutral";
}

/** Tokenises and scores one sentence (contrast words weigh the parts before and after them). */
export function sentenceValence(sentence: string): {
  tokens: TextToken[];
  matches: SentimentMatch[];
  valence: number;
} {
  const tokens = tokenize(sentence);
  return { tokens, ...tokenValence(tokens) };
}

/**
 * The dominant language of a text: "zh" when Chinese characters outweigh English words, counting
 * 1.5 characters as one word (the average length of a Chinese word), else "en". Empty text is "en".
 */
export function detectLanguage(text: string): FeedbackLanguage {
  const hanCharacters = (text.match(/\p{Script=Han}/gu) ?? []).length;
  const latinWords = (text.match(/[A-Za-z]+/g) ?? []).length;
  return hanCharacters > 0 && hanCharacters / 1.5 >= latinWords ? "zh" : "en";
}

/**
 * Sentiment of a piece of feedback in English, Chinese or a mix of both.
 *
 * @param language reported back as the result's language; detected with `detectLanguage` when
 *   omitted. Both lexicons are always applied, so a wrong hint does not lose words.
 */
export function sentimentOf(text: string, language?: FeedbackLanguage): SentimentResult {
  if (typeof text !== "string") throw new TypeError(`sentimentOf: text must be a string, got ${typeof text}`);
  if (language !== undefined && language !== "en" && language !== "zh") {
    throw new RangeError(`sentimentOf: language must be "en" or "zh", got ${String(language)}`);
  }
  const matches = splitSentences(text).flatMap((sentence) => sentenceValence(sentence).matches);
  const valence = matches.reduce((sum, match) => sum + match.valence, 0);
  const score = normaliseValence(valence);
  return {
    score,
    label: sentimentLabel(score),
    language: language ?? detectLanguage(text),
    valence,
    matches,
  };
}
