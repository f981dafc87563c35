import { writeFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, runCli } from "../../helpers/cli.js";

const folder = mkdtempSync(join(tmpdir(), "crm-cli-tasks-"));
const db = join(folder, "crm.db");
const AS_OF = "2026-06-30";
beforeAll(() => {
  ensureBuilt();
  expect(runCli(["--db", db, "demo", "--customers", "300", "--as-of", AS_OF]).code).toBe(0);
}, 120_000);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("crm tasks and crm playbooks", () => {
  it("tasks run writes tasks once per occurrence; list shows them; done and snooze change them", () => {
    const first = runCli(["--db", db, "tasks", "run", "--as-of", AS_OF, "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const run = JSON.parse(first.stdout);
    expect(run.created).toBeGreaterThan(0);
    const again = JSON.parse(runCli(["--db", db, "tasks", "run", "--as-of", AS_OF, "--json"]).stdout);
    expect(again.created).toBe(0);

    const listed = JSON.parse(
      runCli(["--db", db, "tasks", "list", "--as-of", AS_OF, "--due", "all", "--json", "--limit", "100"])
        .stdout,
    );
    expect(listed.total).toBe(run.created);
    const [task, other] = listed.tasks;
    expect(task.reason.length).toBeGreaterThan(0);

    const text = runCli(["--db", db, "tasks", "--as-of", AS_OF, "--due", "all"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(task.customer.external_id);

    const done = runCli(["--db", db, "tasks", "done", String(task.id), "--note", "called"]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain(`task ${task.id} done`);
    const twice = runCli(["--db", db, "tasks", "done", String(task.id)]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("already done");
    const snoozed = runCli(["--db", db, "tasks", "snooze", String(other.id), "--until", "2099-01-01"]);
    expect(snoozed.code, snoozed.stderr).toBe(0);
    const badSnooze = runCli(["--db", db, "tasks", "snooze", String(other.id), "--until", "2020-01-01"]);
    expect(badSnooze.code).toBe(1);
    expect(badSnooze.stderr).toContain("not after today");

    const stats = JSON.parse(runCli(["--db", db, "playbooks", "stats", "--json"]).stdout);
    const ofTask = stats.find((row: { id: string }) => row.id === task.playbook.id);
    expect(ofTask.done).toBe(1);
    expect(stats.reduce((sum: number, row: { created: number }) => sum + row.created, 0)).toBe(run.created);
  });

  it("playbooks list, show, disable, set, export and import", () => {
    const list = runCli(["--db", db, "playbooks", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("overdue-rhythm");
    expect(runCli(["--db", db, "playbooks", "disable", "birthday"]).stdout).toContain("birthday is disabled");
    const set = runCli(["--db", db, "playbooks", "set", "overdue-rhythm", "overdue_ratio=2", "priority=65"]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain("overdue_ratio=2");
    expect(set.stdout).toContain("priority: 65");
    const bad = runCli(["--db", db, "playbooks", "set", "overdue-rhythm", "overdue_ratio=0"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("params.overdue_ratio");

    const exported = runCli(["--db", db, "playbooks", "export"]);
    const file = JSON.parse(exported.stdout);
    expect(file.playbooks.find((row: { id: string }) => row.id === "birthday").enabled).toBe(false);
    const other = join(folder, "other.db");
    const path = join(folder, "playbooks.json");
    writeFileSync(path, exported.stdout);
    const imported = runCli(["--db", other, "playbooks", "import", path]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(runCli(["--db", other, "playbooks", "export"]).stdout)).toEqual(file);
    writeFileSync(path, "{ not json");
    const broken = runCli(["--db", other, "playbooks", "import", path]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("not valid JSON");
    const show = runCli(["--db", db, "playbooks", "show", "nope"]);
    expect(show.code).toBe(1);
    expect(show.stderr).toContain('no playbook with id "nope"');
  });
});
