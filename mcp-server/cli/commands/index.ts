import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { registerImportCommand } from "./import.js";

/** Every CLI command, in the order `crm --help` lists them. */
export function registerCommands(program: Command, context: CliContext): void {
  registerImportCommand(program, context);
}
