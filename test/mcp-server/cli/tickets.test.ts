import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listTicketsOutput } from "../../../mcp-server/contract/listTickets.js";
import { resolveTicketOutput } from "../../../mcp-server/contract/resolveTicket.js";
import { respondToTicketOutput } from "../../../mcp-server/contract/respondToTicket.js";
import { ensureBuilt, runCli } from "../../helpers/cli.js";
import { createTempDir, lines, type TempDir } from "../../helpers/tempFiles.js";

let dir: TempDir;
let db: string;

const crm = (...args: string[]) => runCli(["--db", db, ...args]);

beforeAll(() => {
  ensureBuilt();
  dir = createTempDir("crm-cli-tickets-");
  db = dir.join("crm.db");
  const customers = dir.write("customers.csv", lines(["id,name,owner", "C1,Ann Lee,Tom", "C2,李雷,王芳"]));
  const tickets = dir.write(
    "tickets.csv",
    lines([
      "id,customer,kind,subject,opened_at,first_response_at,resolved_at",
      "T-1,C1,complaint,Broken lid,2026-06-01T09:00:00Z,,",
      "T-2,C2,question,发票,2026-06-02T09:00:00Z,2026-06-02T10:00:00Z,2026-06-02T12:00:00Z",
    ]),
  );
  expect(crm("import", "customers", customers).code).toBe(0);
  const imported = crm("import", "tickets", tickets);
  expect(imported.code, imported.stderr).toBe(0);
  expect(imported.stdout).toMatch(/tickets from .*: imported: 2 rows read, 2 inserted/);
});
afterAll(() => dir?.remove());

describe("crm tickets", () => {
  it("lists tickets with their SLA verdict, as a table and as the tool's JSON", () => {
    const table = crm("tickets");
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(
      /T-1 .*Ann Lee \(C1\).*complaint.*open.*overdue \(no answer\).*Tom.*Broken lid/,
    );
    expect(table.stdout).toContain("2 of 2 tickets, newest first");
    const json = listTicketsOutput.parse(JSON.parse(crm("tickets", "list", "--overdue", "--json").stdout));
    expect(json.tickets.map((ticket) => ticket.ticket_id)).toEqual(["T-1"]);
  });

  it("answers and resolves a ticket, audited, and says what is wrong with a bad request", () => {
    const respond = crm(
      "tickets",
      "respond",
      "T-1",
      "--note",
      "Sent a new lid",
      "--at",
      "2026-06-02",
      "--json",
    );
    expect(respond.code, respond.stderr).toBe(0);
    expect(respondToTicketOutput.parse(JSON.parse(respond.stdout))).toMatchObject({
      first_response: true,
      ticket: { status: "answered", first_response_at: "2026-06-02T00:00:00Z" },
      audit: { actor: expect.any(String) },
    });
    const resolve = crm("tickets", "resolve", "T-1", "--resolution", "Replaced", "--json");
    expect(resolve.code, resolve.stderr).toBe(0);
    expect(resolveTicketOutput.parse(JSON.parse(resolve.stdout)).ticket.status).toBe("resolved");

    const again = crm("tickets", "resolve", "T-1", "--resolution", "Again");
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^crm: ticket T-1 was already resolved/);
    const unknown = crm("tickets", "respond", "NOPE");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no ticket with id NOPE/);
    const badStatus = crm("tickets", "--status", "closed");
    expect(badStatus.code).toBe(1);
    expect(badStatus.stderr).toMatch(/--status/);
  });
});
