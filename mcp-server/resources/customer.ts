import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ServerDeps } from "../server/deps.js";
import { redactText, redactValue } from "../context/redact.js";
import { customerMarkdown, getCustomer } from "../tools/getCustomer.js";

/** Customers offered in resources/list; the template reads any customer by id. */
const LISTED = 50;

export function registerCustomerResource(server: McpServer, deps: ServerDeps): void {
  server.registerResource(
    "customer",
    new ResourceTemplate("crm://customers/{id}", {
      // List the most valuable customers rather than the whole book: clients show this list.
      list: async () => {
        const rows = await deps.store.db.all<{
          external_id: string;
          name: string | null;
          company: string | null;
        }>(
          `SELECT c.external_id, c.name, c.company FROM customers c
           LEFT JOIN (SELECT customer_id, SUM(amount) AS revenue FROM transactions GROUP BY customer_id) t ON t.customer_id = c.id
           ORDER BY COALESCE(t.revenue, 0) DESC, c.id LIMIT ?`,
          [LISTED],
        );
        return {
          resources: rows.map((row) => {
            const name = row.name || row.company || `Customer ${row.external_id}`;
            return {
              uri: `crm://customers/${encodeURIComponent(row.external_id)}`,
              name: deps.redact ? redactText(name) : name,
              mimeType: "text/markdown",
            };
          }),
        };
      },
    }),
    {
      title: "Customer profile",
      description: "A customer's profile, scores, lifecycle stage and recent history, as markdown and JSON.",
      mimeType: "text/markdown",
    },
    async (uri, variables) => {
      const id = decodeURIComponent(String(variables.id));
      const result = await getCustomer(deps, { customer_id: id });
      const markdown = customerMarkdown(result);
      return {
        contents: [
          { uri: uri.href, mimeType: "text/markdown", text: deps.redact ? redactText(markdown) : markdown },
          {
            uri: uri.href,
            mimeType: "application/json",
            text: JSON.stringify(deps.redact ? redactValue(result) : result, null, 2),
          },
        ],
      };
    },
  );
}
