import type { Command } from "commander";
import { resolveAsOf } from "../../asOf.js";
import { DEMO_DEFAULTS } from "../../demo/generate.js";
import { seedDemo } from "../../demo/seed.js";
import { briefing } from "../../reports/briefing.js";
import { bookStats } from "../../reports/bookStats.js";
import { clientConfigSnippets } from "../../server/clientConfig.js";
import type { ServerDeps } from "../../server/deps.js";
import { ServeConfigError, serveHttp } from "../../server/http.js";
import { actorName } from "../../server/serveOptions.js";
import type { CliContext } from "../context.js";
import { UserError } from "../errors.js";
import { formatBookStats } from "./stats.js";

export function registerStartCommand(program: Command, context: CliContext): void {
  program
    .command("start")
    .description(
      "open the default store (seeding a demo book on first run), print the briefing, then serve MCP over HTTP on 127.0.0.1",
    )
    .option("--port <number>", "HTTP port", (value: string) => Number(value), 3333)
    .option("--no-serve", "print the briefing and exit")
    .option("--new-token", "replace the saved HTTP token with a new one and print it")
    .action(async (options: { port: number; serve: boolean; newToken?: boolean }) => {
      const store = await context.openStore();
      const asOf = resolveAsOf();
      if ((await store.counts()).customers === 0) {
        process.stderr.write(
          `First run: seeding ${store.path} with a demo book (${DEMO_DEFAULTS.customers} customers, seed ${DEMO_DEFAULTS.seed}).\n`,
        );
        await seedDemo(store, { ...DEMO_DEFAULTS, asOf });
        await context.afterWrite(store);
      }
      const deps: ServerDeps = {
        store,
        allowWrites: false,
        redact: false,
        actor: actorName(),
        now: () => new Date(),
      };
      const stats = await bookStats(store, asOf);
      process.stdout.write(
        `CRM Assistant — portfolio as of ${asOf.toISOString().slice(0, 10)} (${store.path})\n\n` +
          `${formatBookStats(stats)}\n\n${await briefing(deps)}\n`,
      );
      if (!options.serve) return;
      try {
        await serveHttp(deps, {
          port: options.port,
          host: "127.0.0.1",
          auth: true,
          renewToken: Boolean(options.newToken),
          onReady: (handle) =>
            process.stdout.write(
              `\nMCP server: ${handle.url}  (${handle.token === undefined ? "the token printed when it was made; npm start -- --new-token for a new one" : `token ${handle.token}`}; Ctrl+C to stop)\n\n` +
                `${clientConfigSnippets(store.path, { url: handle.url, token: handle.token ?? "<your token>" })}\n`,
            ),
        });
      } catch (error) {
        if (error instanceof ServeConfigError)
          throw new UserError(`${error.message} (or run npm start -- --port <other>)`);
        throw error;
      }
    });
}
