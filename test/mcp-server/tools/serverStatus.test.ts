import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_STATUS, serverStatusOutput } from "../../../mcp-server/contract/serverStatus.js";
import {
  PORTFOLIO_OVERVIEW,
  portfolioOverviewOutput,
} from "../../../mcp-server/contract/portfolioOverview.js";
import { resolveAsOf } from "../../../mcp-server/asOf.js";
import { runBacktest } from "../../../mcp-server/scoring/backtestStore.js";
import { MIGRATIONS } from "../../../mcp-server/store/migrations.js";
import { createMcpHarness, DEMO_AS_OF, textOf, type McpHarness } from "../../helpers/mcpClient.js";

let harness: McpHarness;
beforeAll(async () => {
  harness = await createMcpHarness();
});
afterAll(() => harness.close());

async function status() {
  const result = await harness.call(SERVER_STATUS);
  expect(result.isError, textOf(result)).toBeFalsy();
  return { parsed: serverStatusOutput.parse(result.structuredContent), text: textOf(result) };
}

describe("server_status", () => {
  it("names the store, its versions and the server's switches", async () => {
    const { parsed, text } = await status();
    expect(parsed.store).toBe(harness.path);
    expect(parsed.schema_version).toBe(MIGRATIONS.length);
    expect(parsed.data_version).toBe(await harness.store.dataVersion());
    expect(parsed.writes_enabled).toBe(false);
    expect(parsed.redacting).toBe(false);
    expect(parsed.llm_endpoint).toBeNull();
    expect(text).toContain("start with --allow-writes");
  });

  it("reports the latest scores and whether the data has changed since", async () => {
    await harness.call("find_at_risk_customers", { as_of: DEMO_AS_OF, limit: 1 });
    const before = (await status()).parsed.latest_scores!;
    expect(before.as_of).toBe(DEMO_AS_OF);
    expect(before.customers).toBe((await harness.store.counts()).customers);
    expect(before.current).toBe(true);
    await harness.store.markChanged();
    const after = await status();
    expect(after.parsed.latest_scores!.current).toBe(false);
    expect(after.text).toContain("the data has changed since");
  });

  it("says how many customers the next day's scores carried over from the day before", async () => {
    await harness.call("find_at_risk_customers", { as_of: DEMO_AS_OF, limit: 1 });
    const first = (await status()).parsed.latest_scores!;
    const nextDay = new Date(Date.parse(`${DEMO_AS_OF}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await harness.call("find_at_risk_customers", { as_of: nextDay, limit: 1 });
    const { parsed, text } = await status();
    const carried = parsed.latest_scores!.carried_over!;
    expect(carried.from_as_of).toBe(first.as_of);
    expect(carried.customers).toBeGreaterThan(0);
    expect(carried.customers).toBeLessThanOrEqual(parsed.latest_scores!.customers);
    expect(text).toContain(`${carried.customers} carried over from ${first.as_of}`);
  });

  it("says how the churn probabilities are made and, after a backtest, how well they did", async () => {
    await harness.call("find_at_risk_customers", { as_of: DEMO_AS_OF, limit: 1 });
    const before = await status();
    expect(before.parsed.latest_scores).toMatchObject({
      horizon_days: 90,
      warnings: [],
      unscored_customers: 0,
    });
    expect(before.parsed.churn_model).toMatchObject({
      horizon_days: 90,
      method: "calibrated-logistic",
      purchase_model: { kind: "bg-nbd", label: "BG/NBD", degenerate: false },
      last_backtest: null,
    });
    expect(before.parsed.churn_model!.calibration!.weights.length).toBeGreaterThan(3);
    expect(before.text).toContain("no backtest yet (run `crm backtest`");

    const backtest = await runBacktest(harness.store, {
      asOf: resolveAsOf("2026-03-31"),
      horizonDays: 90,
      now: new Date("2026-07-01T08:00:00Z"),
    });
    const product = backtest.rankings[0];
    const after = await status();
    expect(after.parsed.churn_model!.last_backtest).toEqual({
      ran_at: "2026-07-01T08:00:00Z",
      as_of: "2026-03-31",
      horizon_days: 90,
      customers: backtest.customers,
      auc: product.auc,
      recency_auc: backtest.rankings[1].auc,
      expected_calibration_error: backtest.calibration.expectedCalibrationError,
      rankings: backtest.rankings.map((ranking) => ({
        name: ranking.name,
        label: ranking.label,
        auc: ranking.auc,
        top_decile_rate: ranking.topDecileRate,
        top_decile_lift: ranking.topDecileLift,
      })),
      calibration_bins: backtest.calibration.bins.map((bin) => ({
        customers: bin.customers,
        mean_predicted: bin.meanPredicted,
        observed_rate: bin.observedRate,
      })),
    });
    expect(after.text).toContain(`last backtest (as of 2026-03-31, 90 days): AUC ${product.auc.toFixed(3)}`);
    const overview = await harness.call(PORTFOLIO_OVERVIEW, { as_of: DEMO_AS_OF });
    expect(portfolioOverviewOutput.parse(overview.structuredContent).churn_model.last_backtest!.auc).toBe(
      product.auc,
    );
    expect(textOf(overview)).toContain(`AUC ${product.auc.toFixed(3)}`);
  });

  it("warns, in the scores and at the top of every answer, when the as-of date is long after the newest purchase", async () => {
    const result = await harness.call("find_at_risk_customers", { as_of: "2030-01-31", limit: 1 });
    expect(textOf(result)).toMatch(
      /^> \*\*Warning:\*\* The newest purchase is 2026-06-\d\d, 1,3\d\d days before the as-of date 2030-01-31/,
    );
    const { parsed } = await status();
    expect(parsed.latest_scores!.warnings[0]).toContain("Pass --as-of 2026-06-");
  });
});
