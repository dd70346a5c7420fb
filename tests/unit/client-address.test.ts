import { afterEach, describe, expect, it } from "vitest";
import { clientAddress, normalizeAddress, parseTrustedProxies, PEER_HEADER } from "@/lib/http/client-address";

const h = (xff?: string, peer?: string) => {
  const headers = new Headers();
  if (xff !== undefined) headers.set("x-forwarded-for", xff);
  if (peer !== undefined) headers.set(PEER_HEADER, peer);
  return headers;
};
const trusted = parseTrustedProxies("10.0.0.0/8, 192.168.1.1, 2001:db8::/32, ::1");

afterEach(() => {
  delete process.env.AUDIT_PEER_FROM_LAUNCHER;
});

describe("client address (AUDIT_TRUSTED_PROXIES, X-Forwarded-For)", () => {
  it("an untrusted peer is the client, whatever X-Forwarded-For says", () => {
    expect(clientAddress(h("1.2.3.4"), { trusted, peer: "203.0.113.9" })).toBe("203.0.113.9");
    expect(clientAddress(h("1.2.3.4, 10.0.0.1"), { trusted, peer: "203.0.113.9" })).toBe("203.0.113.9");
    expect(clientAddress(h(), { trusted, peer: "2001:db9::1" })).toBe("2001:db9::1");
  });

  it("from a trusted peer, the rightmost untrusted hop is the client", () => {
    expect(clientAddress(h("198.51.100.7"), { trusted, peer: "10.1.2.3" })).toBe("198.51.100.7");
    // The client forged a left part; the trusted proxies appended the real hops on the right.
    expect(clientAddress(h("6.6.6.6, 198.51.100.7, 10.9.9.9"), { trusted, peer: "10.1.2.3" })).toBe("198.51.100.7");
    expect(clientAddress(h("2001:db9::5, 2001:db8::1"), { trusted, peer: "::1" })).toBe("2001:db9::5");
    // Every hop trusted: the leftmost is the best we know.
    expect(clientAddress(h("10.0.0.5, 192.168.1.1"), { trusted, peer: "10.0.0.1" })).toBe("10.0.0.5");
    // No header: the proxy itself.
    expect(clientAddress(h(), { trusted, peer: "10.0.0.1" })).toBe("10.0.0.1");
  });

  it("a malformed hop stops the walk at the proxy that reported it; addresses are normalised", () => {
    expect(clientAddress(h("198.51.100.7, not-an-ip"), { trusted, peer: "10.0.0.1" })).toBe("10.0.0.1");
    expect(clientAddress(h("[2001:db9::5]"), { trusted, peer: "::ffff:10.0.0.1" })).toBe("2001:db9::5");
    expect(normalizeAddress("::FFFF:192.0.2.1")).toBe("192.0.2.1");
    expect(normalizeAddress("fe80::1%eth0")).toBe("fe80::1");
    expect(normalizeAddress("1.2.3")).toBeNull();
    expect(normalizeAddress("")).toBeNull();
  });

  it("the peer header counts only when the launcher (scripts/serve.mjs) set it", () => {
    const headers = h("1.2.3.4", "203.0.113.9");
    expect(clientAddress(headers, { trusted })).toBeUndefined();
    process.env.AUDIT_PEER_FROM_LAUNCHER = "1";
    expect(clientAddress(headers, { trusted })).toBe("203.0.113.9");
    expect(clientAddress(h("1.2.3.4"), { trusted })).toBeUndefined();
  });

  it("nobody is trusted by default; a bad entry is refused naming the variable", () => {
    const none = parseTrustedProxies("");
    expect(clientAddress(h("1.2.3.4"), { trusted: none, peer: "127.0.0.1" })).toBe("127.0.0.1");
    for (const bad of ["10.0.0.0/33", "2001:db8::/129", "example.com", "10.0.0.0/8/1", "10.0.0.0/x"]) {
      expect(() => parseTrustedProxies(bad)).toThrow(/AUDIT_TRUSTED_PROXIES/);
    }
    expect(parseTrustedProxies("0.0.0.0/0").check("8.8.8.8", "ipv4")).toBe(true);
  });
});
