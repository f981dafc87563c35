import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPLETE_TASK, completeTaskOutput } from "../../../mcp-server/contract/completeTask.js";
import { LIST_TASKS, listTasksOutput, type ListTasksResult } from "../../../mcp-server/contract/listTasks.js";
import { SNOOZE_TASK, snoozeTaskOutput } from "../../../mcp-server/contract/snoozeTask.js";
import { ensurePlaybookRun } from "../../../mcp-server/playbooks/run.js";
import type { AuditRow } from "../../../mcp-server/store/audit.js";
import type { TaskRow } from "../../../mcp-server/store/taskQueries.js";
import { createMcpHarness, TEST_NOW, textOf, type McpHarness } from "../../helpers/mcpClient.js";
import { snapshotStore } from "../../helpers/tempStore.js";

const TODAY = TEST_NOW.toISOString().slice(0, 10);

async function list(mcp: McpHarness, args: Record<string, unknown> = {}): Promise<ListTasksResult> {
  const result = await mcp.call(LIST_TASKS, args);
  expect(result.isError ?? false, textOf(result)).toBe(false);
  return listTasksOutput.parse(result.structuredContent);
}

describe("list_tasks", () => {
  let mcp: McpHarness;
  beforeAll(async () => {
    mcp = await createMcpHarness();
  });
  afterAll(() => mcp.close());

  it("evaluates the playbooks once on the day's first call and lists today's tasks, most urgent first", async () => {
    const result = await list(mcp, { limit: 100 });
    expect(result.as_of).toBe(TODAY);
    expect(result.tasks.length).toBeGreaterThan(0);
    const priorities = result.tasks.map((task) => task.priority);
    expect(priorities).toEqual([...priorities].sort((a, b) => b - a));
    expect(result.tasks.every((task) => task.due_at <= TODAY && task.status === "open")).toBe(true);
    const runs = await mcp.store.db.all("SELECT * FROM playbook_runs");
    expect(runs).toEqual([{ as_of: TODAY, tasks_created: expect.any(Number), ran_at: expect.any(String) }]);
    const count = await mcp.store.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM tasks");
    await list(mcp);
    expect(await mcp.store.db.get("SELECT COUNT(*) AS n FROM tasks")).toEqual(count);
  });

  it("words each reason in the customer's language", async () => {
    const result = await list(mcp, { due: "all", limit: 100 });
    const rows = await mcp.store.db.all<TaskRow & { language: string }>(
      "SELECT k.*, c.language FROM tasks k JOIN customers c ON c.id = k.customer_id",
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    const languages = new Set<string>();
    for (const task of result.tasks) {
      const row = byId.get(task.id)!;
      languages.add(row.language);
      expect(task.reason).toBe(row.language === "zh" ? row.reason_zh : row.reason_en);
    }
    expect(languages).toEqual(new Set(["en", "zh"]));
  });

  it("filters by owner and customer, and pages with a cursor that belongs to the query", async () => {
    const all = await list(mcp, { due: "all", limit: 100 });
    const owner = all.tasks[0].owner!;
    const mine = await list(mcp, { owner: owner.toUpperCase(), due: "all", limit: 100 });
    expect(mine.tasks.length).toBeGreaterThan(0);
    expect(mine.tasks.every((task) => task.owner === owner)).toBe(true);
    const customer = all.tasks[0].customer;
    const theirs = await list(mcp, { customer: customer.external_id });
    expect(theirs.tasks.length).toBeGreaterThan(0);
    expect(theirs.tasks.every((task) => task.customer.id === customer.id)).toBe(true);
    const first = await list(mcp, { due: "all", limit: 3 });
    const second = await list(mcp, { due: "all", limit: 3, cursor: first.next_cursor! });
    expect(second.tasks.map((task) => task.id)).toEqual(all.tasks.slice(3, 6).map((task) => task.id));
    const wrong = await mcp.call(LIST_TASKS, { due: "today", limit: 3, cursor: first.next_cursor! });
    expect(wrong.isError).toBe(true);
    expect(textOf(wrong)).toMatch(/cursor does not belong/);
  });

  it("answers bad input with actionable errors", async () => {
    const unknown = await mcp.call(LIST_TASKS, { customer: "NOPE-1" });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/no customer with id NOPE-1/);
    const badDue = await mcp.call(LIST_TASKS, { due: "tomorrow" });
    expect(badDue.isError).toBe(true);
  });
});

