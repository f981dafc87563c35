import { Command } from "commander";
import OpenAI, { AzureOpenAI } from "openai";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_OPENAI_BASE_URL,
  DEFAULT_TIMEOUT_MS,
  describeLlmConfig,
  LlmConfigError,
  resolveLlmConfig,
} from "../../../mcp-server/llm/config.js";
import { openAiClient, openAiModel } from "../../../mcp-server/llm/openai.js";
import { addServeOptions, llmFromOptions } from "../../../mcp-server/server/serveOptions.js";
import { startFakeOpenAi } from "../../helpers/fakeOpenAi.js";

describe("language-model configuration", () => {
  it("uses no endpoint until a model is named, even with an OpenAI key in the environment", () => {
    expect(resolveLlmConfig({}, {})).toEqual({});
    expect(resolveLlmConfig({}, { OPENAI_API_KEY: "sk-somewhere" })).toEqual({});
    expect(describeLlmConfig({})).toMatch(/no OpenAI-compatible endpoint/);
  });

  it("reads CRM_LLM_* with OPENAI_API_KEY as the fallback key, deliberate timeout and retries", () => {
    expect(resolveLlmConfig({}, { CRM_LLM_MODEL: "gpt-4o-mini", OPENAI_API_KEY: "sk-fallback" })).toEqual({
      openai: {
        baseURL: DEFAULT_OPENAI_BASE_URL,
        model: "gpt-4o-mini",
        apiKey: "sk-fallback",
        timeoutMs: DEFAULT_TIMEOUT_MS,
        maxRetries: DEFAULT_MAX_RETRIES,
      },
    });
    expect(DEFAULT_TIMEOUT_MS).toBe(20_000);
    expect(DEFAULT_MAX_RETRIES).toBe(1);
    const env = {
      CRM_LLM_BASE_URL: "http://127.0.0.1:11434/v1",
      CRM_LLM_MODEL: "qwen2.5:7b",
      CRM_LLM_API_KEY: "crm-key",
      OPENAI_API_KEY: "sk-fallback",
      CRM_LLM_TIMEOUT_MS: "60000",
    };
    expect(resolveLlmConfig({}, env).openai).toMatchObject({
      baseURL: "http://127.0.0.1:11434/v1",
      model: "qwen2.5:7b",
      apiKey: "crm-key",
      timeoutMs: 60_000,
    });
    // Flags win over the environment.
    expect(
      resolveLlmConfig(
        { llmBaseUrl: "http://localhost:8000/v1", llmModel: "llama", llmApiKey: "flag-key" },
        env,
      ).openai,
    ).toMatchObject({ baseURL: "http://localhost:8000/v1", model: "llama", apiKey: "flag-key" });
  });

  it("refuses configurations that cannot work, saying what to set", () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { CRM_LLM_BASE_URL: "http://127.0.0.1:11434/v1" },
        /no model is named; set CRM_LLM_MODEL or --llm-model/,
      ],
      [{ CRM_LLM_MODEL: "m", CRM_LLM_BASE_URL: "127.0.0.1:11434" }, /is not an http\(s\) URL/],
      [{ CRM_LLM_MODEL: "m", CRM_LLM_TIMEOUT_MS: "soon" }, /CRM_LLM_TIMEOUT_MS must be a whole number/],
      [
        { CRM_LLM_MODEL: "m", CRM_LLM_AZURE_API_VERSION: "2024-10-21" },
        /set CRM_LLM_BASE_URL to the resource/,
      ],
    ];
    for (const [env, message] of cases) {
      expect(() => resolveLlmConfig({}, env)).toThrow(LlmConfigError);
      expect(() => resolveLlmConfig({}, env)).toThrow(message);
    }
  });

  it("crm serve and dist/server.js take --llm-base-url, --llm-model and --llm-api-key", () => {
    const command = addServeOptions(new Command("serve")).exitOverride();
    command.parse(
      ["--llm-base-url", "http://127.0.0.1:1234/v1", "--llm-model", "local-model", "--llm-api-key", "k"],
      { from: "user" },
    );
    expect(llmFromOptions(command.opts(), {}).openai).toMatchObject({
      baseURL: "http://127.0.0.1:1234/v1",
      model: "local-model",
      apiKey: "k",
    });
    const fromEnv = addServeOptions(new Command("serve")).exitOverride();
    fromEnv.parse([], { from: "user" });
    expect(llmFromOptions(fromEnv.opts(), { CRM_LLM_MODEL: "env-model" }).openai?.model).toBe("env-model");
    expect(fromEnv.helpInformation()).toMatch(
      /--llm-base-url <url>[\s\S]*--llm-model <name>[\s\S]*--llm-api-key <key>/,
    );
  });

  it("gives the openai client the timeout and retries, and no key for local servers a placeholder", () => {
    const client = openAiClient({
      baseURL: "http://127.0.0.1:11434/v1",
      model: "m",
      timeoutMs: 1234,
      maxRetries: 3,
    });
    expect(client).toBeInstanceOf(OpenAI);
    expect(client).not.toBeInstanceOf(AzureOpenAI);
    expect(client.timeout).toBe(1234);
    expect(client.maxRetries).toBe(3);
    expect(client.baseURL).toBe("http://127.0.0.1:11434/v1");
    expect(client.apiKey).toBe("not-needed");
  });

  it("talks to Azure OpenAI's deployment API when CRM_LLM_AZURE_API_VERSION is set", async () => {
    const fake = await startFakeOpenAi(() => ({ content: "Hello from Azure" }), { acceptQuery: true });
    try {
      const resource = fake.baseUrl.replace(/\/v1$/, "");
      const config = resolveLlmConfig(
        {},
        {
          CRM_LLM_BASE_URL: resource,
          CRM_LLM_MODEL: "my-deployment",
          CRM_LLM_API_KEY: "azure-key",
          CRM_LLM_AZURE_API_VERSION: "2024-10-21",
        },
      ).openai!;
      expect(openAiClient(config)).toBeInstanceOf(AzureOpenAI);
      const text = await openAiModel(config).complete({
        system: "s",
        messages: [{ role: "user", content: "u" }],
        maxTokens: 50,
      });
      expect(text).toBe("Hello from Azure");
      const [request] = fake.requests;
      expect(request.path).toBe("/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21");
      expect(request.headers["api-key"]).toBe("azure-key");
      expect(request.headers.authorization).toBeUndefined();
    } finally {
      await fake.close();
    }
  });

  it("switches to max_completion_tokens when the endpoint asks for it", async () => {
    const fake = await startFakeOpenAi((request) =>
      "max_tokens" in request.body
        ? {
            status: 400,
            error:
              "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
          }
        : { content: "ok" },
    );
    try {
      const model = openAiModel({ baseURL: fake.baseUrl, model: "o-model", maxRetries: 0 });
      const request = { system: "s", messages: [{ role: "user" as const, content: "u" }], maxTokens: 40 };
      expect(await model.complete(request)).toBe("ok");
      expect(await model.complete(request)).toBe("ok");
      expect(
        fake.requests.map((recorded) => recorded.body.max_completion_tokens ?? recorded.body.max_tokens),
      ).toEqual([40, 40, 40]);
      expect(fake.requests.map((recorded) => "max_tokens" in recorded.body)).toEqual([true, false, false]);
    } finally {
      await fake.close();
    }
  });
});
