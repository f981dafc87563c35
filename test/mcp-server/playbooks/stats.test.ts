import { describe, expect, it } from "vitest";
import { playbookStats } from "../../../mcp-server/playbooks/stats.js";
import { useTempStore } from "../../helpers/tempStore.js";
import { addCustomer, addOrder } from "./handBuiltBook.js";

describe("crm playbooks stats", () => {
  it("counts tasks by status and, for done ones, a purchase within 30 days of completion", async () => {
    const { store } = await useTempStore("crm-playbooks-");
    for (let id = 1; id <= 5; id++) await addCustomer(store, { id });
    await playbookStats(store, new Date("2026-07-01T00:00:00Z"));
    const task = async (customer: number, status: string, completedAt: string | null) =>
      store.db.run(
        `INSERT INTO tasks (playbook_id, customer_id, trigger_key, reason_en, reason_zh, action, priority, as_of,
           created_at, due_at, status, completed_at)
         VALUES ('overdue-rhythm', ?, ?, 'r', 'r', 'call', 60, '2026-05-01', '2026-05-01T08:00:00Z', '2026-05-01', ?, ?)`,
        [customer, `k${customer}`, status, completedAt],
      );
    // Bought 10 days after: counts. Bought 31 days after: does not. Bought before: does not.
    await task(1, "done", "2026-05-02T10:00:00Z");
    await addOrder(store, 1, "2026-05-12");
    await task(2, "done", "2026-05-02T10:00:00Z");
    await addOrder(store, 2, "2026-06-02T10:00:01Z");
    await task(3, "done", "2026-05-02T10:00:00Z");
    await addOrder(store, 3, "2026-05-01");
    // Done 5 days ago without a purchase yet: too recent to judge.
    await task(4, "done", "2026-06-26T10:00:00Z");
    await task(5, "open", null);
    const [overdue] = (await playbookStats(store, new Date("2026-07-01T10:00:00Z"))).filter(
      (row) => row.id === "overdue-rhythm",
    );
    expect(overdue).toMatchObject({
      created: 5,
      open: 1,
      done: 4,
      bought_within_30_days: 1,
      too_recent_to_judge: 1,
      conversion: 1 / 3,
    });
  });
});
