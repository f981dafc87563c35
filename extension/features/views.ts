import * as vscode from "vscode";
import {
  FIND_AT_RISK_CUSTOMERS,
  type FindAtRiskCustomersResult,
} from "../../mcp-server/contract/findAtRiskCustomers.js";
import {
  PORTFOLIO_OVERVIEW,
  type PortfolioOverviewResult,
} from "../../mcp-server/contract/portfolioOverview.js";
import { LIST_TASKS, type ListTasksResult } from "../../mcp-server/contract/listTasks.js";
import {
  SEGMENT_CUSTOMERS,
  type SegmentCustomersResult,
} from "../../mcp-server/contract/segmentCustomers.js";
import {
  SUMMARISE_FEEDBACK,
  type SummariseFeedbackResult,
} from "../../mcp-server/contract/summariseFeedback.js";
import { OPEN_CUSTOMER_COMMAND } from "../render/markdown.js";
import {
  atRiskNodes,
  CUSTOMER_CONTEXT,
  feedbackNodes,
  kpiNodes,
  segmentNodes,
  todayNodes,
  type TreeNode,
} from "../render/treeModels.js";
import type { CrmServices } from "../services.js";

/** A tree of plain `TreeNode`s loaded from one tool call; reloads when the data changes. */
class ToolTree implements vscode.TreeDataProvider<TreeNode> {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private nodes: Promise<TreeNode[]> | undefined;

  constructor(
    private readonly services: CrmServices,
    private readonly what: string,
    private readonly load: () => Promise<TreeNode[]>,
  ) {}

  refresh(): void {
    this.nodes = undefined;
    this.changed.fire(undefined);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const item = new vscode.TreeItem(
      node.label,
      node.children && node.children.length > 0
        ? node.expanded
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed
        : vscode.TreeItemCollapsibleState.None,
    );
    item.id = node.id;
    item.description = node.description;
    if (node.tooltip) item.tooltip = new vscode.MarkdownString(node.tooltip);
    if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon);
    if (node.customerId) {
      item.contextValue = CUSTOMER_CONTEXT;
      item.command = { command: OPEN_CUSTOMER_COMMAND, title: "Open customer", arguments: [node.customerId] };
    }
    return item;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (node) return node.children ?? [];
    this.nodes ??= this.load();
    try {
      return await this.nodes;
    } catch (error) {
      this.nodes = undefined;
      void this.services.showError(`could not load ${this.what}`, error);
      return [];
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The CRM activity-bar views: at-risk customers, segments, KPIs, recent feedback, and the refresh command. */
export function registerViews(services: CrmServices): void {
  const trees = [
    {
      // The account manager's tasks (crm.accountManager; empty: everyone's) due today.
      id: "crm.today",
      tree: new ToolTree(services, "today's tasks", async () => {
        const owner = vscode.workspace.getConfiguration("crm").get<string>("accountManager", "").trim();
        return todayNodes(
          await services.client.call<ListTasksResult>(LIST_TASKS, {
            due: "today",
            limit: 100,
            ...(owner ? { owner } : {}),
          }),
        );
      }),
    },
    {
      id: "crm.atRisk",
      tree: new ToolTree(services, "the at-risk customers", async () =>
        atRiskNodes(
          await services.client.call<FindAtRiskCustomersResult>(FIND_AT_RISK_CUSTOMERS, { limit: 25 }),
        ),
      ),
    },
    {
      id: "crm.segments",
      tree: new ToolTree(services, "the segments", async () =>
        segmentNodes(
          await services.client.call<SegmentCustomersResult>(SEGMENT_CUSTOMERS, {
            by: "rfm",
            samples_per_segment: 5,
          }),
        ),
      ),
    },
    {
      id: "crm.kpis",
      tree: new ToolTree(services, "the KPIs", async () =>
        kpiNodes((await services.client.call<PortfolioOverviewResult>(PORTFOLIO_OVERVIEW, {})).kpi),
      ),
    },
    {
      id: "crm.feedback",
      tree: new ToolTree(services, "the recent feedback", async () =>
        feedbackNodes(await services.client.call<SummariseFeedbackResult>(SUMMARISE_FEEDBACK, {})),
      ),
    },
  ];
  const refreshAll = () => trees.forEach(({ tree }) => tree.refresh());
  for (const { id, tree } of trees) {
    services.context.subscriptions.push(
      tree,
      vscode.window.createTreeView(id, { treeDataProvider: tree, showCollapseAll: id !== "crm.atRisk" }),
    );
  }
  services.context.subscriptions.push(
    vscode.commands.registerCommand("crm.refresh", refreshAll),
    services.onDidChangeData(refreshAll),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("crm.accountManager"))
        trees.find(({ id }) => id === "crm.today")?.tree.refresh();
    }),
  );
}
