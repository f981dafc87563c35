import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { draftFollowUpOutput } from "../../../mcp-server/contract/draftFollowUp.js";
import { Store } from "../../../mcp-server/store/store.js";
import { ensureBuilt, runCli, runCliAsync } from "../../helpers/cli.js";
import { startFakeOpenAi } from "../../helpers/fakeOpenAi.js";
import { createTempDir, type TempDir } from "../../helpers/tempFiles.js";

const AS_OF = "2026-06-30";
/** No model configured, whatever the developer's shell has: drafts come from the templates. */
const NO_LLM = { CRM_LLM_BASE_URL: "", CRM_LLM_MODEL: "", CRM_LLM_API_KEY: "", OPENAI_API_KEY: "" };
const HAN = /[\u4e00-\u9fff]/;

let dir: TempDir;
let db: string;
let english: { id: string; name: string };
let chinese: { id: string; name: string };
let doNotContact: string;

const crm = (...args: string[]) => runCli(["--db", db, ...args], NO_LLM);

/** The built CLI without blocking this process, which serves the fake endpoint it talks to. */
const crmAsync = (args: string[], env: Record<string, string>) =>
  runCliAsync(["--db", db, ...args], { ...NO_LLM, ...env });

beforeAll(async () => {
  ensureBuilt();
  dir = createTempDir("crm-cli-draft-");
  db = dir.join("crm.db");
  expect(runCli(["--db", db, "demo", "--customers", "200", "--as-of", AS_OF]).code).toBe(0);
  const store = await Store.open(db);
  try {
    const first = (language: string) =>
      store.db.get<{ external_id: string; name: string }>(
        "SELECT external_id, name FROM customers WHERE language = ? AND do_not_contact = 0 AND name IS NOT NULL ORDER BY id LIMIT 1",
        [language],
      );
    const en = (await first("en"))!;
    const zh = (await first("zh"))!;
    english = { id: en.external_id, name: en.name };
    chinese = { id: zh.external_id, name: zh.name };
    doNotContact = (await store.db.get<{ external_id: string }>(
      "SELECT external_id FROM customers WHERE do_not_contact = 1 ORDER BY id LIMIT 1",
    ))!.external_id;
  } finally {
    await store.close();
  }
});
afterAll(() => dir?.remove());

