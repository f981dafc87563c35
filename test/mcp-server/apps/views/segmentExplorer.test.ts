import { describe, expect, it } from "vitest";
import { RFM_SEGMENT_GRID } from "../../../../core/rfm.js";
import type { FindAtRiskCustomersResult } from "../../../../mcp-server/contract/findAtRiskCustomers.js";
import type { SegmentCustomersResult } from "../../../../mcp-server/contract/segmentCustomers.js";
import {
  emptyExplorerState,
  LISTABLE,
  renderSegmentExplorer,
} from "../../../../mcp-server/apps/views/segmentExplorer/render.js";
import { dataValues, element, fixture, textOf } from "./htmlProbe.js";

const rfm = fixture<SegmentCustomersResult>("segment-customers");
const valueMatrix = fixture<SegmentCustomersResult>("segment-customers-value_matrix");
const abc = fixture<SegmentCustomersResult>("segment-customers-abc");
const atRisk = fixture<FindAtRiskCustomersResult>("find-at-risk-customers");

describe("the segment explorer", () => {
  it("draws each segment's count, shares, CLV and average CLV exactly as segment_customers returned them", () => {
    const table = element(
      renderSegmentExplorer(rfm, emptyExplorerState(), "en"),
      "table",
      "class",
      "segments",
    );
    for (const segment of rfm.segments) {
      const row = element(table, "tr", "data-segment", segment.key);
      expect(dataValues(row)).toEqual([
        segment.count,
        segment.customer_share,
        segment.clv,
        segment.clv_share,
        segment.revenue_share,
        segment.average_clv,
      ]);
    }
  });

  it("draws each cell of the RFM grid with its own customers and CLV share, and no number in an empty cell", () => {
    const cells = [
      { r: 5, fm: 5, segment: "champions", customers: 40, clv_share: 0.3 },
      { r: 4, fm: 5, segment: "champions", customers: 21, clv_share: 0.25 },
      { r: 1, fm: 1, segment: "lost", customers: 18, clv_share: 0.01 },
    ];
    const grid = element(
      renderSegmentExplorer({ ...rfm, rfm_grid: cells }, emptyExplorerState(), "en"),
      "table",
      "class",
      "rfm-grid",
    );
    for (const cell of cells) {
      expect(grid).toMatch(
        new RegExp(
          `data-r="${cell.r}" data-fm="${cell.fm}"[^>]*>[^]*?class="count" data-value="${cell.customers}"[^]*?data-value="${cell.clv_share}"[^]*?</td>`,
        ),
      );
    }
    const counts = [...grid.matchAll(/class="count" data-value="([^"]+)"/g)].map((match) => Number(match[1]));
    expect(counts).toHaveLength(cells.length);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(40 + 21 + 18);
  });

  it("lays the RFM segments on the 5 x 5 grid, each segment's numbers once, in the first cell it covers, for a result without per-cell figures", () => {
    const grid = element(
      renderSegmentExplorer({ ...rfm, rfm_grid: null }, emptyExplorerState(), "en"),
      "table",
      "class",
      "rfm-grid",
    );
    expect([...grid.matchAll(/<td class="cell"/g)]).toHaveLength(25);
    expect(grid).toContain(`data-segment="${RFM_SEGMENT_GRID[4][4]}" data-r="5" data-fm="5"`);
    const counts = [...grid.matchAll(/class="count" data-value="([^"]+)"/g)].map((match) => Number(match[1]));
    expect(counts.sort((a, b) => a - b)).toEqual(
      rfm.segments.map((segment) => segment.count).sort((a, b) => a - b),
    );
    const champions = rfm.segments.find((segment) => segment.key === "champions");
    expect(grid).toMatch(
      new RegExp(`data-value="${champions?.count}"[^]*?data-value="${champions?.clv_share}"`),
    );
  });

  it("draws the value matrix as profit x loyalty quadrants", () => {
    const html = renderSegmentExplorer(valueMatrix, emptyExplorerState(), "en");
    const quadrants = element(html, "table", "class", "quadrants");
    for (const segment of valueMatrix.segments) {
      const cell = element(quadrants, "td", "data-segment", segment.key);
      expect(dataValues(cell)).toEqual([segment.count, segment.clv_share]);
    }
    expect(textOf(quadrants)).toMatch(/High profit.*Low profit/);
  });

  it("draws ABC tiers as shares of customers against shares of CLV", () => {
    const tiers = element(renderSegmentExplorer(abc, emptyExplorerState(), "en"), "table", "class", "tiers");
    for (const segment of abc.segments) {
      expect(dataValues(element(tiers, "tr", "data-segment", segment.key))).toEqual([
        segment.customer_share,
        segment.clv_share,
      ]);
    }
  });

  it("lists a selected segment's samples, then its customers once find_at_risk_customers answered", () => {
    const champions = rfm.segments[0];
    const withSamples = renderSegmentExplorer(rfm, { selected: champions.key, members: null }, "en");
    const samples = element(withSamples, "section", "class", "panel members");
    for (const sample of champions.samples)
      expect(samples).toContain(`data-customer="${sample.customer.customer_id}"`);
    const withMembers = renderSegmentExplorer(
      rfm,
      { selected: champions.key, members: { loading: false, result: atRisk } },
      "en",
    );
    const members = element(withMembers, "table", "class", "member-list");
    const first = atRisk.customers[0];
    expect(dataValues(element(members, "tr", "data-customer", first.customer.customer_id))).toEqual([
      first.churn_probability,
      first.value_at_risk,
      first.clv,
    ]);
    expect(LISTABLE.rfm).toBe("segment");
    expect(LISTABLE.abc).toBeUndefined();
  });

  it("reads in Chinese", () => {
    const html = renderSegmentExplorer(rfm, emptyExplorerState(), "zh");
    expect(html).toContain("客户细分");
    expect(html).toContain(rfm.segments[0].label.zh);
  });
});
