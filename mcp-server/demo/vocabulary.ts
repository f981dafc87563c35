/** Names, companies and texts the demo book is made of, in English and Chinese. */

export const ENGLISH_FIRST_NAMES = [
  "Olivia",
  "Liam",
  "Emma",
  "Noah",
  "Amelia",
  "Oliver",
  "Ava",
  "Elijah",
  "Sophia",
  "James",
  "Isabella",
  "William",
  "Mia",
  "Benjamin",
  "Charlotte",
  "Lucas",
  "Harper",
  "Henry",
  "Evelyn",
  "Theodore",
  "Grace",
  "Jack",
  "Chloe",
  "Samuel",
  "Hannah",
  "Daniel",
  "Zoe",
  "Matthew",
  "Nora",
  "David",
  "Leah",
  "Joseph",
  "Ruby",
  "Thomas",
  "Alice",
  "George",
];
export const ENGLISH_LAST_NAMES = [
  "Smith",
  "Johnson",
  "Williams",
  "Brown",
  "Jones",
  "Garcia",
  "Miller",
  "Davis",
  "Wilson",
  "Anderson",
  "Taylor",
  "Thomas",
  "Moore",
  "Jackson",
  "Martin",
  "Lee",
  "Thompson",
  "White",
  "Harris",
  "Clark",
  "Lewis",
  "Walker",
  "Hall",
  "Young",
  "King",
  "Wright",
  "Scott",
  "Green",
  "Baker",
  "Adams",
  "Nelson",
  "Hill",
  "Campbell",
  "Mitchell",
  "Roberts",
  "Carter",
];
export const ENGLISH_COMPANY_WORDS = [
  "Northwind",
  "Bluebird",
  "Summit",
  "Harbor",
  "Cedar",
  "Granite",
  "Maple",
  "Silverline",
  "Redwood",
  "Pioneer",
  "Lakeside",
  "Brightwater",
  "Ironbridge",
  "Oakridge",
  "Westfield",
  "Clearview",
  "Riverstone",
  "Kingsway",
];
export const ENGLISH_COMPANY_SUFFIXES = [
  "Trading",
  "Retail",
  "Supplies",
  "Logistics",
  "Studio",
  "Foods",
  "Outfitters",
  "Labs",
];

export const CHINESE_SURNAMES = [
  "王",
  "李",
  "张",
  "刘",
  "陈",
  "杨",
  "黄",
  "赵",
  "吴",
  "周",
  "徐",
  "孙",
  "马",
  "朱",
  "胡",
  "郭",
  "何",
  "林",
];
export const CHINESE_GIVEN_NAMES = [
  "伟",
  "芳",
  "娜",
  "敏",
  "静",
  "丽",
  "强",
  "磊",
  "军",
  "洋",
  "勇",
  "艳",
  "杰",
  "娟",
  "涛",
  "明",
  "超",
  "秀英",
  "华",
  "慧",
  "建国",
  "晓东",
  "文博",
  "雅婷",
  "子涵",
  "思远",
  "佳怡",
  "浩然",
];
export const CHINESE_SURNAME_PINYIN: Record<string, string> = {
  王: "wang",
  李: "li",
  张: "zhang",
  刘: "liu",
  陈: "chen",
  杨: "yang",
  黄: "huang",
  赵: "zhao",
  吴: "wu",
  周: "zhou",
  徐: "xu",
  孙: "sun",
  马: "ma",
  朱: "zhu",
  胡: "hu",
  郭: "guo",
  何: "he",
  林: "lin",
};
export const CHINESE_CITIES = [
  "上海",
  "北京",
  "深圳",
  "杭州",
  "广州",
  "成都",
  "苏州",
  "南京",
  "武汉",
  "西安",
];
export const CHINESE_COMPANY_WORDS = [
  "华瑞",
  "鼎盛",
  "恒通",
  "嘉禾",
  "明远",
  "新宇",
  "博达",
  "瑞丰",
  "天和",
  "汇丰源",
  "锦程",
  "卓越",
];
export const CHINESE_COMPANY_SUFFIXES = [
  "贸易有限公司",
  "科技有限公司",
  "商贸有限公司",
  "电子商务有限公司",
  "供应链有限公司",
];

