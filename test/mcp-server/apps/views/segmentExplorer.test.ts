import { describe, expect, it } from "vitest";
import { RFM_SEGMENT_GRID } from "../../../../core/rfm.js";
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
/** segment_customers by abc with members_of "B", page 2. */
const abcMembers = fixture<SegmentCustomersResult>("segment-customers-abc-members");

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

  it("lists a selected segment's samples, then a page of all its customers once segment_customers answered", () => {
    const tierB = abc.segments.find((segment) => segment.key === "B")!;
    const withSamples = renderSegmentExplorer(abc, { selected: "B", members: null }, "en");
    const samples = element(withSamples, "section", "class", "panel members");
    for (const sample of tierB.samples)
      expect(samples).toContain(`data-customer="${sample.customer.customer_id}"`);
    const page = abcMembers.members!;
    expect(page.page).toBe(2);
    const withMembers = renderSegmentExplorer(
      abc,
      { selected: "B", members: { loading: false, page: 2, result: page } },
      "en",
    );
    const members = element(withMembers, "table", "class", "member-list");
    expect([...members.matchAll(/<tr data-customer="([^"]+)"/g)].map((match) => match[1])).toEqual(
      page.customers.map((row) => row.customer.customer_id),
    );
    const first = page.customers[0];
    expect(dataValues(element(members, "tr", "data-customer", first.customer.customer_id))).toEqual([
      first.clv,
      first.churn_probability,
      first.value_at_risk,
      first.orders,
    ]);
    expect(textOf(members)).toContain(`All ${page.total} customers`);
    for (const by of ["rfm", "lifecycle", "abc", "value_matrix"]) expect(LISTABLE.has(by)).toBe(true);
    expect(LISTABLE.has("kmeans")).toBe(false);
  });

  it("pages with previous and next buttons, disabled at the ends and while a page loads", () => {
    const page = abcMembers.members!;
    expect(page.pages).toBeGreaterThan(2);
    const pagerOf = (members: SegmentCustomersResult["members"], loading = false) =>
      element(
        renderSegmentExplorer(
          abc,
          { selected: "B", members: { loading, page: members!.page, result: members! } },
          "en",
        ),
        "nav",
        "class",
        "pager",
      );
    const middle = pagerOf(page);
    expect(middle).toMatch(
      /<button type="button" data-action="page" data-direction="previous" data-page="1">/,
    );
    expect(middle).toMatch(/data-direction="next" data-page="3">/);
    expect(dataValues(middle)).toEqual([page.page, page.pages]);
    expect(textOf(middle)).toContain(`Page ${page.page} of ${page.pages}`);
    expect(pagerOf({ ...page, page: 1 })).toMatch(/data-direction="previous" data-page="0" disabled>/);
    expect(pagerOf({ ...page, page: page.pages })).toMatch(/data-direction="next" data-page="\d+" disabled>/);
    expect(pagerOf(page, true).match(/ disabled>/g)).toHaveLength(2);
    const zh = renderSegmentExplorer(
      abc,
      { selected: "B", members: { loading: false, page: 2, result: page } },
      "zh",
    );
    expect(textOf(element(zh, "nav", "class", "pager")).replace(/\s/g, "")).toContain(
      `第${page.page}页，共${page.pages}页`,
    );
  });

  it("reads in Chinese", () => {
    const html = renderSegmentExplorer(rfm, emptyExplorerState(), "zh");
    expect(html).toContain("客户细分");
    expect(html).toContain(rfm.segments[0].label.zh);
  });
});
