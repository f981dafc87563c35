import { randomUUID } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { createServer } from "./createServer.js";
import type { ServerDeps } from "./deps.js";
import { ServeConfigError } from "./errors.js";
import { createHostGuard, isLoopbackHost, isWildcardHost } from "./hostGuard.js";
import { DEFAULT_MAX_SESSIONS, DEFAULT_SESSION_IDLE_MS } from "./httpLimits.js";
import { bearerToken, resolveToken, tokenMatches, type TokenSource } from "./token.js";

export { ServeConfigError };

/** The path clients post to (`http://127.0.0.1:3333/mcp`). */
export const MCP_PATH = "/mcp";
/** Largest request body read before a session exists (the transport bounds the rest). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** A client has this long to send its request headers, and this long for the whole request. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

export interface HttpOptions {
  port: number;
  host: string;
  /** The bearer token; when absent a saved or newly generated one is used (see `resolveToken`). */
  token?: string;
  /** Replace the saved token with a new one (it is printed; the old one stops working). */
  renewToken?: boolean;
  /** False only for `--no-auth`, which is refused unless the server binds to loopback. */
  auth: boolean;
  /** Where log lines go; stderr by default (stdout is never used). */
  log?: (line: string) => void;
  sessionIdleMs?: number;
  /** Most concurrent sessions (default 100). */
  maxSessions?: number;
  /** Time for a client to send its headers, and its whole request (defaults 10 s and 30 s). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** A running HTTP server. */
export interface HttpServerHandle {
  /** The MCP endpoint, with the real port (useful when started on port 0). */
  url: string;
  host: string;
  port: number;
  /** Whether clients must send a bearer token (false only with `--no-auth`). */
  requiresToken: boolean;
  /**
   * The bearer token, when it can be shown: given, just generated, or migrated from plain text.
   * Undefined for a saved token (only its digest is kept) and with `--no-auth`.
   */
  token: string | undefined;
  tokenSource: TokenSource | undefined;
  /** Open MCP sessions. */
  sessionCount(): number;
  /** Closes every session, then the listener. The store stays open: its owner closes it. */
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  lastSeen: number;
  openRequests: number;
}

function stderrLog(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Writes a JSON-RPC-style error body, as the SDK's transport does for its own HTTP errors. */
function sendError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}

class BodyTooLargeError extends Error {}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

/** How a URL names the host: IPv6 literals in brackets; wildcards replaced by loopback. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (isWildcardHost(host)) return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

function checkOptions(options: HttpOptions): void {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
    throw new ServeConfigError(`--port ${options.port}: use a whole number from 0 to 65535`);
  if (
    options.maxSessions !== undefined &&
    !(Number.isInteger(options.maxSessions) && options.maxSessions >= 1)
  )
    throw new ServeConfigError(`--max-sessions ${options.maxSessions}: use a whole number of at least 1`);
  if (options.sessionIdleMs !== undefined && !(options.sessionIdleMs >= 1000))
    throw new ServeConfigError("--session-idle-minutes: sessions must be allowed to idle at least a second");
  if (!options.auth && !isLoopbackHost(options.host)) {
    throw new ServeConfigError(
      `--no-auth is refused on ${options.host}: without a token anyone who can reach that address could read your customer data. ` +
        "Bind to 127.0.0.1 (the default) to go without a token, or drop --no-auth and give clients the token.",
    );
  }
}

/**
 * Starts the Streamable HTTP transport at `/mcp`. Each client gets its own session (its
 * `mcp-session-id`) with its own McpServer from `createServer`, all sharing `deps.store`.
 * Requests are checked in this order: Host and Origin (403), path (404), bearer token (401),
 * session (400/404).
 */
