import { describe, expect, it } from "vitest";
import {
  exportPlaybooks,
  getPlaybook,
  importPlaybooks,
  listPlaybooks,
  setPlaybookEnabled,
  setPlaybookValue,
} from "../../../mcp-server/playbooks/catalogue.js";
import { BUILTIN_PLAYBOOKS, PlaybookError, TRIGGERS } from "../../../mcp-server/playbooks/definitions.js";
import { snapshotStore, useTempStore } from "../../helpers/tempStore.js";

describe("the playbooks a store holds", () => {
  it("starts with every built-in, one per trigger, enabled, with every param filled in", async () => {
    const { store } = await useTempStore("crm-playbooks-");
    const playbooks = await listPlaybooks(store);
    expect(playbooks.map((playbook) => playbook.id).sort()).toEqual([...TRIGGERS].sort());
    expect(playbooks.every((playbook) => playbook.enabled && playbook.builtin)).toBe(true);
    expect((await getPlaybook(store, "overdue-rhythm")).params).toEqual({
      overdue_ratio: 1.5,
      min_value_at_risk: 0,
      value_weight: 20,
    });
    expect(BUILTIN_PLAYBOOKS).toHaveLength(TRIGGERS.length);
  });

  it("puts a missing built-in back, and keeps a user's edits to the others", async () => {
    const { store } = await useTempStore("crm-playbooks-");
    await setPlaybookValue(store, "birthday", "priority", "33");
    await store.db.run("DELETE FROM playbooks WHERE id = 'welcome-day-7'");
    const playbooks = await listPlaybooks(store);
    expect(playbooks.find((playbook) => playbook.id === "welcome-day-7")?.priority).toBe(40);
    expect(playbooks.find((playbook) => playbook.id === "birthday")?.priority).toBe(33);
  });

  it("enables, disables and sets fields, audience lists and trigger params", async () => {
    const { store } = await useTempStore("crm-playbooks-");
    expect((await setPlaybookEnabled(store, "browse-no-buy", false)).enabled).toBe(false);
    expect((await setPlaybookEnabled(store, "browse-no-buy", true)).enabled).toBe(true);
    await setPlaybookValue(store, "overdue-rhythm", "overdue_ratio", "2");
    await setPlaybookValue(store, "overdue-rhythm", "audience.owners", "Chen Jing, Ana Ruiz");
    await setPlaybookValue(store, "overdue-rhythm", "due_days", "5");
    await setPlaybookValue(store, "browse-no-buy", "event_types", "cart,wishlist");
    const overdue = await getPlaybook(store, "overdue-rhythm");
    expect(overdue.params.overdue_ratio).toBe(2);
    expect(overdue.audience).toEqual({ owners: ["Chen Jing", "Ana Ruiz"] });
    expect(overdue.due_days).toBe(5);
    expect((await getPlaybook(store, "browse-no-buy")).params.event_types).toEqual(["cart", "wishlist"]);
    await setPlaybookValue(store, "overdue-rhythm", "audience.owners", "none");
    expect((await getPlaybook(store, "overdue-rhythm")).audience).toEqual({});
  });

  it("refuses a bad value or an unknown key with a message naming it, and changes nothing", async () => {
    const { store } = await useTempStore("crm-playbooks-");
    await listPlaybooks(store);
    const before = await snapshotStore(store);
    await expect(setPlaybookValue(store, "overdue-rhythm", "overdue_ratio", "0.5")).rejects.toThrow(
      /params\.overdue_ratio/,
    );
    await expect(setPlaybookValue(store, "overdue-rhythm", "ratio", "2")).rejects.toThrow(
      /no key "ratio"; keys: .*overdue_ratio/,
    );
    await expect(setPlaybookValue(store, "overdue-rhythm", "action", "fax")).rejects.toThrow(/action/);
    await expect(setPlaybookValue(store, "overdue-rhythm", "audience.tiers", "Z")).rejects.toThrow(
      /audience\.tiers/,
    );
    await expect(setPlaybookEnabled(store, "nope", true)).rejects.toThrow(
      /no playbook with id "nope"; playbooks: /,
    );
    expect(await snapshotStore(store)).toEqual(before);
  });
});

describe("export and import", () => {
  it("round-trips: an exported file imported into another store gives the same playbooks", async () => {
    const { store } = await useTempStore("crm-playbooks-");
    await setPlaybookValue(store, "unhappy-feedback", "within_days", "14");
    await setPlaybookEnabled(store, "birthday", false);
    const file = await exportPlaybooks(store);
    file.playbooks.push({
      ...file.playbooks[0],
      id: "vip-overdue",
      name: "VIP overdue",
      audience: { tiers: ["A"] },
    });
    const { store: other } = await useTempStore("crm-playbooks-");
    const result = await importPlaybooks(other, JSON.parse(JSON.stringify(file)));
    expect(result.added).toEqual(["vip-overdue"]);
    expect(result.replaced).toHaveLength(TRIGGERS.length);
    expect((await exportPlaybooks(other)).playbooks.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      file.playbooks.sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect((await getPlaybook(other, "vip-overdue")).builtin).toBe(false);
  });

  it("imports nothing when any playbook in the file is invalid, and says which and why", async () => {
    const { store } = await useTempStore("crm-playbooks-");
    await listPlaybooks(store);
    const before = await snapshotStore(store);
    const file = await exportPlaybooks(store);
    file.playbooks[0] = { ...file.playbooks[0], priority: 70 };
    const broken = [
      ...file.playbooks,
      { ...file.playbooks[1], id: "Bad Id" },
      { ...file.playbooks[2], id: "x", params: { nonsense: 1 } },
    ];
    const failure = importPlaybooks(store, { playbooks: broken });
    await expect(failure).rejects.toBeInstanceOf(PlaybookError);
    await expect(failure).rejects.toThrow(
      /nothing imported: .*playbooks\[10\] \(Bad Id\).*id.*playbooks\[11\] \(x\).*params/,
    );
    await expect(importPlaybooks(store, { nope: true })).rejects.toThrow(/"playbooks" array/);
    expect(await snapshotStore(store)).toEqual(before);
  });
});
