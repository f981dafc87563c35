import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GET_CUSTOMER,
  getCustomerOutput,
  type GetCustomerResult,
} from "../../../mcp-server/contract/getCustomer.js";
import { createMcpHarness, DEMO_AS_OF, textOf, type McpHarness } from "../../helpers/mcpClient.js";

let harness: McpHarness;

beforeAll(async () => {
  harness = await createMcpHarness();
});

afterAll(async () => {
  await harness?.close();
});

async function profile(customerId: string): Promise<{ result: GetCustomerResult; text: string }> {
  const answer = await harness.call(GET_CUSTOMER, { customer_id: customerId, as_of: DEMO_AS_OF });
  expect(answer.isError, textOf(answer)).toBeFalsy();
  return { result: getCustomerOutput.parse(answer.structuredContent), text: textOf(answer) };
}

const isMonthEnd = (date: string) => {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.getUTCDate() === 1;
};

describe("get_customer's stage history", () => {
  it("ends on today's stage at the as-of date, after month ends in order, for every one of 40 customers", async () => {
    let changing = 0;
    for (let n = 1; n <= 40; n++) {
      const id = `C${String(n).padStart(5, "0")}`;
      const { result } = await profile(id);
      const history = result.stage_history!;
      expect(history, id).not.toBeNull();
      const points = history.points;
      expect(points.at(-1), id).toMatchObject({
        at: "as_of",
        date: DEMO_AS_OF,
        stage: result.lifecycle.stage,
      });
      expect(points.at(-1)!.churn_probability, id).toBe(result.risk.churn_probability);
      const monthEnds = points.slice(0, -1);
      expect(monthEnds.length, id).toBeLessThanOrEqual(24);
      expect(
        monthEnds.every((point) => point.at === "month_end" && isMonthEnd(point.date)),
        id,
      ).toBe(true);
      const dates = points.map((point) => point.date);
      expect(dates, id).toEqual([...dates].sort());
      expect(new Set(dates).size, id).toBe(dates.length);
      // The changes are exactly where consecutive points differ.
      const expected = points.flatMap((point, i) =>
        i > 0 && points[i - 1].stage === point.stage
          ? []
          : [{ date: point.date, from: i === 0 ? null : points[i - 1].stage, to: point.stage }],
      );
      expect(history.changes, id).toEqual(expected);
      expect(history.models_fitted_as_of).toBe(DEMO_AS_OF);
      if (history.changes.length > 2) changing++;
    }
    // The demo's customers move between stages: the track is not a constant.
    expect(changing).toBeGreaterThan(3);
  });

  it("says in the structured content and the text what the history is", async () => {
    const { result, text } = await profile("C00003");
    expect(result.stage_history!.basis).toMatch(/each month end/);
    expect(result.stage_history!.basis).toMatch(/only the purchases, feedback and contacts up to its day/);
    expect(text).toContain("Stage history, ");
    expect(text).toContain(result.stage_history!.basis);
    const first = result.stage_history!.changes[0];
    expect(text).toContain(`(from ${first.date})`);
  });

  it("reads a customer with no purchase as a prospect at every point", async () => {
    const row = await harness.store.db.get<{ external_id: string }>(
      "SELECT external_id FROM customers WHERE id NOT IN (SELECT customer_id FROM transactions WHERE amount > 0) ORDER BY id LIMIT 1",
    );
    expect(row, "the demo has a prospect").toBeDefined();
    const { result } = await profile(row!.external_id);
    expect(result.lifecycle.stage).toBe("prospect");
    expect(new Set(result.stage_history!.points.map((point) => point.stage))).toEqual(new Set(["prospect"]));
    expect(result.stage_history!.points.every((point) => point.churn_probability === null)).toBe(true);
  });
});