export async function startHttpServer(deps: ServerDeps, options: HttpOptions): Promise<HttpServerHandle> {
  checkOptions(options);
  const log = options.log ?? stderrLog;
  const resolved = options.auth
    ? await resolveToken(deps.store, options.token, { renew: options.renewToken })
    : undefined;
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const sessions = new Map<string, Session>();
  let guard = createHostGuard(options.host, options.port);
  let closing = false;

  /** A session's dependencies: the audit log names the HTTP client once it has introduced itself. */
  function sessionDeps(server: () => McpServer | undefined): ServerDeps {
    return {
      ...deps,
      get actor() {
        const client = server()?.server.getClientVersion();
        return client ? `${deps.actor} via ${client.name}` : deps.actor;
      },
    };
  }

  async function openSession(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    let server: McpServer | undefined;
    const session: Session = {
      transport: new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, session);
        },
      }),
      server: (server = createServer(sessionDeps(() => server))),
      lastSeen: Date.now(),
      openRequests: 0,
    };
    // Set before connect: the SDK chains its own close handler after this one.
    session.transport.onclose = () => {
      const id = session.transport.sessionId;
      if (id && sessions.delete(id)) log(`session ${id} closed`);
    };
    await session.server.connect(session.transport);
    await session.transport.handleRequest(req, res, body);
    const id = session.transport.sessionId;
    if (id !== undefined && sessions.has(id)) {
      const client = session.server.server.getClientVersion();
      log(`session ${id} opened${client ? ` by ${client.name} ${client.version}` : ""}`);
    } else {
      // A rejected initialize never becomes a session; release its server.
      await session.server.close();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = guard.check(req.headers.host, req.headers.origin);
    if (refusal) return sendError(res, 403, -32000, refusal);

    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== MCP_PATH) return sendError(res, 404, -32000, `Not Found: the MCP endpoint is ${MCP_PATH}`);

    if (resolved !== undefined) {
      const presented = bearerToken(req.headers.authorization);
      if (presented === undefined || !tokenMatches(presented, resolved.digest)) {
        const challenge =
          presented === undefined
            ? 'Bearer realm="crm-assistant"'
            : 'Bearer realm="crm-assistant", error="invalid_token"';
        return sendError(
          res,
          401,
          -32001,
          presented === undefined
            ? "Unauthorized: send the server's token as Authorization: Bearer <token>"
            : "Unauthorized: the bearer token is wrong; use the token the server printed at start (or its --token / CRM_TOKEN)",
          { "WWW-Authenticate": challenge },
        );
      }
    }

    if (req.method !== "GET" && req.method !== "POST" && req.method !== "DELETE")
      return sendError(res, 405, -32000, "Method Not Allowed", { Allow: "GET, POST, DELETE" });
    if (closing) return sendError(res, 503, -32000, "Service Unavailable: the server is shutting down");

    const sessionHeader = req.headers["mcp-session-id"];
    if (Array.isArray(sessionHeader))
      return sendError(res, 400, -32000, "Bad Request: send one mcp-session-id header");
    if (sessionHeader !== undefined) {
      const session = sessions.get(sessionHeader);
      if (!session)
        return sendError(
          res,
          404,
          -32001,
          "Session not found: it ended or the server restarted; initialize again",
        );
      session.lastSeen = Date.now();
      session.openRequests++;
      res.once("close", () => {
        session.openRequests--;
        session.lastSeen = Date.now();
      });
      return session.transport.handleRequest(req, res);
    }

    if (req.method !== "POST")
      return sendError(res, 400, -32000, "Bad Request: no mcp-session-id header; POST initialize first");
    let body: unknown;
    try {
      body = await readJsonBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return sendError(
          res,
          413,
          -32000,
          `Payload Too Large: requests are limited to ${MAX_BODY_BYTES} bytes`,
        );
      return sendError(res, 400, -32700, "Parse error: Invalid JSON");
    }
    const initialize = Array.isArray(body) ? body.some(isInitializeRequest) : isInitializeRequest(body);
    if (!initialize)
      return sendError(res, 400, -32000, "Bad Request: no mcp-session-id header; send initialize first");
    if (sessions.size >= maxSessions && !closeLongestIdle())
      return sendError(
        res,
        503,
        -32000,
        `Service Unavailable: all ${maxSessions} sessions are busy; try again shortly (the limit is --max-sessions)`,
        { "Retry-After": "5" },
      );
    return openSession(req, res, body);
  }

  /** Makes room for a new session by closing the one idle longest; false when every one is busy. */
  function closeLongestIdle(): boolean {
    let oldest: [string, Session] | undefined;
    for (const entry of sessions) {
      if (entry[1].openRequests === 0 && (!oldest || entry[1].lastSeen < oldest[1].lastSeen)) oldest = entry;
    }
    if (!oldest) return false;
    const [id, session] = oldest;
    sessions.delete(id);
    log(`session ${id} closed to make room (${maxSessions} sessions open)`);
    session.server.close().catch(() => undefined);
    return true;
  }

  const httpServer = createHttpServer(
    // Slow clients (headers or a body trickled byte by byte) cannot hold connections for long.
    {
      headersTimeout: options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS,
      requestTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      // How often Node looks for connections past those timeouts (its default is 30 s).
      connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS),
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        log(`HTTP request failed: ${error instanceof Error ? error.message : String(error)}`);
        sendError(res, 500, -32603, "Internal error");
      });
    },
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE")
        reject(
          new ServeConfigError(
            `port ${options.port} on ${options.host} is in use; choose another with --port`,
          ),
        );
      else if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND")
        reject(new ServeConfigError(`cannot bind to ${options.host}: no such address on this machine`));
      else reject(error);
    });
    httpServer.listen(options.port, options.host, () => resolve());
  });
  httpServer.on("error", (error) => log(`HTTP server error: ${error.message}`));
  const port = (httpServer.address() as AddressInfo).port;
  guard = createHostGuard(options.host, port);

  if (!isLoopbackHost(options.host)) {
    log(
      `warning: listening on ${options.host}, not loopback: anyone who can reach this machine on port ${port} and has the token can read your customer data. ` +
        "Use the default --host 127.0.0.1 unless other machines must connect.",
    );
  }

  const idleMs = options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS;
  const sweeper = setInterval(
    () => {
      const cutoff = Date.now() - idleMs;
      for (const [id, session] of sessions) {
        if (session.openRequests === 0 && session.lastSeen < cutoff) {
          log(`session ${id} idle; closing it`);
          session.server.close().catch(() => undefined);
        }
      }
    },
    Math.min(idleMs, 60_000),
  );
  sweeper.unref();

  return {
    url: `http://${urlHost(options.host)}:${port}${MCP_PATH}`,
    host: options.host,
    port,
    requiresToken: resolved !== undefined,
    token: resolved?.token,
    tokenSource: resolved?.source,
    sessionCount: () => sessions.size,
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(sweeper);
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await Promise.allSettled([...sessions.values()].map((session) => session.server.close()));
      sessions.clear();
      // Open SSE streams would keep close() waiting forever.
      httpServer.closeAllConnections();
      await stopped;
    },
  };
}

