import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listTasksOutput, type ListTasksResult } from "../../mcp-server/contract/listTasks.js";
import { todayNodes } from "../../extension/render/treeModels.js";
import { startDemoServer, type DemoServer } from "./demoServer.js";

const HOSTILE = `Eve <script>alert(1)</script> [click](https://evil.example)`;

function task(overrides: Partial<ListTasksResult["tasks"][number]> = {}): ListTasksResult["tasks"][number] {
  return {
    id: 7,
    customer: { id: 3, external_id: "C00003", name: "Wang Fang" },
    owner: "Chen Jing",
    playbook: { id: "unhappy-feedback", name: "NPS detractor or negative review" },
    reason: "NPS answer of 3 on 2026-06-29 (a detractor: 6 or less).",
    facts: { score: 3 },
    action: "call",
    channel: "call-script",
    draft_goal: "feedback-response",
    priority: 80,
    due_at: "2026-06-30",
    status: "open",
    ...overrides,
  };
}

describe("the Today view", () => {
  let demo: DemoServer;
  let listed: ListTasksResult;
  beforeAll(async () => {
    demo = startDemoServer();
    listed = listTasksOutput.parse(await demo.client.call("list_tasks", { due: "all", limit: 20 }));
  });
  afterAll(async () => {
    await demo.close();
  });

  it("shows list_tasks' tasks in order, each opening its customer and carrying the draft goal and channel", () => {
    expect(listed.tasks.length).toBeGreaterThan(0);
    const nodes = todayNodes(listed);
    expect(nodes.map((node) => node.id)).toEqual(listed.tasks.map((row) => `task/${row.id}`));
    for (const [index, node] of nodes.entries()) {
      const row = listed.tasks[index]!;
      expect(node.label).toBe(row.customer.name);
      expect(node.customerId).toBe(row.customer.external_id);
      expect(node.draftGoal).toBe(row.draft_goal ?? undefined);
      expect(node.draftChannel).toBe(row.channel ?? undefined);
      expect(node.description).toContain(row.action);
      expect(node.tooltip).toContain(`priority ${row.priority}`);
    }
  });

  it("says first when today's playbook run is still going and the tasks are earlier runs'", () => {
    const notice = "Today's playbooks are still being evaluated: ask again in a minute or two for today's.";
    const [first, second] = todayNodes({ as_of: "2026-07-01", tasks: [task()], next_cursor: null, notice });
    expect(first!.id).toBe("today/notice");
    expect(first!.tooltip).toContain("still being evaluated");
    expect(second!.id).toBe("task/7");
    expect(
      todayNodes({ as_of: "2026-07-01", tasks: [task()], next_cursor: null }).map((node) => node.id),
    ).toEqual(["task/7"]);
  });

  it("marks overdue tasks, escapes customer text in tooltips, and says when nothing is due", () => {
    const [overdue, today] = todayNodes({
      as_of: "2026-07-01",
      tasks: [
        task({ customer: { id: 9, external_id: "C00009", name: HOSTILE } }),
        task({ id: 8, due_at: "2026-07-01", action: "email" }),
      ],
      next_cursor: null,
    });
    expect(overdue!.icon).toBe("warning");
    expect(overdue!.description).toContain("overdue since");
    expect(today!.icon).toBe("mail");
    expect(overdue!.tooltip).toContain("NPS answer of 3");
    expect(overdue!.label).toBe(HOSTILE);
    const empty = todayNodes({ as_of: "2026-07-01", tasks: [], next_cursor: null });
    expect(empty).toHaveLength(1);
    expect(empty[0]!.label).toMatch(/No tasks due today/);
    expect(empty[0]!.customerId).toBeUndefined();
  });
});
