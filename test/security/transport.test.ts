import { spawn } from "node:child_process";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveAsOf } from "../../mcp-server/asOf.js";
import { resolvePeriod } from "../../mcp-server/prompts/feedbackDigest.js";
import type { ServerDeps } from "../../mcp-server/server/deps.js";
import { startHttpServer, type HttpServerHandle } from "../../mcp-server/server/http.js";
import { MessageSizeGuard } from "../../mcp-server/server/stdioLimit.js";
import { encodeCursor, page } from "../../mcp-server/tools/support.js";
import { ensureBuilt, REPO_ROOT } from "../helpers/cli.js";
import { createMcpHarness, DEMO_AS_OF, TEST_NOW, textOf, type McpHarness } from "../helpers/mcpClient.js";
import { Store } from "../../mcp-server/store/store.js";
import { createTempDir, type TempDir } from "../helpers/tempFiles.js";
import { INITIALIZE, rawPost } from "../helpers/rawHttp.js";

describe("stdio messages over the size limit", () => {
  beforeAll(() => ensureBuilt());

  it("answers a 10 MB request with an error and keeps serving the next ones", async () => {
    const harness = await createMcpHarness();
    await harness.close();
    const child = spawn(process.execPath, [`${REPO_ROOT}/dist/server.js`, "--db", harness.path], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
    send(INITIALIZE);
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "search_customers", arguments: { text: "x".repeat(10 * 1024 * 1024) } },
    });
    send({ jsonrpc: "2.0", id: 3, method: "ping" });
    const lines = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
      const timer = setInterval(() => {
        const parsed = stdout
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        if (parsed.some((line) => line.id === 3)) {
          clearInterval(timer);
          resolve(parsed);
        }
      }, 50);
      setTimeout(() => {
        clearInterval(timer);
        reject(new Error(`no answer to the ping; stderr: ${stderr}`));
      }, 20_000);
    });
    child.kill();
    const tooLarge = lines.find((line) => line.id === 2) as { error: { code: number; message: string } };
    expect(tooLarge.error.code).toBe(-32600);
    expect(tooLarge.error.message).toMatch(/stdio messages are limited to 4,194,304 bytes/);
    expect(lines.find((line) => line.id === 3)).toMatchObject({ result: {} });
    expect(stderr).toMatch(/message of 10,485,\d+ bytes dropped/);
  });

  it("passes messages under the limit through whole, however the chunks fall", async () => {
    const dropped: (string | number | null)[] = [];
    const guard = new MessageSizeGuard(64, (id) => dropped.push(id));
    const out: Buffer[] = [];
    guard.on("data", (chunk: Buffer) => out.push(chunk));
    const small = '{"id":7,"method":"ping"}\n';
    const big = `{"jsonrpc":"2.0","id":"req-9","params":"${"y".repeat(200)}"}\n`;
    const input = Buffer.from(small + big + small);
    for (let i = 0; i < input.length; i += 13) guard.write(input.subarray(i, i + 13));
    guard.end();
    await new Promise((resolve) => guard.on("end", resolve));
    expect(Buffer.concat(out).toString()).toBe(small + small);
    expect(dropped).toEqual(["req-9"]);
  });
});

describe("HTTP limits", () => {
  let dir: TempDir;
  let store: Store;
  let handle: HttpServerHandle;
  const logs: string[] = [];

  beforeAll(async () => {
    dir = createTempDir("crm-sec-http-");
    store = await Store.open(dir.join("crm.db"));
    const deps: ServerDeps = { store, allowWrites: false, redact: false, actor: "test", now: () => TEST_NOW };
    handle = await startHttpServer(deps, {
      host: "127.0.0.1",
      port: 0,
      auth: true,
      maxSessions: 5,
      headersTimeoutMs: 1000,
      requestTimeoutMs: 2000,
      log: (line) => logs.push(line),
    });
  });
  afterAll(async () => {
    await handle?.close();
    await store?.close();
    dir?.remove();
  });

  it("caps open sessions: a new client closes the longest-idle session instead of growing without bound", async () => {
    const auth = { Authorization: `Bearer ${handle.token}` };
    for (let i = 0; i < 12; i++) expect((await rawPost(handle.url, auth)).status).toBe(200);
    expect(handle.sessionCount()).toBe(5);
    expect(logs.filter((line) => /closed to make room \(5 sessions open\)/.test(line))).toHaveLength(7);
  });

  it("drops a client that trickles its headers past the header timeout", async () => {
    const socket = connect(handle.port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${handle.port}\r\n`);
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (chunk) => (text += chunk));
      socket.on("close", () => resolve(text));
      const keepTrickling = setInterval(() => socket.writable && socket.write("X-Slow: 1\r\n"), 200);
      socket.once("close", () => clearInterval(keepTrickling));
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it("refuses a page from another local port", async () => {
    const response = await rawPost(handle.url, {
      Authorization: `Bearer ${handle.token}`,
      Origin: "http://localhost:9999",
    });
    expect(response.status).toBe(403);
  });
});

describe("inputs at the edges", () => {
  let harness: McpHarness;
  beforeAll(async () => {
    harness = await createMcpHarness();
  });
  afterAll(() => harness.close());

  it("refuses a forged cursor with a huge offset as a cursor error, not a database error", async () => {
    const filters = { as_of: DEMO_AS_OF };
    for (const offset of [1e20, 2 ** 53, 1e10]) {
      // A cursor with the right fingerprint and a forged offset.
      const forged = encodeCursor(offset, filters);
      expect(() => page(20, forged, filters)).toThrow(/cursor does not belong to this query/);
      const result = await harness.call("find_at_risk_customers", { as_of: DEMO_AS_OF, cursor: forged });
      expect(result.isError).toBe(true);
      expect(textOf(result)).not.toMatch(/SQLITE/);
    }
  });

  it("refuses as-of dates outside 1900-2100, and year 0 is not read as 1900", async () => {
    expect(() => resolveAsOf("0000-01-01")).toThrow(/outside 1900-01-01 to 2100-12-31/);
    expect(() => resolveAsOf("2101-01-01")).toThrow(/outside 1900-01-01 to 2100-12-31/);
    expect(resolveAsOf("1900-01-01").toISOString()).toBe("1900-01-01T23:59:59.000Z");
    const result = await harness.call("get_customer", { customer_id: "C00001", as_of: "0000-01-01" });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/outside 1900-01-01 to 2100-12-31/);
  });

  it("refuses a feedback digest over zero days instead of an inverted range", () => {
    expect(() => resolvePeriod("0d", TEST_NOW)).toThrow(/at least one day/);
    expect(resolvePeriod("1d", TEST_NOW).from).toBe(resolvePeriod("1d", TEST_NOW).to);
  });
});
