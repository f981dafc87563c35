/**
 * The transport limits under load (issue 11's targets): 10,000 idle HTTP sessions, 300 slow
 * clients trickling their headers, and a 10 MB stdio message, against the built server on a demo
 * store. Reports whether the server stayed up, the p95 of normal requests while under load, and
 * the server's peak RSS (read from /proc).
 *
 *   npm run build && npx tsx bench/security.ts [--sessions 10000] [--slow 300]
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const TOKEN = "bench-token-0123456789";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } },
});

async function post(
  url: string,
  body: string,
  session?: string,
): Promise<{ status: number; session: string | null }> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      Authorization: `Bearer ${TOKEN}`,
      ...(session ? { "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" } : {}),
    },
    body,
  });
  await response.text();
  return { status: response.status, session: response.headers.get("mcp-session-id") };
}

/** One normal request: a new session, then a tool call on it; returns milliseconds. */
async function normalRequest(url: string): Promise<number> {
  const started = performance.now();
  const { session } = await post(url, INITIALIZE);
  await post(url, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), session!);
  const call = await post(
    url,
    JSON.stringify({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "server_status", arguments: {} },
    }),
    session!,
  );
  if (call.status !== 200) throw new Error(`server_status answered ${call.status}`);
  return performance.now() - started;
}

function startServer(db: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(ROOT, "dist/server.js"), "--db", db, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  return new Promise((resolveStart, reject) => {
    let stderr = "";
    child.stderr!.on("data", (chunk) => {
      stderr += chunk;
      const match = /on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr);
      if (match) resolveStart({ child, url: match[1] });
    });
    child.on("exit", (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
}

async function main(): Promise<void> {
  const sessions = option("--sessions", 10_000);
  const slow = option("--slow", 300);
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-security-"));
  const db = join(dir, "crm.db");
  try {
    spawnSync(process.execPath, [join(ROOT, "dist/cli.js"), "--db", db, "demo", "--customers", "2000"], {
      stdio: "ignore",
    });
    const { child, url } = await startServer(db, ["--http", "--port", "0", "--token", TOKEN]);
    const pid = child.pid!;
    let peak = rssMb(pid);
    const sample = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100);

    const baseline: number[] = [];
    for (let i = 0; i < 50; i++) baseline.push(await normalRequest(url));

    // 1. Idle sessions: initialize and never come back.
    const opened = performance.now();
    let refused = 0;
    for (let i = 0; i < sessions; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, sessions - i) }, () => post(url, INITIALIZE)),
      );
      refused += batch.filter((response) => response.status !== 200).length;
    }
    const openSeconds = (performance.now() - opened) / 1000;
    const afterSessions: number[] = [];
    for (let i = 0; i < 100; i++) afterSessions.push(await normalRequest(url));
    const rssAfterSessions = rssMb(pid);

    // 2. Slow clients: each sends a request line and then one header byte a second.
    const port = Number(new URL(url).port);
    const sockets: Socket[] = [];
    let slowClosed = 0;
    for (let i = 0; i < slow; i++) {
      const socket = connect(port, "127.0.0.1");
      socket.on("error", () => undefined);
      socket.on("close", () => slowClosed++);
      socket.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
      sockets.push(socket);
    }
    const trickle = setInterval(
      () => sockets.forEach((socket) => socket.writable && socket.write("X")),
      1000,
    );
    const underSlow: number[] = [];
    for (let i = 0; i < 100; i++) underSlow.push(await normalRequest(url));
    await new Promise((done) => setTimeout(done, 12_000));
    clearInterval(trickle);
    const slowStillOpen = sockets.filter((socket) => !socket.destroyed && slowClosed < slow).length;
    sockets.forEach((socket) => socket.destroy());
    clearInterval(sample);
    const alive = child.exitCode === null;
    child.kill();

    // 3. A 10 MB message on stdio.
    const stdio = spawn(process.execPath, [join(ROOT, "dist/server.js"), "--db", db], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    stdio.stdout.on("data", (chunk) => (out += chunk));
    stdio.stdin.write(`${INITIALIZE}\n`);
    stdio.stdin.write(
      `${JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "search_customers", arguments: { text: "x".repeat(10 * 1024 * 1024) } } })}\n`,
    );
    stdio.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: 3, method: "ping" })}\n`);
    await new Promise((done) => setTimeout(done, 3000));
    const stdioAnswers = out
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id: number; error?: unknown });
    const stdioAlive = stdio.exitCode === null && stdioAnswers.some((line) => line.id === 3);
    stdio.kill();

    const p95 = (values: number[]) => percentile(values, 0.95).toFixed(1);
    console.log(`| check | figure |`);
    console.log(`|---|---|`);
    console.log(`| normal request (new session + server_status) p95, idle server | ${p95(baseline)} ms |`);
    console.log(
      `| ${sessions.toLocaleString("en-US")} idle sessions opened in | ${openSeconds.toFixed(1)} s (${refused} refused) |`,
    );
    console.log(`| normal request p95 after them | ${p95(afterSessions)} ms |`);
    console.log(`| server RSS after them | ${rssAfterSessions.toFixed(0)} MB |`);
    console.log(`| normal request p95 with ${slow} slow clients connected | ${p95(underSlow)} ms |`);
    console.log(
      `| slow clients still connected after 12 s (header timeout 10 s) | ${slowStillOpen} of ${slow} |`,
    );
    console.log(`| server peak RSS over the HTTP run | ${peak.toFixed(0)} MB |`);
    console.log(`| HTTP server up at the end | ${alive} |`);
    console.log(
      `| stdio server answered the 10 MB message with an error and kept answering | ${stdioAlive && stdioAnswers.some((line) => line.id === 2 && line.error)} |`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
