import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { summariseFeedbackOutput } from "../../../mcp-server/contract/summariseFeedback.js";
import { ensureBuilt, runCli, runCliAsync } from "../../helpers/cli.js";
import { startFakeOpenAi } from "../../helpers/fakeOpenAi.js";
import { createTempDir, type TempDir } from "../../helpers/tempFiles.js";

const AS_OF = "2026-06-30";
const NO_LLM = { CRM_LLM_BASE_URL: "", CRM_LLM_MODEL: "", CRM_LLM_API_KEY: "", OPENAI_API_KEY: "" };
const HAN = /[\u4e00-\u9fff]/;

let dir: TempDir;
let db: string;

const crm = (...args: string[]) => runCli(["--db", db, ...args], NO_LLM);
/** The built CLI without blocking this process, which serves the fake endpoint it talks to. */
const crmAsync = (args: string[], env: Record<string, string>) =>
  runCliAsync(["--db", db, ...args], { ...NO_LLM, ...env });

const summaryJson = (...args: string[]) => {
  const result = crm("feedback", "summary", "--as-of", AS_OF, "--json", ...args);
  expect(result.code, result.stderr).toBe(0);
  return summariseFeedbackOutput.parse(JSON.parse(result.stdout));
};

beforeAll(() => {
  ensureBuilt();
  dir = createTempDir("crm-cli-feedback-");
  db = dir.join("crm.db");
  expect(runCli(["--db", db, "demo", "--customers", "200", "--as-of", AS_OF]).code).toBe(0);
});
afterAll(() => dir?.remove());

describe("crm feedback summary", () => {
  it("prints the English summary with NPS, sentiment, themes and quotes compactly", () => {
    const json = summaryJson();
    expect(json.summary.language).toBe("en");
    expect(json).toMatchObject({ generator: "template", grounding: null, warnings: [] });
    expect(json.period).toEqual({ from: "2026-04-02", to: AS_OF, days: 90 });

    const result = crm("feedback", "summary", "--as-of", AS_OF);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe(
      `Feedback 2026-04-02 to ${AS_OF} (90 days, as of ${AS_OF}): ${json.responses} items from 200 customers in scope`,
    );
    expect(lines[2]).toBe(json.summary.text);
    expect(lines[3]).toBe("(summary written by template)");
    const nps = json.nps!;
    expect(result.stdout).toContain(
      `from ${nps.responses} answers (${nps.promoters} promoters, ${nps.passives} passives, ${nps.detractors} detractors)`,
    );
    expect(result.stdout).toContain(`Complaints ${json.open_complaints.count} open`);
    expect(result.stdout).toMatch(/\ntheme\s+items\s+share/);
    for (const theme of json.themes) expect(result.stdout).toContain(theme.label.en);
    expect(result.stdout).toContain("Quotes (customer text):");
    expect(result.stdout).toContain(json.quotes.negative[0].customer_id);
  });

  it("writes the summary and the labels in Chinese with --lang zh", () => {
    const json = summaryJson("--lang", "zh");
    expect(json.summary.language).toBe("zh");
    expect(json.summary.text).toMatch(HAN);
    const result = crm("feedback", "summary", "--as-of", AS_OF, "--lang", "zh");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(json.summary.text);
    expect(result.stdout).toMatch(/^反馈 2026-04-02 至 2026-06-30/);
    expect(result.stdout).toContain("代表性引述（客户原话）：");
    for (const theme of json.themes) expect(result.stdout).toContain(theme.label.zh);
  });

  it("passes the filters through to the tool", () => {
    const owner = summaryJson("--owner", "Chen Jing", "--from", "2026-01-01", "--to", "2026-03-31");
    expect(owner.filters.owner).toBe("Chen Jing");
    expect(owner.filters.customers_in_scope).toBeLessThan(200);
    expect(owner.period).toEqual({ from: "2026-01-01", to: "2026-03-31", days: 90 });
    const segment = summaryJson("--segment", "at-risk");
    expect(segment.filters.segment).toBe("at-risk");
    const one = summaryJson("--customer", "C00106");
    expect(one.filters.customer?.customer_id).toBe("C00106");
    expect(one.filters.customers_in_scope).toBe(1);
  });

  it("exits 1 with a message naming the flag for bad values and unknown customers", () => {
    const cases: [string[], RegExp][] = [
      [
        ["--segment", "vip"],
        /'--segment <segment>' argument 'vip' is invalid\. Allowed choices are champions,/,
      ],
      [["--lang", "fr"], /'--lang <language>' argument 'fr' is invalid/],
      [["--from", "2026-02-30"], /--from must be a real date written YYYY-MM-DD/],
      [["--to", "June"], /--to must be a real date written YYYY-MM-DD/],
      [["--to", "2026-07-01"], /^crm: --to 2026-07-01 is after the as-of day 2026-06-30/],
      [
        ["--from", "2026-06-01", "--to", "2026-05-01"],
        /^crm: --from 2026-06-01 is after --to 2026-05-01; swap them/,
      ],
      [["--customer", "C99999"], /^crm: no customer with id C99999/],
      [["--prefer", "sampling"], /'--prefer <writer>' argument 'sampling' is invalid/],
      [
        ["--prefer", "openai"],
        /^crm: --prefer openai needs a model endpoint, and none is configured\.\n.*CRM_LLM_MODEL/s,
      ],
    ];
    for (const [flags, message] of cases) {
      const result = crm("feedback", "summary", "--as-of", AS_OF, ...flags);
      expect(result.code, flags.join(" ")).toBe(1);
      expect(result.stderr, flags.join(" ")).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("has the configured model write the narrative, and falls back to the template with a warning when it cannot", async () => {
    const narrative =
      "Feedback in this period leaned positive, and product quality was the theme customers mentioned most.";
    const fake = await startFakeOpenAi((_request, index) =>
      index === 0 ? { content: narrative } : { status: 500, error: "overloaded" },
    );
    try {
      const env = { CRM_LLM_BASE_URL: fake.baseUrl, CRM_LLM_MODEL: "env-model" };
      const written = await crmAsync(["feedback", "summary", "--as-of", AS_OF], env);
      expect(written.code, written.stderr).toBe(0);
      expect(fake.requests[0].body.model).toBe("env-model");
      const lines = written.stdout.split("\n");
      expect(lines[2]).toBe(narrative);
      expect(lines[3]).toBe("(summary written by openai; numbers checked against the analytics)");

      const failed = await crmAsync(["feedback", "summary", "--as-of", AS_OF, "--json"], env);
      expect(failed.code, failed.stderr).toBe(0);
      const json = summariseFeedbackOutput.parse(JSON.parse(failed.stdout));
      expect(json.generator).toBe("template");
      expect(json.warnings.join(" ")).toContain("500");
    } finally {
      await fake.close();
    }
  });
});
