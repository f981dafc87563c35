import { describe, expect, it } from "vitest";
import { DEMO_DEFAULTS } from "../../../mcp-server/demo/generate.js";
import { seedDemo } from "../../../mcp-server/demo/seed.js";
import { BUILTIN_PLAYBOOKS } from "../../../mcp-server/playbooks/definitions.js";
import { runPlaybooks } from "../../../mcp-server/playbooks/run.js";
import { useTempStore } from "../../helpers/tempStore.js";
import { endOf } from "./handBuiltBook.js";

describe("the default demo book", () => {
  it("every built-in playbook fires on the default demo book (as of its last day)", async () => {
    const { store } = await useTempStore("crm-playbooks-demo-");
    const asOf = endOf("2026-06-30");
    await seedDemo(store, { ...DEMO_DEFAULTS, asOf });
    const result = await runPlaybooks(store, asOf, () => new Date("2026-07-01T08:00:00Z"));
    for (const playbook of BUILTIN_PLAYBOOKS) {
      const counts = result.playbooks.find((row) => row.id === playbook.id);
      expect(counts?.created, `${playbook.id} opened no task on the demo book`).toBeGreaterThan(0);
    }
    // And a second run the same day opens nothing.
    expect((await runPlaybooks(store, asOf)).created).toBe(0);
  }, 60_000);

  it("is deterministic as of a date: two copies of a book give the same tasks whatever the clock", async () => {
    const asOf = endOf("2026-06-30");
    const tasks = async (now: string) => {
      const { store } = await useTempStore("crm-playbooks-demo-");
      await seedDemo(store, { seed: 11, customers: 400, asOf });
      await runPlaybooks(store, asOf, () => new Date(now));
      return store.db.all(
        "SELECT id, playbook_id, customer_id, owner, trigger_key, reason_en, reason_zh, facts, priority, due_at FROM tasks ORDER BY id",
      );
    };
    const first = await tasks("2026-07-01T08:00:00Z");
    expect(first.length).toBeGreaterThan(0);
    expect(await tasks("2027-01-15T23:00:00Z")).toEqual(first);
  }, 60_000);
});
