import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { seedDemo } from "../../../mcp-server/demo/seed.js";
import type { ServerDeps } from "../../../mcp-server/server/deps.js";
import { bookFacts } from "../../../mcp-server/store/bookStats.js";
import { CHANGE_AREAS } from "../../../mcp-server/store/store.js";
import { logInteraction } from "../../../mcp-server/tools/logInteraction.js";
import { recordFeedback } from "../../../mcp-server/tools/recordFeedback.js";
import { writableDeps } from "../../helpers/deps.js";
import { createTempStore, type TempStore } from "../../helpers/tempStore.js";

const AS_OF = new Date("2026-06-30T23:59:59Z");

describe("versions of the book's areas", () => {
  let temp: TempStore;
  let deps: ServerDeps;
  beforeAll(async () => {
    temp = await createTempStore("crm-area-versions-");
    await seedDemo(temp.store, { seed: 9, customers: 120, asOf: AS_OF });
    deps = writableDeps(temp.store, new Date("2026-07-01T09:00:00Z"));
  });
  afterAll(() => temp.dispose());

  it("bumps the data version and every area without a list, and only the areas named with one", async () => {
    const before = await temp.store.areaVersions(CHANGE_AREAS);
    const version = await temp.store.dataVersion();
    await temp.store.markChanged();
    const everything = await temp.store.areaVersions(CHANGE_AREAS);
    expect(await temp.store.dataVersion()).toBe(version + 1);
    expect(everything.split(",")).toHaveLength(CHANGE_AREAS.length);
    everything.split(",").forEach((part, index) => expect(part).not.toBe(before.split(",")[index]));

    await temp.store.markChanged(["interactions"]);
    expect(await temp.store.dataVersion()).toBe(version + 2);
    const after = (await temp.store.areaVersions(CHANGE_AREAS)).split(",");
    everything.split(",").forEach((part, index) => {
      if (CHANGE_AREAS[index] === "interactions") expect(after[index]).not.toBe(part);
      else expect(after[index]).toBe(part);
    });
  });

  it("keeps the book's facts remembered over a logged interaction, and reads only the NPS answers again after one", async () => {
    const facts = await bookFacts(temp.store, AS_OF);
    expect(await bookFacts(temp.store, AS_OF)).toBe(facts);
    const customer = await temp.store.db.get<{ id: number }>("SELECT id FROM customers ORDER BY id LIMIT 1");
    await logInteraction(deps, {
      customer_id: String(customer!.id),
      channel: "phone",
      summary: "called about the renewal",
      occurred_at: "2026-06-30T10:00:00Z",
    });
    expect(await bookFacts(temp.store, AS_OF)).toBe(facts);

    await recordFeedback(deps, {
      customer_id: String(customer!.id),
      source: "nps",
      score: 10,
      occurred_at: "2026-06-30T11:00:00Z",
    });
    const reads = vi.spyOn(temp.store.reads, "all");
    const fresh = await bookFacts(temp.store, AS_OF);
    expect(fresh).not.toBe(facts);
    expect(fresh.book.npsResponses).toBe(facts.book.npsResponses + 1);
    expect(fresh.book.promoters).toBe(facts.book.promoters + 1);
    // The transactions were not read again: feedback leaves them as they were.
    const statements = reads.mock.calls.map(([sql]) => String(sql));
    reads.mockRestore();
    expect(statements.some((sql) => sql.includes("FROM feedback"))).toBe(true);
    expect(statements.some((sql) => sql.includes("transactions"))).toBe(false);
    expect({ ...fresh.book, npsResponses: 0, promoters: 0, detractors: 0 }).toEqual({
      ...facts.book,
      npsResponses: 0,
      promoters: 0,
      detractors: 0,
    });
  });
});
