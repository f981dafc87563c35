import { describe, expect, it } from "vitest";
import { fitBgNbd } from "../../core/bgNbd.js";
import { customerSummary, summarizeCustomers } from "../../core/summary.js";
import {
  CDNOW_CALIBRATION_END,
  CDNOW_OBSERVATION_END,
  cdnowAvailable,
  loadCdnowSummary,
  loadCdnowSummaryWithValue,
  loadCdnowTransactions,
} from "./cdnow.js";

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

describe("customerSummary", () => {
  const transactions = [
    { timestamp: new Date("2024-01-01T09:00:00Z"), amount: 10 },
    { timestamp: new Date("2024-01-01T18:30:00Z"), amount: 5 }, // same day as the first: merged
    { timestamp: new Date("2024-01-08T12:00:00Z"), amount: 20 },
    { timestamp: new Date("2024-01-15T08:00:00Z"), amount: 30 },
    { timestamp: new Date("2024-01-15T20:00:00Z"), amount: -6 }, // a return reduces that day's total
    { timestamp: new Date("2024-03-01T10:00:00Z"), amount: 99 }, // after asOf: ignored
  ];

  it("counts distinct UTC purchase days after the first and measures tx and T in days", () => {
    const summary = customerSummary(transactions, { asOf: day("2024-01-29"), unit: "days" });
    expect(summary).toMatchObject({ x: 2, tx: 14, T: 28, purchaseCount: 5 });
    expect(summary.monetary).toBeCloseTo((20 + 24) / 2, 12);
    expect(summary.firstPurchase.toISOString()).toBe("2024-01-01T09:00:00.000Z");
    expect(summary.lastPurchase.toISOString()).toBe("2024-01-15T20:00:00.000Z");
  });

  it("expresses tx and T in weeks as days / 7", () => {
    const summary = customerSummary(transactions, { asOf: day("2024-01-29"), unit: "weeks" });
    expect(summary.tx).toBeCloseTo(2, 12);
    expect(summary.T).toBeCloseTo(4, 12);
  });

  it("counts the whole end day, whatever the time of day of asOf", () => {
    const summary = customerSummary(transactions, { asOf: new Date("2024-01-15T00:00:01Z"), unit: "days" });
    expect(summary).toMatchObject({ x: 2, tx: 14, T: 14 });
  });

  it("cuts at calibrationEnd when given", () => {
    const summary = customerSummary(transactions, {
      asOf: day("2024-06-01"),
      calibrationEnd: day("2024-01-10"),
      unit: "days",
    });
    expect(summary).toMatchObject({ x: 1, tx: 7, T: 9, monetary: 20 });
  });

  it("has monetary 0 and tx 0 for a single purchase day", () => {
    const summary = customerSummary(transactions.slice(0, 2), { asOf: day("2024-01-05"), unit: "days" });
    expect(summary).toMatchObject({ x: 0, tx: 0, T: 4, monetary: 0 });
  });

  it("rejects inputs with messages that say what is wrong", () => {
    expect(() => customerSummary(transactions, { asOf: day("2023-12-01"), unit: "days" })).toThrow(
      "at least one transaction on or before the end date",
    );
    expect(() => customerSummary(transactions, { asOf: new Date(Number.NaN), unit: "days" })).toThrow(
      "asOf must be a valid Date",
    );
    expect(() =>
      customerSummary(transactions, {
        asOf: day("2024-01-01"),
        calibrationEnd: day("2024-02-01"),
        unit: "days",
      }),
    ).toThrow("calibrationEnd must not be after asOf");
    expect(() =>
      customerSummary([{ timestamp: day("2024-01-01"), amount: Number.NaN }], {
        asOf: day("2024-02-01"),
        unit: "days",
      }),
    ).toThrow("amount must be a finite number");
  });

  it("summarizeCustomers gives the same summaries as customerSummary per customer", () => {
    const flat = [
      ...transactions.map((t) => ({ ...t, customerId: "a" })),
      { customerId: "b", timestamp: day("2024-01-20"), amount: 7 },
      { customerId: "c", timestamp: day("2024-05-20"), amount: 7 }, // only after asOf: left out
    ];
    const options = { asOf: day("2024-01-29"), unit: "days" as const };
    const all = summarizeCustomers(flat, options);
    expect([...all.keys()]).toEqual(["a", "b"]);
    expect(all.get("a")).toEqual(customerSummary(transactions, options));
    expect(all.get("b")).toMatchObject({ x: 0, tx: 0, T: 9 });
  });
});

describe.skipIf(!cdnowAvailable)("customer summaries of the raw CDNOW transactions", () => {
  const options = {
    asOf: CDNOW_OBSERVATION_END,
    calibrationEnd: CDNOW_CALIBRATION_END,
    unit: "weeks" as const,
  };
  const built = cdnowAvailable ? summarizeCustomers(loadCdnowTransactions(), options) : new Map();

  it("reproduce cdnow_customers_summary.csv row by row (calibration to 1997-09-30, weeks = days / 7)", () => {
    const file = loadCdnowSummary();
    expect(built.size).toBe(file.length);
    for (const row of file) {
      const summary = built.get(row.id);
      expect(summary, `customer ${row.id}`).toBeDefined();
      expect(summary.x, `x of customer ${row.id}`).toBe(row.x);
      expect(summary.tx.toFixed(2), `tx of customer ${row.id}`).toBe(row.tx.toFixed(2));
      expect(summary.T.toFixed(2), `T of customer ${row.id}`).toBe(row.T.toFixed(2));
    }
  });

  it("reproduce the mean repeat value zbar of the summary file to the cent", () => {
    for (const row of loadCdnowSummaryWithValue()) {
      // The file rounds half-cents up; binary floating point may land just below the half.
      expect(Math.abs(built.get(row.id).monetary - row.monetary)).toBeLessThanOrEqual(0.005 + 1e-9);
    }
  });

  it("give the same BG/NBD fit as the published summary", () => {
    const fromRaw = fitBgNbd([...built.values()]);
    const fromFile = fitBgNbd(loadCdnowSummary());
    for (const name of ["r", "alpha", "a", "b"] as const)
      expect(fromRaw[name].toFixed(2)).toBe(fromFile[name].toFixed(2));
    expect(fromRaw.logLikelihood.toFixed(1)).toBe("-9582.4");
  });
});
