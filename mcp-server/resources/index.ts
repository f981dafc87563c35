import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ServerDeps } from "../server/deps.js";
import { registerAtRiskReport } from "./atRiskReport.js";
import { registerCustomerResource } from "./customer.js";
import { registerSchemaResource } from "./schema.js";

export function registerResources(server: McpServer, deps: ServerDeps): void {
  registerCustomerResource(server, deps);
  registerSchemaResource(server, deps);
  registerAtRiskReport(server, deps);
}
