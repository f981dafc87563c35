import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FIND_AT_RISK_CUSTOMERS,
  type FindAtRiskCustomersResult,
} from "../../../mcp-server/contract/findAtRiskCustomers.js";
import { seedDemo } from "../../../mcp-server/demo/seed.js";
import type { ServerDeps } from "../../../mcp-server/server/deps.js";
import { ServeConfigError, startHttpServer, type HttpServerHandle } from "../../../mcp-server/server/http.js";
import { LEGACY_TOKEN_SETTING, TOKEN_HASH_SETTING, tokenDigest } from "../../../mcp-server/server/token.js";
import { Store } from "../../../mcp-server/store/store.js";
import { findAtRiskCustomers } from "../../../mcp-server/tools/findAtRiskCustomers.js";
import { DEMO_AS_OF, DEMO_CUSTOMERS, DEMO_SEED, TEST_NOW } from "../../helpers/mcpClient.js";
import { createTempDir, type TempDir } from "../../helpers/tempFiles.js";
import { useTempStore } from "../../helpers/tempStore.js";
import { rawPost } from "../../helpers/rawHttp.js";

function quietDeps(store: Store): ServerDeps {
  return { store, allowWrites: false, redact: false, actor: "test", now: () => TEST_NOW };
}

async function connectClient(handle: HttpServerHandle, name: string) {
  const transport = new StreamableHTTPClientTransport(new URL(handle.url), {
    requestInit: { headers: { Authorization: `Bearer ${handle.token}` } },
  });
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

async function atRisk(client: Client, args: Record<string, unknown>): Promise<FindAtRiskCustomersResult> {
  const result = (await client.callTool({ name: FIND_AT_RISK_CUSTOMERS, arguments: args })) as CallToolResult;
  expect(result.isError ?? false).toBe(false);
  return result.structuredContent as FindAtRiskCustomersResult;
}

describe("Streamable HTTP transport on a seeded demo book", () => {
  let dir: TempDir;
  let store: Store;
  let deps: ServerDeps;
  let handle: HttpServerHandle;
  const logs: string[] = [];

  beforeAll(async () => {
    dir = createTempDir("crm-http-");
    store = await Store.open(dir.join("crm.db"));
    await seedDemo(store, {
      seed: DEMO_SEED,
      customers: DEMO_CUSTOMERS,
      asOf: new Date(`${DEMO_AS_OF}T23:59:59Z`),
    });
    deps = quietDeps(store);
    handle = await startHttpServer(deps, {
      host: "127.0.0.1",
      port: 0,
      auth: true,
      log: (line) => logs.push(line),
    });
  });

  afterAll(async () => {
    await handle?.close();
    await store?.close();
    dir?.remove();
  });

  it("binds to 127.0.0.1 on the port it was given (0: a free one) and serves /mcp", () => {
    expect(handle.port).toBeGreaterThan(0);
    expect(handle.url).toBe(`http://127.0.0.1:${handle.port}/mcp`);
    expect(handle.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(handle.tokenSource).toBe("generated");
  });

  it("lets an SDK client with the token list the tools and find at-risk customers", async () => {
    const { client } = await connectClient(handle, "http-test");
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain(FIND_AT_RISK_CUSTOMERS);
      const result = await atRisk(client, { as_of: DEMO_AS_OF, limit: 5 });
      expect(result.customers).toHaveLength(5);
      expect(result.total).toBeGreaterThan(5);
      expect(result).toEqual(await findAtRiskCustomers(deps, { as_of: DEMO_AS_OF, limit: 5 }));
    } finally {
      await client.close();
    }
  });

  it("answers 401 with a JSON-RPC error and a Bearer challenge when the token is missing", async () => {
    const response = await rawPost(handle.url, {});
    expect(response.status).toBe(401);
    expect(response.headers["www-authenticate"]).toMatch(/^Bearer\b/);
    const body = JSON.parse(response.body);
    expect(body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: expect.any(Number) } });
    expect(body.error.message).toContain("Authorization: Bearer");
  });

  it("answers 401 when the token is wrong, including a prefix or a different case of the real one", async () => {
    for (const wrong of ["not-the-token", handle.token!.slice(0, 20), handle.token!.toUpperCase()]) {
      const response = await rawPost(handle.url, { Authorization: `Bearer ${wrong}` });
      expect(response.status).toBe(401);
      expect(response.headers["www-authenticate"]).toMatch(/^Bearer\b.*error="invalid_token"/);
      expect(JSON.parse(response.body).error.message).toContain("token is wrong");
    }
    const basic = await rawPost(handle.url, { Authorization: `Basic ${handle.token}` });
    expect(basic.status).toBe(401);
  });

  it("answers 403 to a page from a foreign Origin, even with the token", async () => {
    const response = await rawPost(handle.url, {
      Authorization: `Bearer ${handle.token}`,
      Origin: "http://evil.example",
    });
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({
      jsonrpc: "2.0",
      error: { message: expect.stringContaining("Origin") },
    });
    for (const origin of ["null", "http://evil.example:" + handle.port, "file://"]) {
      expect(
        (await rawPost(handle.url, { Authorization: `Bearer ${handle.token}`, Origin: origin })).status,
      ).toBe(403);
    }
  });

  it("accepts the Origin of the exact host and port it serves, and refuses other local ports", async () => {
    for (const origin of [`http://localhost:${handle.port}`, `http://127.0.0.1:${handle.port}`]) {
      const response = await rawPost(handle.url, { Authorization: `Bearer ${handle.token}`, Origin: origin });
      expect(response.status).toBe(200);
    }
    for (const origin of ["http://localhost:5173", "http://127.0.0.1:8080", "http://[::1]:3000"]) {
      const response = await rawPost(handle.url, { Authorization: `Bearer ${handle.token}`, Origin: origin });
      expect(response.status).toBe(403);
    }
  });

  it("answers 403 to a Host that is not this server (DNS rebinding), before asking for the token", async () => {
    const port = handle.port;
    for (const host of [
      `evil.example.com:${port}`,
      "evil.example.com",
      `127.0.0.1:${port + 1}`,
      `evil.example@127.0.0.1:${port}`,
      `127.0.0.1.evil.example:${port}`,
    ]) {
      const withToken = await rawPost(handle.url, { Host: host, Authorization: `Bearer ${handle.token}` });
      expect(withToken.status, host).toBe(403);
      expect(JSON.parse(withToken.body).error.message).toContain("Host");
      // The conformance suite's dns-rebinding-protection scenario sends no token.
      expect((await rawPost(handle.url, { Host: host })).status, host).toBe(403);
    }
  });

  it("accepts every loopback name for its own port in Host", async () => {
    for (const host of [`127.0.0.1:${handle.port}`, `localhost:${handle.port}`, `[::1]:${handle.port}`]) {
      const response = await rawPost(handle.url, { Host: host, Authorization: `Bearer ${handle.token}` });
      expect(response.status, host).toBe(200);
      expect(response.headers["mcp-session-id"]).toBeTruthy();
      // Without the token the Host is accepted and the token is what fails (the suite's second check).
      expect((await rawPost(handle.url, { Host: host })).status).toBe(401);
    }
  });

  it("answers 404 outside /mcp, 400 to requests before initialize and 404 to unknown sessions", async () => {
    const auth = { Authorization: `Bearer ${handle.token}` };
    expect((await rawPost(handle.url.replace("/mcp", "/other"), auth)).status).toBe(404);
    const beforeInit = await rawPost(handle.url, auth, { jsonrpc: "2.0", id: 2, method: "tools/list" });
    expect(beforeInit.status).toBe(400);
    const unknown = await rawPost(
      handle.url,
      { ...auth, "mcp-session-id": "no-such-session" },
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
    );
    expect(unknown.status).toBe(404);
    const badJson = (await rawPost(handle.url, auth, "{not json")).status;
    expect(badJson).toBe(400);
  });

  it("gives two clients at once their own sessions and their own answers", async () => {
    const owners = (
      await store.db.all<{ owner: string }>(
        "SELECT owner FROM customers WHERE owner IS NOT NULL GROUP BY owner ORDER BY COUNT(*) DESC LIMIT 2",
      )
    ).map((row) => row.owner);
    expect(owners).toHaveLength(2);
    const before = handle.sessionCount();
    const first = await connectClient(handle, "client-one");
    const second = await connectClient(handle, "client-two");
    try {
      expect(first.transport.sessionId).toBeTruthy();
      expect(second.transport.sessionId).toBeTruthy();
      expect(first.transport.sessionId).not.toBe(second.transport.sessionId);
      expect(handle.sessionCount()).toBe(before + 2);

      const askFirst = { as_of: DEMO_AS_OF, owner: owners[0], limit: 10 };
      const askSecond = { as_of: DEMO_AS_OF, owner: owners[1], sort_by: "risk", limit: 7 };
      // Several rounds in flight together, interleaved on the one shared store.
      const rounds = await Promise.all(
        [0, 1, 2].map(() => Promise.all([atRisk(first.client, askFirst), atRisk(second.client, askSecond)])),
      );
      // Cursors fingerprint the parsed input, so compare them apart from the rows.
      const withoutCursor = ({ next_cursor, ...rest }: FindAtRiskCustomersResult) => rest;
      const expectedFirst = withoutCursor(await findAtRiskCustomers(deps, askFirst));
      const expectedSecond = withoutCursor(
        await findAtRiskCustomers(deps, askSecond as Parameters<typeof findAtRiskCustomers>[1]),
      );
      expect(expectedFirst.customers.length).toBeGreaterThan(0);
      expect(expectedSecond.customers.length).toBeGreaterThan(0);
      expect(expectedFirst.customers).not.toEqual(expectedSecond.customers);
      for (const [fromFirst, fromSecond] of rounds) {
        expect(withoutCursor(fromFirst)).toEqual(expectedFirst);
        expect(withoutCursor(fromSecond)).toEqual(expectedSecond);
        expect(new Set(fromFirst.customers.map((row) => row.customer.owner))).toEqual(new Set([owners[0]]));
        expect(new Set(fromSecond.customers.map((row) => row.customer.owner))).toEqual(new Set([owners[1]]));
      }

      // DELETE ends a session on the server; the other one keeps working.
      await first.transport.terminateSession();
      expect(handle.sessionCount()).toBe(before + 1);
      expect(withoutCursor(await atRisk(second.client, askSecond))).toEqual(expectedSecond);
      expect(logs.some((line) => line.includes("opened by client-one"))).toBe(true);
      expect(logs.some((line) => /session \S+ closed/.test(line))).toBe(true);
    } finally {
      await first.client.close();
      await second.client.close();
    }
  });
});

