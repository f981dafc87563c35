import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

/** The extension's settings, read once per use (see `config.ts`), as plain data. */
export interface CrmSettings {
  /** `crm.databasePath`; empty means the per-user default store. */
  databasePath: string;
  allowWrites: boolean;
  redactPii: boolean;
  llm: { baseUrl: string; model: string; maxInputTokens: number };
}

export const DEFAULT_SETTINGS: CrmSettings = {
  databasePath: "",
  allowWrites: false,
  redactPii: false,
  llm: { baseUrl: "https://api.openai.com/v1", model: "gpt-4o-mini", maxInputTokens: 128_000 },
};

/** How to start the bundled MCP server (or the CLI): a command, its arguments and extra environment. */
export interface ProcessLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * The store the extension uses: the setting (with `~` expanded), else `$CRM_DB`, else
 * `~/.crm-assistant/crm.db`, the same rule the CLI and server follow, so all three see one book.
 */
export function resolveDatabasePath(
  setting: string,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  const value = setting.trim();
  if (value === "") {
    if (env.CRM_DB && env.CRM_DB.trim() !== "") return env.CRM_DB;
    return join(home, ".crm-assistant", "crm.db");
  }
  if (value === "~") return home;
  if (value.startsWith("~/")) return join(home, value.slice(2));
  return isAbsolute(value) ? value : resolve(home, value);
}

/** Arguments after the script for `dist/server.js`: the store and the options the settings turn on. */
export function serverArgs(settings: CrmSettings, databasePath: string): string[] {
  return [
    "--db",
    databasePath,
    ...(settings.allowWrites ? ["--allow-writes"] : []),
    ...(settings.redactPii ? ["--redact"] : []),
  ];
}

/**
 * The bundled server run by the editor's own runtime: `execPath` is VS Code's executable (Electron
 * in the desktop app, Node in code-server), which `ELECTRON_RUN_AS_NODE=1` turns into plain Node,
 * so users need no Node of their own.
 */
export function serverLaunch(
  extensionPath: string,
  execPath: string,
  settings: CrmSettings,
  databasePath: string,
): ProcessLaunch {
  return {
    command: execPath,
    args: [join(extensionPath, "dist", "server.js"), ...serverArgs(settings, databasePath)],
    env: { ELECTRON_RUN_AS_NODE: "1" },
  };
}

/** The bundled CLI (`dist/cli.js`) with the given command, against the same store. */
export function cliLaunch(
  extensionPath: string,
  execPath: string,
  databasePath: string,
  args: string[],
): ProcessLaunch {
  return {
    command: execPath,
    args: [join(extensionPath, "dist", "cli.js"), "--db", databasePath, ...args],
    env: { ELECTRON_RUN_AS_NODE: "1" },
  };
}
