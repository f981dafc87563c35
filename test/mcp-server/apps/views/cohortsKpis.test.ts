import { describe, expect, it } from "vitest";
import type { KpiReport } from "../../../../mcp-server/contract/kpi.js";
import type { PortfolioOverviewResult } from "../../../../mcp-server/contract/portfolioOverview.js";
import { isKpiReport, renderCohortsKpis } from "../../../../mcp-server/apps/views/cohortsKpis/render.js";
import { dataValues, element, fixture, textOf } from "./htmlProbe.js";

const overview = fixture<PortfolioOverviewResult>("portfolio-overview");
/** `crm kpi --json --as-of 2026-06-30` on the demo book (seed 42, 600 customers). */
const report = fixture<KpiReport>("kpi-report");

describe("the cohorts and KPIs view", () => {
  it("draws the health index with its components and bands as portfolio_overview returned them", () => {
    const chi = element(renderCohortsKpis(overview, "en"), "section", "class", "panel chi");
    const { index, components, bands } = overview.kpi.chi;
    expect(dataValues(chi)).toEqual([
      index,
      components?.frequency,
      components?.value,
      components?.retention,
      bands.healthy,
      bands.watch,
      bands.at_risk,
    ]);
  });

  it("draws the emotion, service, LTV and activation figures", () => {
    const html = renderCohortsKpis(overview, "en");
    const { emotion, service, ltv, activation } = overview.kpi;
    expect(dataValues(element(html, "section", "class", "panel emotion"))).toEqual([
      emotion.index,
      emotion.nps,
      emotion.nps_responses,
      emotion.promoters,
      emotion.detractors,
      emotion.reviews,
      emotion.review_balance,
    ]);
    expect(dataValues(element(html, "section", "class", "panel service"))).toEqual([
      service.tickets,
      service.first_response_hours.median,
      service.first_response_hours.p90,
      service.resolution_rate,
      service.resolution_hours_median,
      service.breaching.any,
    ]);
    expect(dataValues(element(html, "section", "class", "panel ltv"))).toEqual([
      ltv.twelve_months,
      ltv.five_years,
      ltv.five_year_multiple,
    ]);
    expect(dataValues(element(html, "section", "class", "panel activation"))).toEqual([
      activation.new_customers,
      activation.eligible,
      activation.activated,
      activation.rate,
    ]);
  });

  it("counts customers per lifecycle stage and risk level in tables", () => {
    const html = renderCohortsKpis(overview, "en");
    // Each row: the count the tool gave, then its share of the book (count / customers).
    const withShares = (rows: { customers: number }[]) =>
      rows.flatMap((row) => [row.customers, row.customers / overview.customers]);
    expect(dataValues(element(html, "section", "class", "panel stages"))).toEqual(
      withShares(overview.lifecycle_stages),
    );
    expect(dataValues(element(html, "section", "class", "panel risk-levels"))).toEqual(
      withShares(overview.risk_levels),
    );
  });

  it("reads in Chinese", () => {
    const html = renderCohortsKpis(overview, "zh");
    expect(textOf(html)).toContain("客户健康指数");
    expect(textOf(html)).toContain(overview.lifecycle_stages[0].label.zh);
  });

  it("says where the cohorts and the monthly series are when drawn from portfolio_overview", () => {
    const html = renderCohortsKpis(overview, "en");
    expect(isKpiReport(overview)).toBe(false);
    expect(html).not.toContain("cohort-heatmap");
    expect(textOf(html)).toContain("in the KPI report (crm kpi)");
  });
});

describe("the cohorts and KPIs view of the KPI report", () => {
  it("draws each cohort's size, activation rate and retention by month since the first purchase", () => {
    expect(isKpiReport(report)).toBe(true);
    const heatmap = element(renderCohortsKpis(report, "en"), "table", "class", "cohort-heatmap");
    expect(report.cohorts.length).toBeGreaterThan(6);
    for (const cohort of report.cohorts) {
      const row = element(heatmap, "tr", "data-cohort", cohort.cohort);
      // A cohort whose 30-day window has not closed has no activation rate: nothing is drawn for it.
      const activation = cohort.activation_rate === null ? [] : [cohort.activation_rate];
      expect(dataValues(row)).toEqual([cohort.customers, ...activation, ...cohort.retention]);
    }
  });

  it("draws the indices month by month, in the chart and in the table behind it", () => {
    const html = renderCohortsKpis(report, "en");
    const table = element(html, "table", "class", "months");
    for (const month of report.months) {
      const row = element(table, "tr", "data-month", month.month);
      const values = [
        month.chi?.index,
        month.emotion.index,
        month.service.first_response_median_hours,
        month.service.resolution_rate,
        month.activation.rate,
      ].filter((value) => value !== null && value !== undefined);
      expect(dataValues(row)).toEqual(values);
    }
    const chart = element(html, "svg", "class", "series");
    const emotion = report.months.map((month) => month.emotion.index).filter((value) => value !== null);
    expect(
      [...chart.matchAll(/class="ei"[^>]*data-value="([^"]+)"/g)].map((match) => Number(match[1])),
    ).toEqual(emotion);
  });

  it("shows the report's own figures and notes, not portfolio-only panels", () => {
    const html = renderCohortsKpis(report, "zh");
    expect(dataValues(element(html, "section", "class", "panel chi"))[0]).toBe(report.chi.index);
    expect(html).not.toContain('class="panel book"');
    for (const note of report.notes) expect(textOf(html)).toContain(note);
    expect(html).toContain("同期群留存");
  });
});
