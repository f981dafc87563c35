import type { Store } from "../store/store.js";

/** What the MCP server's tools, resources and prompts share. */
export interface ServerDeps {
  store: Store;
  /** Write tools (log_interaction, record_feedback, saving drafts) work only when true. */
  allowWrites: boolean;
  /** Mask emails and phone numbers in every output. */
  redact: boolean;
  /** Who the audit log names for writes (the OS user or the HTTP client). */
  actor: string;
  /** The clock, injectable so tests are deterministic; `as_of` defaults to its day. */
  now: () => Date;
}
