import { isIP, type BlockList } from "node:net";
import { getHttpConfig } from "./http-config";
import { normalizeAddress } from "./parse-trusted-proxies";

export { normalizeAddress, parseTrustedProxies } from "./parse-trusted-proxies";

/**
 * The address of the client a request came from, for the sign-in throttle, rate limits and the
 * `ip_address` of the events the service records. One function, one rule:
 *
 * 1. The direct peer (the TCP connection's remote address) is the only thing a client cannot forge.
 *    Next.js route handlers do not see the socket, so the launcher (scripts/serve.mjs, what
 *    `npm start` runs) writes it into the request header `x-audit-peer-address`, replacing whatever
 *    a client sent under that name, and sets AUDIT_PEER_FROM_LAUNCHER=1 in its own process. Without
 *    that flag (e.g. `next dev`, bare `next start`) the header is ignored and the peer is unknown:
 *    per-address throttling is then off (per-email throttling still applies).
 * 2. `X-Forwarded-For` is honoured only when the peer is a trusted proxy (AUDIT_TRUSTED_PROXIES,
 *    comma-separated CIDRs or addresses, IPv4/IPv6). Walking the list from the right, each hop
 *    appended by a trusted proxy is believed; the first untrusted hop is the client
 *    ("rightmost untrusted"). A malformed hop stops the walk at the proxy that reported it.
 *    From an untrusted peer the header is ignored entirely: the peer is the client.
 */
export const PEER_HEADER = "x-audit-peer-address";

export function launcherProvidesPeer(): boolean {
  return process.env.AUDIT_PEER_FROM_LAUNCHER === "1";
}

const isTrusted = (list: BlockList, addr: string) => list.check(addr, isIP(addr) === 4 ? "ipv4" : "ipv6");

/** The client address per the rule above, from the request headers (and the launcher's peer header). */
export function clientAddress(headers: Headers, opts: { trusted?: BlockList; peer?: string | null } = {}): string | undefined {
  const peer = normalizeAddress(opts.peer !== undefined ? opts.peer : launcherProvidesPeer() ? headers.get(PEER_HEADER) : null);
  if (!peer) return undefined;
  const trusted = opts.trusted ?? getHttpConfig().trustedProxies;
  let client = peer;
  if (!isTrusted(trusted, client)) return client;
  const hops = (headers.get("x-forwarded-for") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(hops[i]);
    if (!hop) break;
    client = hop;
    if (!isTrusted(trusted, client)) break;
  }
  return client;
}