describe("complete_task and snooze_task", () => {
  it("are refused without --allow-writes, writing nothing", async () => {
    const mcp = await createMcpHarness();
    try {
      const [task] = (await list(mcp)).tasks;
      const before = await snapshotStore(mcp.store);
      for (const [name, args] of [
        [COMPLETE_TASK, { task: task.id }],
        [SNOOZE_TASK, { task: task.id, until: "2026-07-08" }],
      ] as const) {
        const result = await mcp.call(name, args);
        expect(result.isError).toBe(true);
        expect(textOf(result)).toMatch(/--allow-writes/);
      }
      expect(await snapshotStore(mcp.store)).toEqual(before);
    } finally {
      await mcp.close();
    }
  });

  it("complete a task once, audited; snooze moves it off today's list to its day", async () => {
    const mcp = await createMcpHarness({ allowWrites: true, actor: "ana" });
    try {
      const [first, second] = (await list(mcp)).tasks;
      const done = await mcp.call(COMPLETE_TASK, { task: first.id, note: "called, order placed" });
      expect(done.isError ?? false, textOf(done)).toBe(false);
      const completed = completeTaskOutput.parse(done.structuredContent);
      expect(completed.task).toMatchObject({ id: first.id, status: "done", note: "called, order placed" });
      expect(completed.task.completed_at).toBe("2026-07-01T09:00:00Z");
      const again = await mcp.call(COMPLETE_TASK, { task: first.id });
      expect(again.isError).toBe(true);
      expect(textOf(again)).toMatch(new RegExp(`task ${first.id} is already done`));

      const tooEarly = await mcp.call(SNOOZE_TASK, { task: second.id, until: TODAY });
      expect(textOf(tooEarly)).toMatch(/is not after today/);
      const notADay = await mcp.call(SNOOZE_TASK, { task: second.id, until: "2026-02-30" });
      expect(textOf(notADay)).toMatch(/not a real date/);
      const snoozed = await mcp.call(SNOOZE_TASK, { task: second.id, until: "2026-07-08" });
      expect(snoozed.isError ?? false, textOf(snoozed)).toBe(false);
      expect(snoozeTaskOutput.parse(snoozed.structuredContent).task).toMatchObject({
        status: "snoozed",
        due_at: "2026-07-08",
        snoozed_until: "2026-07-08",
      });
      const today = (await list(mcp, { limit: 100 })).tasks.map((task) => task.id);
      expect(today).not.toContain(first.id);
      expect(today).not.toContain(second.id);
      expect((await list(mcp, { status: "snoozed", due: "all" })).tasks.map((task) => task.id)).toEqual([
        second.id,
      ]);

      const missing = await mcp.call(COMPLETE_TASK, { task: 999_999 });
      expect(textOf(missing)).toMatch(/no task with id 999999; list_tasks/);
      const audit = await mcp.store.db.all<AuditRow>("SELECT * FROM audit_log ORDER BY id");
      expect(audit.map((row) => [row.action, row.actor, row.customer_id])).toEqual([
        [COMPLETE_TASK, "ana", first.customer.id],
        [SNOOZE_TASK, "ana", second.customer.id],
      ]);
    } finally {
      await mcp.close();
    }
  });
});

describe("daily_plan prompt", () => {
  it("lists the owner's tasks due today and names the tools to act on them", async () => {
    const mcp = await createMcpHarness();
    try {
      const owner = (await list(mcp)).tasks[0].owner!;
      const prompt = await mcp.client.getPrompt({ name: "daily_plan", arguments: { owner } });
      const text = prompt.messages
        .map((message) => (message.content.type === "text" ? message.content.text : ""))
        .join("\n");
      const mine = await list(mcp, { owner, limit: 15 });
      for (const task of mine.tasks) expect(text).toContain(`| ${task.id} | `);
      expect(text).toContain("draft_follow_up");
      expect(text).toContain("complete_task");
      await expect(
        mcp.client.getPrompt({ name: "daily_plan", arguments: { owner: "Nobody" } }),
      ).rejects.toThrow(/owners in the store/);
    } finally {
      await mcp.close();
    }
  });
});

describe("list_tasks while the day's playbook run takes longer than a client waits", () => {
  it("answers with earlier runs' tasks and says so, and lists today's once the run is done", async () => {
    const mcp = await createMcpHarness({ freshWaitMs: 2000, computingWaitMs: 1 });
    try {
      const first = await mcp.call(LIST_TASKS, { due: "all" });
      const early = listTasksOutput.parse(first.structuredContent);
      expect(early.notice).toMatch(/^Today's playbooks are still being evaluated: .*ask again in a minute/);
      expect(textOf(first)).toMatch(/^> \*\*Note:\*\* Today's playbooks/);
      // The run went on: the next call after it finds today's tasks and no notice. (Even a finished
      // run takes a read to confirm, which a 1 ms wait can lose on a loaded machine.)
      await ensurePlaybookRun(mcp.store, TEST_NOW, () => TEST_NOW);
      mcp.deps.computingWaitMs = 60_000;
      const later = await list(mcp, { due: "all" });
      expect(later.notice).toBeUndefined();
      expect(later.tasks.length).toBeGreaterThan(0);
    } finally {
      await mcp.close();
    }
  });
});
