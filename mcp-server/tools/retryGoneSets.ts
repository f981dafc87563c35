import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ScoreSetGoneError } from "../store/errors.js";

/**
 * The server with `registerTool` wrapped so that a read-only tool whose score set was dropped while
 * it read it (another process published newer sets and no longer keeps it) answers once more: the
 * second answer reads a set that is kept. Tools that write are left alone: their write has landed.
 */
export function retryingGoneSets(server: McpServer): McpServer {
  const register = server.registerTool.bind(server);
  const registerTool = ((
    name: string,
    config: { annotations?: { readOnlyHint?: boolean } },
    handler: never,
  ) => {
    if (config.annotations?.readOnlyHint !== true) return register(name, config as never, handler);
    const retrying = async (...args: unknown[]) => {
      const answer = handler as (...args: unknown[]) => Promise<unknown>;
      try {
        return await answer(...args);
      } catch (error) {
        if (!(error instanceof ScoreSetGoneError)) throw error;
        return answer(...args);
      }
    };
    return register(name, config as never, retrying as never);
  }) as McpServer["registerTool"];
  return new Proxy(server, {
    get: (target, key, receiver) =>
      key === "registerTool" ? registerTool : Reflect.get(target, key, receiver),
  });
}
