import { describe, expect, it } from "vitest";
import { KPI_FORMULAS } from "../../core/kpi.js";
import { kpiSummaryOutput, type KpiSummary } from "../../mcp-server/contract/kpi.js";
import { kpiNodes, type TreeNode } from "../../extension/render/treeModels.js";

/** A KPI block as portfolio_overview returns it (checked against the contract). */
function summary(overrides: Partial<KpiSummary> = {}): KpiSummary {
  return kpiSummaryOutput.parse({
    as_of: "2026-03-31",
    owner: "Li Wei",
    period: { from: "2025-04", to: "2026-03" },
    chi: {
      index: 61.24,
      customers: 1234,
      components: { frequency: 48.2, value: 51.7, retention: 77.6 },
      bands: { healthy: 400, watch: 600, at_risk: 234 },
      score_set_as_of: "2026-03-31",
    },
    service: {
      tickets: 320,
      responded: 300,
      resolved: 280,
      first_response_hours: { median: 5.25, p90: 30.5 },
      resolution_rate: 0.875,
      resolution_hours_median: 40,
      sla: { first_response_hours: 24, resolution_hours: 72 },
      breaching: { first_response: 35, resolution: 20, any: 41 },
      note: null,
    },
    emotion: {
      index: 58.4,
      nps: 12,
      nps_responses: 250,
      promoters: 90,
      detractors: 60,
      reviews: 80,
      positive_reviews: 50,
      negative_reviews: 20,
      review_balance: 0.375,
    },
    ltv: {
      customers: 1300,
      twelve_months: 250000,
      five_years: 760000,
      five_year_multiple: 3.04,
      annual_discount_rate: 0.1,
      note: null,
    },
    activation: { window_days: 30, new_customers: 210, eligible: 190, activated: 57, rate: 0.3 },
    formulas: { ...KPI_FORMULAS },
    ...overrides,
  });
}

function find(nodes: readonly TreeNode[], id: string): TreeNode {
  for (const node of nodes) {
    if (node.id === id) return node;
    const inner = node.children ? findOrUndefined(node.children, id) : undefined;
    if (inner) return inner;
  }
  throw new Error(`no node ${id}`);
}

function findOrUndefined(nodes: readonly TreeNode[], id: string): TreeNode | undefined {
  try {
    return find(nodes, id);
  } catch {
    return undefined;
  }
}

describe("the KPIs tree", () => {
  it("shows one expanded KPIs node with the four indices and activation", () => {
    const nodes = kpiNodes(summary());
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ id: "kpi", label: "KPIs", expanded: true });
    expect(nodes[0].description).toBe("Li Wei · 2025-04 to 2026-03");
    expect(nodes[0].children!.map((node) => node.label)).toEqual([
      "Customer health (CHI)",
      "Service efficiency (SE)",
      "Emotion (EI)",
      "Lifetime value (LTV)",
      "Activation (30 days)",
    ]);
  });

  it("puts each index's figures in its line and children, and its formula in the tooltip", () => {
    const nodes = kpiNodes(summary());
    expect(find(nodes, "kpi/chi").description).toBe("61 / 100 · 1,234 customers");
    expect(find(nodes, "kpi/chi/retention").description).toBe("78");
    expect(find(nodes, "kpi/chi/bands").description).toBe("400 · 600 · 234");
    expect(find(nodes, "kpi/chi").tooltip).toContain("mid-rank percentile");
    expect(find(nodes, "kpi/se").description).toBe("first response 5.3 h · 88% resolved");
    expect(find(nodes, "kpi/se/response").description).toBe("5.3 h · 30.5 h");
    expect(find(nodes, "kpi/se/breaching")).toMatchObject({
      label: "Breaching the SLA (24 h / 72 h)",
      description: "41",
    });
    expect(find(nodes, "kpi/ei").description).toBe("58 / 100");
    expect(find(nodes, "kpi/ei/nps").description).toBe("+12 from 250 answers");
    expect(find(nodes, "kpi/ltv").description).toBe("250,000.00 12m · 760,000.00 5y");
    expect(find(nodes, "kpi/activation").description).toBe("30% of 190 new customers");
  });

  it("says what is missing instead of showing zeros", () => {
    const nodes = kpiNodes(
      summary({
        owner: null,
        service: {
          tickets: 0,
          responded: 0,
          resolved: 0,
          first_response_hours: { median: null, p90: null },
          resolution_rate: null,
          resolution_hours_median: null,
          sla: { first_response_hours: 24, resolution_hours: 72 },
          breaching: { first_response: 0, resolution: 0, any: 0 },
          note: "no service tickets were opened in this period",
        },
        ltv: {
          customers: 10,
          twelve_months: null,
          five_years: null,
          five_year_multiple: null,
          annual_discount_rate: 0.1,
          note: "the models could not be fitted",
        },
      }),
    );
    expect(nodes[0].description).toMatch(/^whole book/);
    expect(find(nodes, "kpi/se")).toMatchObject({ description: "no tickets", children: [] });
    expect(find(nodes, "kpi/se").tooltip).toContain("no service tickets");
    expect(find(nodes, "kpi/ltv").description).toBe("not available");
  });

  it("gives every node a unique id and links no customer", () => {
    const all: TreeNode[] = [];
    const walk = (nodes: readonly TreeNode[]) =>
      nodes.forEach((node) => {
        all.push(node);
        walk(node.children ?? []);
      });
    walk(kpiNodes(summary()));
    expect(all.every((node) => node.customerId === undefined)).toBe(true);
    expect(new Set(all.map((node) => node.id)).size).toBe(all.length);
  });
});
