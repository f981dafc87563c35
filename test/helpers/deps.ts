import type { ServerDeps } from "../../mcp-server/server/deps.js";
import type { Store } from "../../mcp-server/store/store.js";

/** What tool functions called directly need: writes allowed, nothing redacted, a fixed clock. */
export function writableDeps(store: Store, now: Date): ServerDeps {
  return { store, allowWrites: true, redact: false, actor: "test", now: () => now };
}