/** What to tell the user about the token at start. */
export function tokenLines(handle: HttpServerHandle, storePath: string): string[] {
  if (!handle.requiresToken) return ["no token required (--no-auth); only this machine can connect"];
  if (handle.token === undefined) {
    return [
      `token: the one printed when it was made (only its hash is kept in ${storePath}, so it cannot be shown again); clients configured with it keep working`,
      "lost it? restart with --new-token to make and print a new one (the old one stops working), or set --token / CRM_TOKEN",
    ];
  }
  const where = {
    option: "from --token / CRM_TOKEN",
    saved: `saved in ${storePath}; only its hash is kept from now on, so copy it now`,
    generated: `generated; only its hash is saved in ${storePath}, so copy it now: it is not shown again`,
  }[handle.tokenSource!];
  return [
    `token: ${handle.token} (${where})`,
    `clients send the header  Authorization: Bearer ${handle.token}`,
  ];
}

/**
 * Listens for SIGINT and SIGTERM from now on: `received` resolves at the first one, and a second
 * one exits at once (for a shutdown that hangs).
 */
function listenForShutdown(): { received: Promise<NodeJS.Signals>; stop(): void } {
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const stop = () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  const received = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (signal) => {
      stop();
      process.once("SIGINT", () => process.exit(130));
      process.once("SIGTERM", () => process.exit(143));
      resolve(signal);
    };
  });
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return { received, stop };
}

/**
 * Serves MCP over Streamable HTTP until SIGINT or SIGTERM, then closes every session and the
 * listener. Prints the URL and token to stderr. The caller closes the store.
 */
export async function serveHttp(
  deps: ServerDeps,
  options: HttpOptions & { onReady?: (handle: HttpServerHandle) => void },
): Promise<void> {
  const log = options.log ?? stderrLog;
  // Listen before anything is printed: a client may signal as soon as it sees the URL.
  const shutdown = listenForShutdown();
  let handle: HttpServerHandle;
  try {
    handle = await startHttpServer(deps, options);
  } catch (error) {
    shutdown.stop();
    throw error;
  }
  log(
    `crm-assistant MCP server on ${handle.url} (Streamable HTTP); store ${deps.store.path}; writes ${deps.allowWrites ? "enabled" : "disabled"}`,
  );
  for (const line of tokenLines(handle, deps.store.path)) log(line);
  options.onReady?.(handle);
  const signal = await shutdown.received;
  log(`${signal}: closing ${handle.sessionCount()} session(s) and stopping`);
  await handle.close();
}