export const ENGLISH_COUNTRIES = [
  "United Kingdom",
  "United States",
  "Australia",
  "Canada",
  "Ireland",
  "Singapore",
];
export const ENGLISH_DIALLING_CODES: Record<string, string> = {
  "United Kingdom": "+44",
  "United States": "+1",
  Australia: "+61",
  Canada: "+1",
  Ireland: "+353",
  Singapore: "+65",
};

/** Account managers: two mainly look after Chinese-speaking customers. */
export const OWNERS = {
  en: ["Alice Martin", "Ben Okafor", "Sofia Rossi"],
  zh: ["Chen Jing", "Wang Lei"],
};

export const ACQUISITION_CHANNELS = ["referral", "web", "trade show", "partner", "outbound", "social"];
export const TAGS = ["wholesale", "newsletter", "vip", "key account", "reseller", "pilot"];

export type Theme = "price" | "delivery" | "support" | "quality";
export const THEMES: readonly Theme[] = ["price", "delivery", "support", "quality"];

/** Feedback texts by language, theme and polarity. */
export const FEEDBACK_TEXTS: Record<"en" | "zh", Record<Theme, { praise: string[]; complaint: string[] }>> = {
  en: {
    price: {
      praise: [
        "Fair price for the quality, really good value.",
        "Pricing is clear and competitive, no surprises on the invoice.",
      ],
      complaint: [
        "Prices went up again and the new plan is too expensive for us.",
        "Your pricing is not competitive any more; other suppliers quote less.",
        "The invoice had charges we did not expect. Too expensive.",
      ],
    },
    delivery: {
      praise: [
        "Fast delivery, everything arrived the next day.",
        "Shipping was quick and the tracking was accurate.",
      ],
      complaint: [
        "The last delivery arrived a week late and the box was damaged.",
        "Shipping is slow and the tracking never updates.",
        "Our order was delayed twice without any notice.",
      ],
    },
    support: {
      praise: [
        "Support was quick and very helpful, thanks to the team.",
        "Great service from our account manager, always responsive.",
      ],
      complaint: [
        "Support did not answer my ticket for five days.",
        "The support team was not helpful at all and never called back.",
        "Hard to reach anyone when something goes wrong.",
      ],
    },
    quality: {
      praise: [
        "Excellent quality, exactly as described.",
        "The products are reliable and well made, very happy.",
      ],
      complaint: [
        "Quality has dropped, two items broke within a month.",
        "Several products were defective and had to be returned.",
        "Not the quality we used to get from you.",
      ],
    },
  },
  zh: {
    price: {
      praise: ["性价比很高，价格合理。", "价格透明，账单清楚，很满意。"],
      complaint: [
        "价格又涨了，新的套餐对我们来说太贵了。",
        "价格没有竞争力，其他供应商报价更低。",
        "账单里有意外的费用，太贵了。",
      ],
    },
    delivery: {
      praise: ["发货很快，第二天就到了。", "物流很及时，跟踪信息准确。"],
      complaint: [
        "上次发货晚了一周，包装还破损了。",
        "物流太慢，跟踪信息一直不更新。",
        "订单两次延迟，没有任何通知。",
      ],
    },
    support: {
      praise: ["客服响应很快，非常专业。", "客户经理服务很好，总是及时回复。"],
      complaint: [
        "客服五天都没有回复我的工单。",
        "客服态度不好，问题一直没有解决。",
        "出了问题很难联系到人。",
      ],
    },
    quality: {
      praise: ["质量非常好，和描述一致。", "产品可靠，做工精细，很满意。"],
      complaint: ["质量下降了，两件产品一个月内就坏了。", "好几件产品有缺陷，只能退货。", "质量不如以前了。"],
    },
  },
};

