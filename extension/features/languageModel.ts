import OpenAI from "openai";
import * as vscode from "vscode";
import {
  estimateTokens,
  fromOpenAiMessage,
  isTextPart,
  modelInformation,
  TOOL_MODE,
  toOpenAiMessages,
  toOpenAiTools,
} from "../llm/openaiMessages.js";
import type { CrmServices } from "../services.js";
import { API_KEY_SECRET } from "./commands.js";

/** The vendor id, as contributed in package.json's `languageModelChatProviders`. */
export const LM_VENDOR = "crm-assistant";

/**
 * A chat model for users without Copilot: any OpenAI-compatible endpoint from the settings,
 * its API key in SecretStorage. Requests are sent whole (not streamed) so any compatible
 * server works, including ones without server-sent events.
 */
export function registerLanguageModel(services: CrmServices): void {
  const changed = new vscode.EventEmitter<void>();
  const provider: vscode.LanguageModelChatProvider = {
    onDidChangeLanguageModelChatInformation: changed.event,
    provideLanguageModelChatInformation() {
      const { llm } = services.settings();
      if (!llm.baseUrl.trim() || !llm.model.trim()) return [];
      const information: vscode.LanguageModelChatInformation = modelInformation(llm);
      return [information];
    },
    async provideLanguageModelChatResponse(model, messages, options, progress, token) {
      const { llm } = services.settings();
      const apiKey = (await services.context.secrets.get(API_KEY_SECRET)) ?? "no-key";
      const client = new OpenAI({ baseURL: llm.baseUrl, apiKey, maxRetries: 1, timeout: 120_000 });
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      try {
        const tools = toOpenAiTools(options.tools);
        const completion = await client.chat.completions.create(
          {
            model: model.id,
            messages: toOpenAiMessages(messages) as OpenAI.Chat.ChatCompletionMessageParam[],
            ...(tools
              ? {
                  tools: tools as OpenAI.Chat.ChatCompletionTool[],
                  tool_choice: options.toolMode === TOOL_MODE.required ? "required" : "auto",
                }
              : {}),
          },
          { signal: controller.signal },
        );
        const message = completion.choices[0]?.message;
        if (!message) throw new Error(`${llm.baseUrl} returned no choices`);
        for (const part of fromOpenAiMessage(message)) {
          progress.report(
            part.kind === "text"
              ? new vscode.LanguageModelTextPart(part.value)
              : new vscode.LanguageModelToolCallPart(part.callId, part.name, part.input),
          );
        }
      } catch (error) {
        if (error instanceof OpenAI.AuthenticationError) {
          throw new Error(`${llm.baseUrl} refused the API key: run "CRM: Set LLM API Key"`);
        }
        services.log(
          `language model ${model.id} at ${llm.baseUrl}: ${error instanceof Error ? error.message : String(error)}`,
        );
        throw error;
      } finally {
        cancel.dispose();
      }
    },
    async provideTokenCount(_model, text) {
      if (typeof text === "string") return estimateTokens(text);
      return estimateTokens(
        text.content.map((part) => (isTextPart(part) ? part.value : JSON.stringify(part))).join(""),
      );
    },
  };
  services.context.subscriptions.push(
    changed,
    vscode.lm.registerLanguageModelChatProvider(LM_VENDOR, provider),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("crm.llm")) changed.fire();
    }),
    services.context.secrets.onDidChange((event) => {
      if (event.key === API_KEY_SECRET) changed.fire();
    }),
  );
  // Ask VS Code to resolve this vendor's models now, so the chat's model picker lists them
  // before the first request (otherwise the first request finds no model).
  void Promise.resolve(vscode.lm.selectChatModels({ vendor: LM_VENDOR })).then(
    (models) => services.log(`language models: ${models.map((model) => model.id).join(", ") || "none"}`),
    (error: unknown) => services.log(`language models: ${String(error)}`),
  );
}