describe("crm draft", () => {
  it("prints an English template draft with its subject, generator and a reminder that nothing was sent", () => {
    const result = crm("draft", english.id, "--as-of", AS_OF);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^Draft email to .+ \\(${english.id}\\): goal [a-z-]+, tone warm, language en, written by template\n`,
      ),
    );
    expect(result.stdout).toMatch(/\nSubject: .+\n/);
    expect(result.stdout).toContain(english.name.split(" ")[0]);
    expect(result.stdout).not.toMatch(HAN);
    expect(result.stdout).toContain("Nothing was sent");
  });

  it("writes to a Chinese customer in Chinese, and in Chinese on request with --lang zh", () => {
    const result = crm("draft", chinese.id, "--as-of", AS_OF, "--channel", "wechat");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("language zh, written by template");
    const body = result.stdout.split("\n").slice(2).join("\n");
    expect(body).toMatch(HAN);
    expect(body).toContain(chinese.name);

    const asked = crm("draft", english.id, "--as-of", AS_OF, "--lang", "zh", "--goal", "thank-you");
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stdout).toContain("goal thank-you, tone warm, language zh");
    expect(asked.stdout.split("\n").slice(2).join("\n")).toMatch(HAN);
  });

  it("prints the full result with --json, the same shape the MCP tool returns", () => {
    const result = crm(
      "draft",
      chinese.id,
      "--as-of",
      AS_OF,
      "--channel",
      "sms",
      "--notes",
      "met at the fair",
      "--json",
    );
    expect(result.code, result.stderr).toBe(0);
    const draft = draftFollowUpOutput.parse(JSON.parse(result.stdout));
    expect(draft).toMatchObject({ drafted: true, generator: "template", channel: "sms", language: "zh" });
    expect(draft.body).toMatch(HAN);
    expect(draft.subject).toBeNull();
    expect(draft.body!.length).toBeLessThanOrEqual(draft.limits.body);
    expect(draft.facts.customer.customer_id).toBe(chinese.id);
    expect(draft.facts.manager_notes).toBe("met at the fair");
    expect(draft.facts.as_of).toContain(AS_OF);
  });

  it("explains instead of drafting for a do-not-contact customer, and exits 0", () => {
    const result = crm("draft", doNotContact, "--as-of", AS_OF);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^No draft for .+ \\(${doNotContact}\\): .*do-not-contact`));
    expect(result.stdout).not.toContain("Subject:");
    const json = JSON.parse(crm("draft", doNotContact, "--as-of", AS_OF, "--json").stdout);
    expect(json).toMatchObject({ drafted: false, body: null });
    expect(json.reason).toContain("do-not-contact");
  });

  it("exits 1 with the actionable message for an unknown customer", () => {
    const result = crm("draft", "C99999", "--as-of", AS_OF);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim()).toBe(
      "crm: no customer with id C99999; try search_customers (or `crm customers list --search ...`) to find the id",
    );
  });

  it("exits 1 for bad flag values, naming the flag", () => {
    const cases: [string[], RegExp][] = [
      [["--goal", "bribe"], /'--goal <goal>' argument 'bribe' is invalid\. Allowed choices are retention,/],
      [["--channel", "fax"], /'--channel <channel>' argument 'fax' is invalid/],
      [["--tone", "angry"], /'--tone <tone>' argument 'angry' is invalid/],
      [["--lang", "fr"], /'--lang <language>' argument 'fr' is invalid/],
      [["--prefer", "sampling"], /'--prefer <writer>' argument 'sampling' is invalid/],
      [["--as-of", "30/06/2026"], /YYYY-MM-DD/],
      [["--notes", "x".repeat(1001)], /^crm: --notes: .*1000/],
      [["--llm-base-url", "localhost:11434"], /"localhost:11434" is not an http\(s\) URL/],
    ];
    for (const [flags, message] of cases) {
      const result = crm("draft", english.id, ...flags);
      expect(result.code, flags.join(" ")).toBe(1);
      expect(result.stderr, flags.join(" ")).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("says how to configure a model when --prefer openai has none", () => {
    const result = crm("draft", english.id, "--prefer", "openai");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--prefer openai needs a model endpoint");
    expect(result.stderr).toContain("CRM_LLM_BASE_URL");
    expect(result.stderr).toContain("http://127.0.0.1:11434/v1");
  });

  it("hands the --llm-* flags (over the environment) to the model writer, and says which one wrote", async () => {
    const body = "I hope things are going well. Would you have time for a short call next week?";
    const fake = await startFakeOpenAi(() => ({
      content: `Subject: Checking in\n\nHi there,\n\n${body}\n\nBest regards`,
    }));
    try {
      const result = await crmAsync(
        [
          "draft",
          english.id,
          "--as-of",
          AS_OF,
          "--llm-base-url",
          fake.baseUrl,
          "--llm-model",
          "flag-model",
          "--json",
        ],
        { CRM_LLM_BASE_URL: "http://127.0.0.1:9/v1", CRM_LLM_MODEL: "env-model", CRM_LLM_API_KEY: "env-key" },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(fake.requests.length).toBeGreaterThan(0);
      expect(fake.requests[0].body.model).toBe("flag-model");
      expect(fake.requests[0].headers.authorization).toBe("Bearer env-key");
      const draft = draftFollowUpOutput.parse(JSON.parse(result.stdout));
      expect(draft.generator).toBe("openai");
      expect(draft.grounding?.passed).toBe(true);
      expect(draft.subject).toBe("Checking in");
      expect(draft.body).toContain(body);

      const printed = await crmAsync(["draft", english.id, "--as-of", AS_OF], {
        CRM_LLM_BASE_URL: fake.baseUrl,
        CRM_LLM_MODEL: "env-model",
      });
      expect(printed.code, printed.stderr).toBe(0);
      expect(printed.stdout).toContain("written by openai");
      expect(printed.stdout).toContain(body);
      expect(printed.stdout).toContain("Fact check: passed.");

      const forced = await crmAsync(["draft", english.id, "--as-of", AS_OF, "--prefer", "template"], {
        CRM_LLM_BASE_URL: fake.baseUrl,
        CRM_LLM_MODEL: "env-model",
      });
      expect(forced.stdout).toContain("written by template");
      expect(fake.requests).toHaveLength(2);
    } finally {
      await fake.close();
    }
  });
});
