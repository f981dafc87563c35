import { isIPv4, isIPv6 } from "node:net";
import { hostname as machineName, networkInterfaces } from "node:os";

/**
 * DNS-rebinding protection for the HTTP transport. A web page can make a browser send requests to
 * 127.0.0.1 by pointing its own domain there; such requests carry the attacker's domain in the
 * Host header (and its page in Origin), so a server that accepts only loopback names in Host and
 * only loopback pages in Origin cannot be driven from a web page.
 */

/** Strips IPv6 brackets and a trailing dot, and lower-cases. */
function normaliseHostname(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith("[") && name.endsWith("]")) name = name.slice(1, -1);
  if (name.endsWith(".")) name = name.slice(0, -1);
  return name;
}

/** True for `localhost`, 127.0.0.0/8 and ::1 (also IPv4-mapped 127.x), with or without brackets. */
export function isLoopbackHost(host: string): boolean {
  const name = normaliseHostname(host);
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (isIPv4(name)) return name.split(".")[0] === "127";
  if (isIPv6(name)) {
    if (name === "::1" || name === "0:0:0:0:0:0:0:1") return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(name);
    return mapped !== null && mapped[1].split(".")[0] === "127";
  }
  return false;
}

/** True for the wildcard addresses that listen on every interface. */
export function isWildcardHost(host: string): boolean {
  const name = normaliseHostname(host);
  return name === "0.0.0.0" || name === "::" || name === "0:0:0:0:0:0:0:0";
}

/**
 * Splits a Host header into hostname and port (80 when absent). Only the characters a hostname
 * or IP literal can hold are accepted, so tricks like `evil.example@127.0.0.1` never parse.
 */
export function parseHostHeader(value: string): { hostname: string; port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!match) return undefined;
  return { hostname: normaliseHostname(match[1]), port: match[2] === undefined ? 80 : Number(match[2]) };
}

/** The names other machines may use for this one when it listens on a non-loopback address. */
function machineHostnames(boundHost: string): Set<string> {
  const names = new Set<string>();
  if (!isWildcardHost(boundHost)) names.add(normaliseHostname(boundHost));
  if (isWildcardHost(boundHost)) {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) names.add(normaliseHostname(address.address));
    }
  }
  return names;
}

export interface HostGuard {
  /** Why the request must be refused (answer 403), or undefined when its Host and Origin are fine. */
  check(host: string | undefined, origin: string | undefined): string | undefined;
}

/**
 * Checks Host and Origin against the address the server is bound to. Bound to loopback, Host must
 * be a loopback name with the server's port and a present Origin must be a loopback page on that
 * same port. Bound to
 * another address (which needs a bearer token anyway), Host may also name this machine, and Origin
 * may also be the page the server itself serves.
 */
export function createHostGuard(boundHost: string, port: number): HostGuard {
  const loopbackOnly = isLoopbackHost(boundHost);
  const machine = loopbackOnly ? new Set<string>() : machineHostnames(boundHost);
  const ownName = normaliseHostname(machineName());
  const isMachineName = (name: string) =>
    machine.has(name) || name === ownName || name.startsWith(`${ownName}.`);

  return {
    check(host, origin) {
      if (!host) return "Forbidden: missing Host header";
      const parsed = parseHostHeader(host);
      if (!parsed || parsed.port !== port) return `Forbidden: Host header ${host} is not this server`;
      const hostAllowed =
        isLoopbackHost(parsed.hostname) || (!loopbackOnly && isMachineName(parsed.hostname));
      if (!hostAllowed) return `Forbidden: Host header ${host} is not this server`;
      if (origin === undefined) return undefined;
      let page: URL;
      try {
        page = new URL(origin);
      } catch {
        return `Forbidden: Origin ${origin} is not a local page`;
      }
      if (page.protocol !== "http:" && page.protocol !== "https:")
        return `Forbidden: Origin ${origin} is not a local page`;
      // The exact page served: another local port is another program (a dev server, a local app).
      const pagePort = page.port === "" ? (page.protocol === "https:" ? 443 : 80) : Number(page.port);
      if (isLoopbackHost(page.hostname) && pagePort === port) return undefined;
      if (!loopbackOnly && page.protocol === "http:" && page.host.toLowerCase() === host.trim().toLowerCase())
        return undefined;
      return `Forbidden: Origin ${origin} is not a local page`;
    },
  };
}