/** Interaction notes by language: channel, summary and outcome. */
export const INTERACTION_NOTES: Record<"en" | "zh", [string, string, string][]> = {
  en: [
    ["phone", "Quarterly check-in call", "positive"],
    ["email", "Sent the new product catalogue", "no reply"],
    ["meeting", "Discussed next quarter's order volume", "follow-up needed"],
    ["phone", "Followed up on a late delivery", "resolved"],
    ["meeting", "Renewal conversation", "positive"],
    ["email", "Customer asked about volume pricing", "quote sent"],
    ["phone", "Left a voicemail", "no answer"],
    ["in-store", "Customer visited the showroom", "order placed"],
    ["chat", "Answered a question about an invoice", "resolved"],
    ["social", "Customer mentioned us in a post", "thanked"],
  ],
  zh: [
    ["phone", "季度回访电话", "积极"],
    ["email", "发送了新产品目录", "未回复"],
    ["meeting", "讨论下季度订货量", "需跟进"],
    ["chat", "微信跟进延迟发货问题", "已解决"],
    ["meeting", "续约沟通", "积极"],
    ["chat", "客户在微信上询问批量价格", "已报价"],
    ["phone", "电话未接通", "未接通"],
    ["meeting", "上门拜访客户", "已下单"],
    ["social", "客户在朋友圈推荐了我们", "已致谢"],
  ],
};

/**
 * The catalogue's product categories, as events name them. They are catalogue keys, the same
 * for every customer whatever their language.
 */
export const PRODUCT_CATEGORIES = [
  "office furniture",
  "lighting",
  "kitchenware",
  "textiles",
  "stationery",
  "electronics",
  "outdoor",
  "gifts",
];

/** Ticket subjects by language and kind (complaints opened from feedback quote the feedback instead). */
export const TICKET_SUBJECTS: Record<
  "en" | "zh",
  Record<"complaint" | "question" | "request" | "return", string[]>
> = {
  en: {
    complaint: [
      "Order arrived late",
      "Item arrived damaged",
      "Charged twice for one order",
      "Wrong item delivered",
    ],
    question: [
      "Where is my order?",
      "Question about an invoice",
      "Is this item back in stock?",
      "How do I change my delivery address?",
    ],
    request: [
      "Please send a copy of the invoice",
      "Request for a volume quote",
      "Please update our billing details",
      "Request to split a delivery",
    ],
    return: [
      "Return: item does not fit our needs",
      "Return: wrong size ordered",
      "Return of an unopened item",
    ],
  },
  zh: {
    complaint: ["订单发货太慢", "收到的商品有破损", "同一订单被重复扣款", "发错了商品"],
    question: ["我的订单到哪里了？", "关于发票的问题", "这款商品什么时候补货？", "如何修改收货地址？"],
    request: ["请补开一张发票", "申请批量采购报价", "请更新我们的开票信息", "希望分批发货"],
    return: ["退货：商品不符合需求", "退货：尺寸选错了", "退回未拆封的商品"],
  },
};

/** Resolution notes of resolved tickets, by language and kind. */
export const TICKET_RESOLUTIONS: Record<
  "en" | "zh",
  Record<"complaint" | "question" | "request" | "return", string[]>
> = {
  en: {
    complaint: [
      "Apologised and refunded the delivery charge.",
      "Sent a replacement by express delivery.",
      "Refunded the duplicate charge.",
    ],
    question: ["Answered by email.", "Explained the invoice line by line.", "Shared the tracking link."],
    request: ["Done as asked.", "Quote sent.", "Details updated."],
    return: [
      "Return received and refunded.",
      "Exchanged for the right size.",
      "Return label sent; refunded.",
    ],
  },
  zh: {
    complaint: ["已致歉并退还运费。", "已加急补发新品。", "已退还重复扣款。"],
    question: ["已邮件回复。", "已逐项说明发票内容。", "已提供物流单号。"],
    request: ["已按要求处理。", "报价已发送。", "信息已更新。"],
    return: ["已收到退货并退款。", "已换成合适的尺寸。", "已寄出退货单并退款。"],
  },
};
