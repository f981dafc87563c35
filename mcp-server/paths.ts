import { homedir } from "node:os";
import { join } from "node:path";

/**
 * The store every entry point uses unless told otherwise: `CRM_DB`, else a per-user file, so
 * the CLI, a chat client and the VS Code extension all see one book.
 */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CRM_DB && env.CRM_DB.trim() !== "") return env.CRM_DB;
  return join(homedir(), ".crm-assistant", "crm.db");
}
