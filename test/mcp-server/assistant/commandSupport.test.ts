import { describe, expect, it } from "vitest";
import { commandDeps, commandLlmConfig, toolInput } from "../../../mcp-server/assistant/commandSupport.js";
import { HOW_TO_CONFIGURE } from "../../../mcp-server/assistant/llmConfig.js";
import { UserError } from "../../../mcp-server/cli/errors.js";
import { draftFollowUpInput } from "../../../mcp-server/contract/draftFollowUp.js";
import type { Store } from "../../../mcp-server/store/store.js";

describe("what the LLM commands share", () => {
  it("builds read-only deps that carry the one model configuration", () => {
    const store = {} as Store;
    const llm = commandLlmConfig({ llmModel: "qwen2.5:7b", llmBaseUrl: "http://127.0.0.1:11434/v1" }, {});
    const deps = commandDeps(store, { llm });
    expect(deps).toMatchObject({ store, allowWrites: false, redact: false, llm });
    expect(deps.llm?.openai).toMatchObject({ baseURL: "http://127.0.0.1:11434/v1", model: "qwen2.5:7b" });
    expect(deps.sampling).toBeUndefined();
    const pinned = new Date("2026-06-30T23:59:59Z");
    expect(commandDeps(store, { llm, redact: true, now: () => pinned })).toMatchObject({ redact: true });
    expect(commandDeps(store, { llm, now: () => pinned }).now()).toBe(pinned);
  });

  it("reads flags over the environment, and reports an unusable configuration as a user error", () => {
    expect(commandLlmConfig({}, {})).toEqual({});
    expect(commandLlmConfig({ llmModel: "from-flag" }, { CRM_LLM_MODEL: "from-env" }).openai?.model).toBe(
      "from-flag",
    );
    expect(() => commandLlmConfig({}, { CRM_LLM_BASE_URL: "http://127.0.0.1:11434/v1" })).toThrow(UserError);
  });

  it("checks input with the tool's own zod shape and names the flags in problems", () => {
    expect(toolInput(draftFollowUpInput, { customer_id: " C00001 ", goal: "renewal" }, {})).toEqual({
      customer_id: "C00001",
      goal: "renewal",
    });
    expect(() =>
      toolInput(draftFollowUpInput, { customer_id: "C00001", notes: "x".repeat(1001) }, { notes: "--notes" }),
    ).toThrow(/^--notes: Too big: expected string to have <=1000 characters$/);
    expect(() => toolInput(draftFollowUpInput, { customer_id: "" }, { customer_id: "<customer>" })).toThrow(
      UserError,
    );
  });

  it("explains how to configure OpenAI and Ollama with every variable and flag", () => {
    for (const text of [
      "CRM_LLM_BASE_URL",
      "--llm-base-url",
      "CRM_LLM_MODEL",
      "--llm-model",
      "CRM_LLM_API_KEY",
      "--llm-api-key",
      "OPENAI_API_KEY",
      "gpt-4o-mini",
      "http://127.0.0.1:11434/v1",
    ]) {
      expect(HOW_TO_CONFIGURE).toContain(text);
    }
  });
});
