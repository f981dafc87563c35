import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { registerAskCommand } from "./ask.js";
import { registerBacktestCommand } from "./backtest.js";
import { registerCustomersCommand } from "./customers.js";
import { registerDemoCommand } from "./demo.js";
import { registerDraftCommand } from "./draft.js";
import { registerFeedbackCommand } from "./feedback.js";
import { registerImportCommand } from "./import.js";
import { registerKpiCommand } from "./kpi.js";
import { registerModelCommand } from "./model.js";
import { registerScoresCommand } from "./scores.js";
import { registerServeCommand } from "./serve.js";
import { registerStartCommand } from "./start.js";
import { registerStatsCommand } from "./stats.js";
import { registerPlaybooksCommand } from "./playbooks.js";
import { registerTasksCommand } from "./tasks.js";
import { registerTicketsCommand } from "./tickets.js";

/** Every CLI command, in the order `crm --help` lists them. */
export function registerCommands(program: Command, context: CliContext): void {
  registerStartCommand(program, context);
  registerStatsCommand(program, context);
  registerKpiCommand(program, context);
  registerCustomersCommand(program, context);
  registerTasksCommand(program, context);
  registerPlaybooksCommand(program, context);
  registerTicketsCommand(program, context);
  registerDraftCommand(program, context);
  registerFeedbackCommand(program, context);
  registerAskCommand(program, context);
  registerBacktestCommand(program, context);
  registerScoresCommand(program, context);
  registerImportCommand(program, context);
  registerDemoCommand(program, context);
  registerServeCommand(program, context);
  registerModelCommand(program, context);
}
