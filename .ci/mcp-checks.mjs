// Independent protocol checks from shared/guides/mcp-checks.md: the MCP Inspector CLI over stdio
// against the built server (asserting values), and the conformance suite's generic scenarios
// over Streamable HTTP. Both tools are pinned: they change often.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const INSPECTOR = "@modelcontextprotocol/inspector@2.12.0";
const CONFORMANCE = "@modelcontextprotocol/conformance@0.1.16";
const SCENARIOS = [
  "server-initialize",
  "ping",
  "tools-list",
  "resources-list",
  "prompts-list",
  "dns-rebinding-protection",
];
const AS_OF = "2026-06-30";

const folder = mkdtempSync(join(tmpdir(), "crm-mcp-checks-"));
const db = join(folder, "crm.db");
let failures = 0;

function check(ok, message) {
  console.log(`${ok ? "ok  " : "FAIL"} ${message}`);
  if (!ok) failures++;
}

function inspector(args) {
  const result = spawnSync(
    "npx",
    [
      "-y",
      INSPECTOR,
      "--cli",
      process.execPath,
      "dist/server.js",
      "--db",
      db,
      "--format",
      "json",
      "-q",
      ...args,
    ],
    { encoding: "utf8", timeout: 120_000 },
  );
  let json = null;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    // left null: the caller checks the exit code
  }
  return { code: result.status, json, stdout: result.stdout, stderr: result.stderr };
}

function callTool(name, args) {
  return inspector(["--method", "tools/call", "--tool-name", name, "--tool-args-json", JSON.stringify(args)]);
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitForHttp(url) {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await fetch(url, { method: "GET" });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`the server at ${url} did not start`);
}

try {
  execFileSync(
    process.execPath,
    ["dist/cli.js", "--db", db, "demo", "--customers", "300", "--as-of", AS_OF],
    { stdio: "inherit" },
  );

  // Inspector over stdio.
  const list = inspector(["--method", "tools/list"]);
  check(list.code === 0, `inspector tools/list exits 0 (got ${list.code})`);
  const tools = list.json?.result?.tools ?? list.json?.tools ?? [];
  check(tools.length >= 10, `${tools.length} tools listed`);
  for (const tool of tools) check(Boolean(tool.outputSchema), `${tool.name} has an outputSchema`);
  // MCP Apps (issue 13): the tools drawn as views name their ui:// resource.
  const views = {
    find_at_risk_customers: "at-risk-board",
    get_customer: "customer-card",
    segment_customers: "segment-explorer",
    portfolio_overview: "cohorts-kpis",
    kpi_report: "cohorts-kpis",
    server_status: "backtest",
  };
  for (const [name, view] of Object.entries(views)) {
    const tool = tools.find((candidate) => candidate.name === name);
    check(tool?._meta?.ui?.resourceUri === `ui://crm/${view}.html`, `${name} links to ui://crm/${view}.html`);
  }

  const atRisk = callTool("find_at_risk_customers", { as_of: AS_OF, limit: 3 });
  const atRiskContent = (atRisk.json?.result ?? atRisk.json)?.structuredContent;
  check(
    atRisk.code === 0 && atRiskContent?.customers?.length === 3,
    "find_at_risk_customers returns 3 customers",
  );
  const first = atRiskContent?.customers?.[0];
  check(first && first.value_at_risk >= atRiskContent.customers[2].value_at_risk, "ranked by value at risk");
  if (first) {
    const customer = callTool("get_customer", { customer_id: first.customer.customer_id, as_of: AS_OF });
    const detail = (customer.json?.result ?? customer.json)?.structuredContent;
    check(customer.code === 0, `get_customer ${first.customer.customer_id} exits 0`);
    check(
      JSON.stringify(detail ?? {}).includes(first.customer.customer_id),
      "get_customer returns the same customer",
    );
    const clv = detail?.value?.clv;
    check(
      typeof clv === "number" && Math.abs(clv - first.clv) < 0.01,
      `get_customer reports the same CLV as find_at_risk_customers (${clv} vs ${first.clv})`,
    );
  }
  const resources = inspector(["--method", "resources/list"]);
  check(
    JSON.stringify(resources.json ?? {}).includes("crm://schema"),
    "resources/list includes crm://schema",
  );
  const listed = resources.json?.result?.resources ?? resources.json?.resources ?? [];
  check(
    Object.values(views).every((view) =>
      listed.some(
        (resource) =>
          resource.uri === `ui://crm/${view}.html` && resource.mimeType === "text/html;profile=mcp-app",
      ),
    ),
    "resources/list includes the five ui:// views as text/html;profile=mcp-app",
  );
  const board = inspector(["--method", "resources/read", "--uri", "ui://crm/at-risk-board.html"]);
  const boardContent = (board.json?.result ?? board.json)?.contents?.[0];
  check(
    board.code === 0 &&
      boardContent?.mimeType === "text/html;profile=mcp-app" &&
      /^<!doctype html>/.test(boardContent?.text ?? ""),
    "resources/read ui://crm/at-risk-board.html returns the built view",
  );
  const prompts = inspector(["--method", "prompts/list"]);
  const promptNames = (prompts.json?.result?.prompts ?? prompts.json?.prompts ?? []).map(
    (prompt) => prompt.name,
  );
  check(
    ["retention_plan", "weekly_account_review", "feedback_digest"].every((name) =>
      promptNames.includes(name),
    ),
    "the three prompts are listed",
  );
  const unknown = callTool("no_such_tool", {});
  check(unknown.code === 5, `an unknown tool exits 5 (got ${unknown.code})`);

  // Conformance suite over HTTP (loopback, no token: the suite sends none).
  const port = await freePort();
  const server = spawn(
    process.execPath,
    ["dist/server.js", "--db", db, "--http", "--port", String(port), "--no-auth"],
    {
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  try {
    const url = `http://127.0.0.1:${port}/mcp`;
    await waitForHttp(url);
    for (const scenario of SCENARIOS) {
      const result = spawnSync(
        "npx",
        [
          "-y",
          "-p",
          "node@22",
          "-p",
          CONFORMANCE,
          "conformance",
          "server",
          "--url",
          url,
          "--scenario",
          scenario,
        ],
        { encoding: "utf8", timeout: 180_000 },
      );
      check(
        result.status === 0,
        `conformance ${scenario}${result.status === 0 ? "" : `\n${result.stdout}\n${result.stderr}`}`,
      );
    }
  } finally {
    server.kill("SIGTERM");
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}

console.log(failures === 0 ? "MCP checks passed" : `${failures} MCP checks failed`);
process.exit(failures === 0 ? 0 : 1);