describe("HTTP serve configuration", () => {
  it("refuses --no-auth on 0.0.0.0 (and any non-loopback address) with an actionable error", async () => {
    const { store } = await useTempStore("crm-http-");
    for (const host of ["0.0.0.0", "::", "192.168.1.20"]) {
      const started = startHttpServer(quietDeps(store), { host, port: 0, auth: false, log: () => {} });
      await expect(started).rejects.toBeInstanceOf(ServeConfigError);
      await expect(started).rejects.toThrow(/--no-auth is refused on .*Bind to 127\.0\.0\.1/);
    }
  });

  it("refuses an empty token and a port that is already in use", async () => {
    const { store } = await useTempStore("crm-http-");
    const options = { host: "127.0.0.1", port: 0, auth: true, log: () => {} };
    await expect(startHttpServer(quietDeps(store), { ...options, token: " " })).rejects.toThrow(
      /bearer token is empty/,
    );
    const first = await startHttpServer(quietDeps(store), options);
    try {
      const second = startHttpServer(quietDeps(store), { ...options, port: first.port });
      await expect(second).rejects.toBeInstanceOf(ServeConfigError);
      await expect(second).rejects.toThrow(`port ${first.port} on 127.0.0.1 is in use`);
    } finally {
      await first.close();
    }
  });

  it("serves without a token on loopback with --no-auth", async () => {
    const { store } = await useTempStore("crm-http-");
    const handle = await startHttpServer(quietDeps(store), {
      host: "127.0.0.1",
      port: 0,
      auth: false,
      log: () => {},
    });
    try {
      expect(handle.token).toBeUndefined();
      expect((await rawPost(handle.url, {})).status).toBe(200);
      expect((await rawPost(handle.url, { Host: `evil.example.com:${handle.port}` })).status).toBe(403);
    } finally {
      await handle.close();
    }
  });

  it("keeps only the generated token's hash in the store, so it works after a restart but is not shown again", async () => {
    const temp = await useTempStore("crm-http-");
    const options = { host: "127.0.0.1", port: 0, auth: true, log: () => {} };
    const first = await startHttpServer(quietDeps(temp.store), options);
    await first.close();
    expect(first.tokenSource).toBe("generated");
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await temp.store.getSetting(TOKEN_HASH_SETTING)).toBe(tokenDigest(first.token!).toString("hex"));
    const settings = await temp.store.db.all<{ value: string }>("SELECT value FROM settings");
    expect(settings.some((row) => row.value.includes(first.token!))).toBe(false);
    await temp.store.close();

    const reopened = await Store.open(temp.path);
    try {
      const second = await startHttpServer(quietDeps(reopened), options);
      try {
        expect(second.tokenSource).toBe("saved");
        expect(second.token).toBeUndefined();
        expect(second.requiresToken).toBe(true);
        expect((await rawPost(second.url, { Authorization: `Bearer ${first.token}` })).status).toBe(200);
        expect((await rawPost(second.url, {})).status).toBe(401);
      } finally {
        await second.close();
      }
      // --token / CRM_TOKEN wins over the saved token and does not replace it.
      const chosen = await startHttpServer(quietDeps(reopened), { ...options, token: "my-own-token-123" });
      try {
        expect(chosen.tokenSource).toBe("option");
        expect((await rawPost(chosen.url, { Authorization: "Bearer my-own-token-123" })).status).toBe(200);
        expect((await rawPost(chosen.url, { Authorization: `Bearer ${first.token}` })).status).toBe(401);
      } finally {
        await chosen.close();
      }
      expect(await reopened.getSetting(TOKEN_HASH_SETTING)).toBe(tokenDigest(first.token!).toString("hex"));
      // --new-token replaces it: the new one is shown once and the old one stops working.
      const renewed = await startHttpServer(quietDeps(reopened), { ...options, renewToken: true });
      try {
        expect(renewed.tokenSource).toBe("generated");
        expect(renewed.token).not.toBe(first.token);
        expect((await rawPost(renewed.url, { Authorization: `Bearer ${renewed.token}` })).status).toBe(200);
        expect((await rawPost(renewed.url, { Authorization: `Bearer ${first.token}` })).status).toBe(401);
      } finally {
        await renewed.close();
      }
    } finally {
      await reopened.close();
    }
  });

  it("moves a token saved in plain text by an older version to a hash, showing it one last time", async () => {
    const temp = await useTempStore("crm-http-");
    await temp.store.setSetting(LEGACY_TOKEN_SETTING, "old-plain-token-123");
    const handle = await startHttpServer(quietDeps(temp.store), {
      host: "127.0.0.1",
      port: 0,
      auth: true,
      log: () => {},
    });
    try {
      expect(handle).toMatchObject({ token: "old-plain-token-123", tokenSource: "saved" });
      expect(await temp.store.getSetting(LEGACY_TOKEN_SETTING)).toBeUndefined();
      expect((await rawPost(handle.url, { Authorization: "Bearer old-plain-token-123" })).status).toBe(200);
    } finally {
      await handle.close();
    }
  });

  it("warns on stderr when bound to a non-loopback address", async () => {
    const { store } = await useTempStore("crm-http-");
    const logs: string[] = [];
    const handle = await startHttpServer(quietDeps(store), {
      host: "0.0.0.0",
      port: 0,
      auth: true,
      log: (line) => logs.push(line),
    });
    try {
      expect(logs.join("\n")).toMatch(/warning: listening on 0\.0\.0\.0, not loopback/);
      expect(handle.url).toBe(`http://127.0.0.1:${handle.port}/mcp`);
      // Loopback clients still connect; foreign Host names are still refused.
      expect((await rawPost(handle.url, { Authorization: `Bearer ${handle.token}` })).status).toBe(200);
      const foreign = await rawPost(handle.url, {
        Host: `evil.example.com:${handle.port}`,
        Authorization: `Bearer ${handle.token}`,
      });
      expect(foreign.status).toBe(403);
    } finally {
      await handle.close();
    }
  });

  it("closes open sessions and the listener on close()", async () => {
    const { store } = await useTempStore("crm-http-");
    const handle = await startHttpServer(quietDeps(store), {
      host: "127.0.0.1",
      port: 0,
      auth: true,
      log: () => {},
    });
    const { client } = await connectClient(handle, "closing-test");
    expect(handle.sessionCount()).toBe(1);
    await handle.close();
    expect(handle.sessionCount()).toBe(0);
    await expect(rawPost(handle.url, {})).rejects.toThrow(/ECONNREFUSED/);
    await client.close();
  });
});
