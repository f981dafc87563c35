import { FIND_AT_RISK_CUSTOMERS } from "../contract/findAtRiskCustomers.js";
import { GET_CUSTOMER } from "../contract/getCustomer.js";
import { PORTFOLIO_OVERVIEW } from "../contract/portfolioOverview.js";
import { SEGMENT_CUSTOMERS } from "../contract/segmentCustomers.js";
import { SERVER_STATUS } from "../contract/serverStatus.js";

/**
 * The MCP Apps views this server offers and the tool each one is drawn from. Tools link to their
 * view with `_meta.ui.resourceUri`; hosts that render MCP Apps fetch the `ui://` resource and
 * show it next to the tool's result, others keep showing the text and `structuredContent`.
 */
export const APP_VIEWS = {
  "at-risk-board": {
    tool: FIND_AT_RISK_CUSTOMERS,
    title: "At-risk board",
    description:
      "Ranked at-risk customers with churn-probability bars, value at risk, reasons, stage and owner; opens the customer card and drafts follow-ups.",
  },
  "customer-card": {
    tool: GET_CUSTOMER,
    title: "Customer card",
    description:
      "One customer: profile, purchase timeline with the typical gap, CLV, churn probability with its reasons, feedback, open tickets and relationship indices.",
  },
  "segment-explorer": {
    tool: SEGMENT_CUSTOMERS,
    title: "Segment explorer",
    description:
      "The book's segments as a heatmap of counts and CLV share; selecting a segment lists its customers.",
  },
  "cohorts-kpis": {
    tool: PORTFOLIO_OVERVIEW,
    title: "Cohorts and KPIs",
    description:
      "Portfolio health: the health, emotion and service indices, LTV 12 months vs 5 years, first-month activation, and how the book spreads over lifecycle stages and risk levels.",
  },
  backtest: {
    tool: SERVER_STATUS,
    title: "Churn model backtest",
    description:
      "How far to trust the churn probabilities: the reliability diagram and the AUC against the baselines.",
  },
} as const;

export type AppViewName = keyof typeof APP_VIEWS;

export const APP_VIEW_NAMES = Object.keys(APP_VIEWS) as AppViewName[];

/** The `ui://` resource a view is served as. */
export function viewUri(view: AppViewName): string {
  return `ui://crm/${view}.html`;
}

/** The `_meta` a tool carries to be drawn by `view` (pass to `registerAppTool`). */
export function appToolMeta(view: AppViewName): { ui: { resourceUri: string } } {
  return { ui: { resourceUri: viewUri(view) } };
}
