import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FIND_AT_RISK_CUSTOMERS } from "../../../mcp-server/contract/findAtRiskCustomers.js";
import { createServer } from "../../../mcp-server/server/createServer.js";
import { Store } from "../../../mcp-server/store/store.js";
import { ensureBuilt, runCli, runCliAsync } from "../../helpers/cli.js";
import {
  startFakeOpenAi,
  type FakeOpenAi,
  type FakeReply,
  type RecordedRequest,
} from "../../helpers/fakeOpenAi.js";
import { createTempDir, type TempDir } from "../../helpers/tempFiles.js";

const AS_OF = "2026-06-30";
const QUESTION = "which of my customers should I call this week?";
const OWNER = "Chen Jing";
const AT_RISK_ARGS = { owner: OWNER, limit: 5 };
const ANSWER = "Call the top two on the list first; both are in decline.";
const NO_LLM = { CRM_LLM_BASE_URL: "", CRM_LLM_MODEL: "", CRM_LLM_API_KEY: "", OPENAI_API_KEY: "" };

let dir: TempDir;
let db: string;
let fake: FakeOpenAi | undefined;

async function askCli(reply: (request: RecordedRequest, index: number) => FakeReply, ...extra: string[]) {
  fake = await startFakeOpenAi(reply);
  const result = await runCliAsync(
    ["--db", db, "ask", QUESTION, "--owner", OWNER, "--as-of", AS_OF, ...extra],
    { ...NO_LLM, CRM_LLM_BASE_URL: fake.baseUrl, CRM_LLM_MODEL: "local-test-model" },
  );
  return { result, requests: fake.requests };
}

const twoSteps = (_request: RecordedRequest, index: number): FakeReply =>
  index === 0
    ? { toolCalls: [{ name: FIND_AT_RISK_CUSTOMERS, arguments: AT_RISK_ARGS }] }
    : { content: ANSWER };

/** What find_at_risk_customers answers on the same store and day, asked directly. */
async function directAtRisk(): Promise<CallToolResult> {
  const store = await Store.open(db);
  const server = createServer({
    store,
    allowWrites: false,
    redact: false,
    actor: "test",
    now: () => new Date(`${AS_OF}T23:59:59Z`),
  });
  const client = new Client({ name: "ask-test", version: "1.0.0" });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  try {
    return (await client.callTool({
      name: FIND_AT_RISK_CUSTOMERS,
      arguments: AT_RISK_ARGS,
    })) as CallToolResult;
  } finally {
    await client.close();
    await server.close();
    await store.close();
  }
}

