import { describe, expect, it } from "vitest";
import { createHostGuard, isLoopbackHost, parseHostHeader } from "../../../mcp-server/server/hostGuard.js";
import { bearerToken, generateToken, tokensEqual } from "../../../mcp-server/server/token.js";

describe("loopback addresses", () => {
  it("counts localhost, 127.0.0.0/8 and ::1 as loopback", () => {
    for (const host of [
      "localhost",
      "LOCALHOST",
      "127.0.0.1",
      "127.1.2.3",
      "::1",
      "[::1]",
      "::ffff:127.0.0.1",
    ])
      expect(isLoopbackHost(host), host).toBe(true);
  });

  it("does not count wildcard, private or look-alike names as loopback", () => {
    for (const host of [
      "0.0.0.0",
      "::",
      "192.168.1.20",
      "10.0.0.1",
      "128.0.0.1",
      "localhost.evil.example",
      "127.0.0.1.nip.io",
      "",
    ])
      expect(isLoopbackHost(host), host).toBe(false);
  });
});

describe("Host headers", () => {
  it("splits hostname and port, defaulting the port to 80", () => {
    expect(parseHostHeader("127.0.0.1:3333")).toEqual({ hostname: "127.0.0.1", port: 3333 });
    expect(parseHostHeader("[::1]:3333")).toEqual({ hostname: "::1", port: 3333 });
    expect(parseHostHeader("LocalHost")).toEqual({ hostname: "localhost", port: 80 });
  });

  it("does not parse user info, paths or spaces", () => {
    for (const header of ["evil.example@127.0.0.1:3333", "127.0.0.1:3333/x", "127.0.0.1 :3333", "a:b:c"])
      expect(parseHostHeader(header), header).toBeUndefined();
  });
});

describe("DNS-rebinding guard for a server bound to 127.0.0.1:3333", () => {
  const guard = createHostGuard("127.0.0.1", 3333);

  it("accepts loopback names with the server's port and no Origin or a loopback Origin on that port", () => {
    for (const host of ["127.0.0.1:3333", "localhost:3333", "[::1]:3333"]) {
      expect(guard.check(host, undefined), host).toBeUndefined();
      expect(guard.check(host, "http://localhost:3333"), host).toBeUndefined();
      expect(guard.check(host, "http://127.0.0.1:3333"), host).toBeUndefined();
    }
  });

  it("refuses a page from another local port: another program on this machine", () => {
    for (const origin of [
      "http://localhost:5173",
      "http://127.0.0.1:9999",
      "http://[::1]:3000",
      "http://localhost",
    ])
      expect(guard.check("127.0.0.1:3333", origin), origin).toMatch(/Origin/);
  });

  it("refuses other names, other ports, a missing Host and foreign Origins", () => {
    expect(guard.check("evil.example.com:3333", undefined)).toMatch(/Host/);
    expect(guard.check("127.0.0.1:4444", undefined)).toMatch(/Host/);
    expect(guard.check("127.0.0.1", undefined)).toMatch(/Host/);
    expect(guard.check(undefined, undefined)).toMatch(/Host/);
    expect(guard.check("127.0.0.1:3333", "http://evil.example")).toMatch(/Origin/);
    expect(guard.check("127.0.0.1:3333", "null")).toMatch(/Origin/);
    expect(guard.check("127.0.0.1:3333", "chrome-extension://abc")).toMatch(/Origin/);
  });

  it("accepts a Host without a port only for a server on port 80", () => {
    expect(createHostGuard("localhost", 80).check("localhost", undefined)).toBeUndefined();
  });
});

describe("bearer tokens", () => {
  it("generates 256-bit base64url tokens that differ each time", () => {
    const first = generateToken();
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(first);
  });

  it("compares tokens exactly, whatever their lengths", () => {
    expect(tokensEqual("abc", "abc")).toBe(true);
    expect(tokensEqual("abc", "abd")).toBe(false);
    expect(tokensEqual("ab", "abc")).toBe(false);
    expect(tokensEqual("", "abc")).toBe(false);
  });

  it("reads the token from an Authorization: Bearer header only", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer  abc ")).toBe("abc");
    expect(bearerToken("Basic abc")).toBeUndefined();
    expect(bearerToken("Bearer")).toBeUndefined();
    expect(bearerToken("Bearer a b")).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
