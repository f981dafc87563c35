import { describe, expect, it } from "vitest";
import { resolveAsOf } from "../../../mcp-server/asOf.js";
import { importFile } from "../../../mcp-server/import/importFile.js";
import { latestBacktest, runBacktest } from "../../../mcp-server/scoring/backtestStore.js";
import { CDNOW_IMPORT, datasetFile, ONLINE_RETAIL_IMPORT } from "../../helpers/datasets.js";
import { useTempStore } from "../../helpers/tempStore.js";

const cdnow = datasetFile("cdnow/CDNOW_master.txt");
const onlineRetail = datasetFile("online-retail/OnlineRetail.csv");
const NOW = new Date("2026-11-29T12:00:00Z");

function figures(result: Awaited<ReturnType<typeof runBacktest>>) {
  const auc = (name: string) => result.rankings.find((ranking) => ranking.name === name)!.auc;
  return {
    product: auc("churn_probability"),
    recency: auc("days_since_last_purchase"),
    expected: auc("expected_purchases"),
    ece: result.calibration.expectedCalibrationError,
  };
}

// The targets of issue 9 on the shared books, through the product's own import and scoring: the
// calibration sees only rows up to the split, the figures only the period after it.
describe.skipIf(cdnow.missing !== null)(
  `backtest on CDNOW as of 1997-09-30, 273 days${cdnow.missing ? ` (skipped: ${cdnow.missing})` : ""}`,
  () => {
    it("ranks 'no purchase' better than recency and the model alone, with calibration error under 0.05", async () => {
      const { store } = await useTempStore();
      await importFile(store, { ...CDNOW_IMPORT, file: cdnow.path });
      const result = await runBacktest(store, {
        asOf: resolveAsOf("1997-09-30"),
        horizonDays: 273,
        now: NOW,
      });
      expect(result.customers).toBe(23_500);
      expect(result.churnRate).toBeCloseTo(0.7, 2);
      const { product, recency, expected, ece } = figures(result);
      expect(recency).toBeCloseTo(0.759, 3);
      expect(product).toBeGreaterThanOrEqual(recency + 0.01);
      expect(product).toBeGreaterThan(expected);
      expect(ece).toBeLessThanOrEqual(0.05);
      // The history (272 days) is shorter than the horizon: said, and carried through the model.
      expect(result.method).toBe("calibrated-dropout-mixture");
      expect(result.notes.join(" ")).toMatch(
        /too short to observe 273-day windows: calibrated on 136-day windows/,
      );
      expect((await latestBacktest(store))!.result).toEqual(result);
    });
  },
);

describe.skipIf(onlineRetail.missing !== null)(
  `backtest on Online Retail as of 2011-08-31, 100 days${onlineRetail.missing ? ` (skipped: ${onlineRetail.missing})` : ""}`,
  () => {
    it("ranks 'no purchase' better than recency and the model alone, with calibration error under 0.05", async () => {
      const { store } = await useTempStore();
      await importFile(store, { ...ONLINE_RETAIL_IMPORT, file: onlineRetail.path });
      const result = await runBacktest(store, {
        asOf: resolveAsOf("2011-08-31"),
        horizonDays: 100,
        now: NOW,
      });
      expect(result.customers).toBe(3_317);
      expect(result.churnRate).toBeCloseTo(0.412, 3);
      const { product, recency, expected, ece } = figures(result);
      expect(recency).toBeCloseTo(0.685, 3);
      expect(product).toBeGreaterThanOrEqual(recency + 0.01);
      expect(product).toBeGreaterThan(expected);
      expect(ece).toBeLessThanOrEqual(0.05);
      // Every dropout model finds no dropout in this book: flagged, and the calibration carries recency.
      expect(result.notes.join(" ")).toMatch(/degenerate/);
      expect(result.method).toBe("calibrated-logistic");
    });
  },
);