beforeAll(() => {
  ensureBuilt();
  dir = createTempDir("crm-cli-ask-");
  db = dir.join("crm.db");
  expect(runCli(["--db", db, "demo", "--customers", "200", "--as-of", AS_OF]).code).toBe(0);
});
afterAll(() => dir?.remove());
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe("crm ask", () => {
  it("answers through a two-step tool-calling conversation and lists the tool calls", async () => {
    const { result, requests } = await askCli(twoSteps);
    expect(result.code, result.stderr).toBe(0);
    expect(requests).toHaveLength(2);
    expect(requests[0].body.model).toBe("local-test-model");
    expect(requests[0].body.messages[0].content).toContain(`Today is ${AS_OF}`);
    expect(requests[0].body.messages[1]).toEqual({ role: "user", content: QUESTION });

    const toolMessage = requests[1].body.messages.find((message) => message.role === "tool")!;
    expect(toolMessage.tool_call_id).toBe("call_1_0");
    const direct = await directAtRisk();
    const text = direct.content[0].type === "text" ? direct.content[0].text : "";
    expect(text).toContain("customers at risk");
    expect(toolMessage.content).toBe(text);
    const rows = (
      direct.structuredContent as { customers: { customer: { customer_id: string; owner: string } }[] }
    ).customers;
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.customer.owner).toBe(OWNER);
      expect(toolMessage.content).toContain(row.customer.customer_id);
    }

    expect(result.stdout).toBe(
      [
        ANSWER,
        "",
        "Tool calls (1):",
        `  1. ${FIND_AT_RISK_CUSTOMERS} ${JSON.stringify(AT_RISK_ARGS)}  ok`,
        `(local-test-model at ${fake!.baseUrl}, 2 steps)`,
        "",
      ].join("\n"),
    );
  });

  it("prints the answer and the tool calls as JSON with --json", async () => {
    const { result } = await askCli(twoSteps, "--json");
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      question: QUESTION,
      answer: ANSWER,
      finished: true,
      steps: 2,
      toolCalls: [{ step: 1, name: FIND_AT_RISK_CUSTOMERS, arguments: AT_RISK_ARGS, ok: true, error: null }],
      model: "local-test-model",
      endpoint: fake!.baseUrl,
    });
  });

  it("keeps going after an unknown tool name and shows the failed call", async () => {
    const { result, requests } = await askCli((_request, index) =>
      index === 0 ? { toolCalls: [{ name: "send_email", arguments: { to: "all" } }] } : { content: ANSWER },
    );
    expect(result.code, result.stderr).toBe(0);
    const toolMessage = requests[1].body.messages.find((message) => message.role === "tool")!;
    expect(toolMessage.content).toMatch(/^Error: there is no tool named "send_email"/);
    expect(result.stdout).toContain(ANSWER);
    expect(result.stdout).toContain('1. send_email {"to":"all"}  error: there is no tool named "send_email"');
  });

  it("masks emails and phone numbers in what the model reads with --redact", async () => {
    const store = await Store.open(db);
    const customer = await store.requireCustomer("C00001");
    await store.close();
    expect(customer.email).toBeTruthy();
    const getCustomer = (_request: RecordedRequest, index: number): FakeReply =>
      index === 0
        ? { toolCalls: [{ name: "get_customer", arguments: { customer_id: "C00001" } }] }
        : { content: ANSWER };
    const toolText = (requests: RecordedRequest[]) =>
      requests[1].body.messages.find((message) => message.role === "tool")!.content as string;

    const plain = await askCli(getCustomer);
    expect(plain.result.code, plain.result.stderr).toBe(0);
    expect(toolText(plain.requests)).toContain(customer.email!);
    await fake!.close();

    const redacted = await askCli(getCustomer, "--redact");
    expect(redacted.result.code, redacted.result.stderr).toBe(0);
    expect(toolText(redacted.requests)).toContain("C00001");
    expect(toolText(redacted.requests)).not.toContain(customer.email!);
  });

  it("without a configured model, exits 1 and says how to configure one", () => {
    const result = runCli(["--db", db, "ask", QUESTION], NO_LLM);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^crm: crm ask needs a chat model, and none is configured\.\n/);
    for (const text of [
      "CRM_LLM_MODEL",
      "CRM_LLM_BASE_URL",
      "CRM_LLM_API_KEY",
      "OPENAI_API_KEY",
      "--llm-model",
    ]) {
      expect(result.stderr).toContain(text);
    }
    expect(result.stderr).toContain("OpenAI:  export CRM_LLM_MODEL=gpt-4o-mini CRM_LLM_API_KEY=sk-...");
    expect(result.stderr).toContain("Ollama:  export CRM_LLM_BASE_URL=http://127.0.0.1:11434/v1");

    const keyOnly = runCli(["--db", db, "ask", QUESTION], { ...NO_LLM, OPENAI_API_KEY: "sk-test" });
    expect(keyOnly.code).toBe(1);
    expect(keyOnly.stderr).toContain("an API key is set, but no model: set CRM_LLM_MODEL or --llm-model");

    const noModel = runCli(
      ["--db", db, "ask", QUESTION, "--llm-base-url", "http://127.0.0.1:11434/v1"],
      NO_LLM,
    );
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toContain("no model is named");
  });

  it("exits 1 with a readable message, not a stack, when the endpoint fails", async () => {
    const { result } = await askCli(() => ({ status: 503, error: "model is loading" }));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^crm: The OpenAI-compatible endpoint http:\/\/127\.0\.0\.1:\d+\/v1 \(model local-test-model\) answered HTTP 503 \(2 attempts\) \(model is loading\)\n$/,
    );

    const slow = await askCli(() => ({ hang: true }), "--timeout", "1");
    expect(slow.result.code).toBe(1);
    expect(slow.result.stderr).toMatch(
      /did not answer within 1 s \(2 attempts\); allow more time with --timeout/,
    );
    expect(slow.result.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 1 for bad flag values", () => {
    for (const flags of [
      ["--max-steps", "0"],
      ["--max-steps", "21"],
      ["--timeout", "soon"],
      ["--as-of", "tomorrow"],
    ]) {
      const result = runCli(["--db", db, "ask", QUESTION, ...flags], NO_LLM);
      expect(result.code, flags.join(" ")).toBe(1);
      expect(result.stderr, flags.join(" ")).toMatch(/--max-steps|--timeout|YYYY-MM-DD/);
    }
  });
});
