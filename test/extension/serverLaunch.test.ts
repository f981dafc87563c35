import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  cliLaunch,
  DEFAULT_SETTINGS,
  resolveDatabasePath,
  serverArgs,
  serverLaunch,
} from "../../extension/serverLaunch.js";

describe("the server launch from settings", () => {
  it("uses the per-user store when the setting is empty, like the CLI", () => {
    expect(resolveDatabasePath("", {}, "/home/ann")).toBe(join("/home/ann", ".crm-assistant", "crm.db"));
    expect(resolveDatabasePath("  ", { CRM_DB: "/data/book.db" }, "/home/ann")).toBe("/data/book.db");
  });

  it("expands ~ and resolves relative paths against the home folder", () => {
    expect(resolveDatabasePath("~/books/a.db", {}, "/home/ann")).toBe("/home/ann/books/a.db");
    expect(resolveDatabasePath("books/a.db", {}, "/home/ann")).toBe("/home/ann/books/a.db");
    expect(resolveDatabasePath("/srv/crm.db", { CRM_DB: "/ignored" }, "/home/ann")).toBe("/srv/crm.db");
  });

  it("passes the store and only the options the settings turn on", () => {
    expect(serverArgs(DEFAULT_SETTINGS, "/d.db")).toEqual(["--db", "/d.db"]);
    expect(serverArgs({ ...DEFAULT_SETTINGS, allowWrites: true, redactPii: true }, "/d.db")).toEqual([
      "--db",
      "/d.db",
      "--allow-writes",
      "--redact",
    ]);
  });

  it("runs the bundled server with the editor's runtime as plain Node", () => {
    const launch = serverLaunch("/ext", "/opt/code/code", { ...DEFAULT_SETTINGS, redactPii: true }, "/d.db");
    expect(launch).toEqual({
      command: "/opt/code/code",
      args: [join("/ext", "dist", "server.js"), "--db", "/d.db", "--redact"],
      env: { ELECTRON_RUN_AS_NODE: "1" },
    });
  });

  it("runs the bundled CLI against the same store", () => {
    const launch = cliLaunch("/ext", "/node", "/d.db", ["import", "feedback", "/f.csv", "--json"]);
    expect(launch.args).toEqual([
      join("/ext", "dist", "cli.js"),
      "--db",
      "/d.db",
      "import",
      "feedback",
      "/f.csv",
      "--json",
    ]);
    expect(launch.env.ELECTRON_RUN_AS_NODE).toBe("1");
  });
});
