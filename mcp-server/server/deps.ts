import type { LlmConfig } from "../llm/config.js";
import type { SamplingAccess } from "../llm/sampling.js";
import type { Store } from "../store/store.js";

/** What the MCP server's tools, resources and prompts share. */
export interface ServerDeps {
  store: Store;
  /**
   * Write tools (log_interaction, record_feedback, respond_to_ticket, resolve_ticket,
   * complete_task, snooze_task, saving drafts) work only when true.
   */
  allowWrites: boolean;
  /**
   * Mask emails and phone numbers in every output, and in everything sent to a language model
   * (the client's model or an OpenAI-compatible endpoint).
   */
  redact: boolean;
  /** Who the audit log names for writes (the OS user or the HTTP client). */
  actor: string;
  /**
   * How long a tool call waits for a score set being computed before it answers from the
   * previous set and says so (`scores.stale`). Absent: it waits (tests, the CLI).
   */
  freshWaitMs?: number;
  /**
   * With `freshWaitMs`: how long a call waits for work nothing can stand in for (scores of a date
   * never scored, the day's playbook run on them) before it answers without it. Default
   * `COMPUTING_WAIT_MS` (25 s: MCP clients give up after 60 s).
   */
  computingWaitMs?: number;
  /** The clock, injectable so tests are deterministic; `as_of` defaults to its day. */
  now: () => Date;
  /**
   * The language models drafts and feedback summaries may be written by (an OpenAI-compatible
   * endpoint; timeouts). Absent: the client's model when it offers sampling, else the templates.
   */
  llm?: LlmConfig;
  /**
   * The connected MCP client, for `sampling/createMessage`. The tools that write text set it for
   * each call from their server (`withSampling`); absent outside an MCP session (the CLI calling
   * the tool functions directly), and then sampling is simply not offered.
   */
  sampling?: SamplingAccess;
  /** Where the built MCP Apps views (`<view>.html`) are; absent: dist/apps next to the bundle. */
  viewsDir?: string;
}
