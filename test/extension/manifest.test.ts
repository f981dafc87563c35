import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
const EXTENSION = join(REPO_ROOT, "extension");

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const allSources = sources(EXTENSION).map((path) => ({
  path: relative(REPO_ROOT, path),
  text: readFileSync(path, "utf8"),
}));

describe("the extension manifest and sources", () => {
  it("registers every contributed command, and contributes every registered one", () => {
    const contributed = manifest.contributes.commands
      .map((command: { command: string }) => command.command)
      .sort();
    const code = allSources.map((source) => source.text).join("\n");
    const registered = [...code.matchAll(/registerCommand\(\s*(?:"([^"]+)"|([A-Z_]+_COMMAND))/g)].map(
      (match) =>
        match[1] ??
        { OPEN_CUSTOMER_COMMAND: "crm.openCustomer", DRAFT_FOLLOW_UP_COMMAND: "crm.draftFollowUp" }[
          match[2]!
        ],
    );
    expect([...new Set(registered)].sort()).toEqual(contributed);
  });

  it("declares the chat participant, the MCP provider and the model vendor the code registers", () => {
    const code = allSources.map((source) => source.text).join("\n");
    expect(code).toContain(`PARTICIPANT_ID = "${manifest.contributes.chatParticipants[0].id}"`);
    expect(code).toContain(`MCP_PROVIDER_ID = "${manifest.contributes.mcpServerDefinitionProviders[0].id}"`);
    expect(code).toContain(`LM_VENDOR = "${manifest.contributes.languageModelChatProviders[0].vendor}"`);
    expect(
      manifest.contributes.chatParticipants[0].commands.map((command: { name: string }) => command.name),
    ).toEqual(["atrisk", "clv", "draft", "feedback", "customer"]);
  });

  it("targets the VS Code version that has the language model chat provider API, with matching types", () => {
    expect(manifest.engines.vscode).toBe("^1.104.0");
    expect(manifest.devDependencies["@types/vscode"]).toBe("1.104.0");
    expect(manifest.main).toBe("./dist/extension.js");
  });

  it("imports no mcp-server code but the contract, and vscode only in glue modules", () => {
    for (const source of allSources) {
      for (const match of source.text.matchAll(/from\s+"([^"]+)"/g)) {
        const specifier = match[1]!;
        if (specifier.includes("mcp-server/")) {
          expect(specifier, `${source.path} imports ${specifier}`).toMatch(/\/mcp-server\/contract\//);
        }
        expect(specifier, `${source.path}`).not.toMatch(/^(sqlite3|better-sqlite3)$/);
      }
    }
    const plain = allSources.filter((source) =>
      /extension\/(render|llm|chat)\/|serverLaunch|crmClient|importReport/.test(source.path),
    );
    expect(plain.length).toBeGreaterThan(6);
    for (const source of plain) expect(source.text, source.path).not.toMatch(/from\s+"vscode"/);
  });

  it("bundles no store or sqlite3 code into dist/extension.js", () => {
    let bundle: string;
    try {
      bundle = readFileSync(join(REPO_ROOT, "dist/extension.js"), "utf8");
    } catch {
      return; // built and checked by the packaging test
    }
    expect(bundle).not.toMatch(/require\("sqlite3"\)/);
    // The contract may pull in pure constants (core's names, the generator names), never the
    // store, the tools or anything that opens a database.
    const modules = [...bundle.matchAll(/^\/\/ ((?:mcp-server|core)\/[^\n]+)$/gm)].map((match) => match[1]!);
    expect(modules).toContain("mcp-server/contract/common.ts");
    for (const module of modules) {
      expect(module).not.toMatch(
        /^mcp-server\/(store|tools|server|scoring|import|cli|demo|resources|prompts)\//,
      );
    }
  });
});
