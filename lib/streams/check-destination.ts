import dns from "node:dns";
import net from "node:net";
import { AppError } from "../errors";
import { getStreamConfig } from "./stream-config";

/**
 * SSRF guard for stream and alert destinations. Link-local addresses (169.254.0.0/16, fe80::/10:
 * cloud metadata services) and multicast/broadcast are always refused; loopback and private
 * networks are refused unless AUDIT_STREAMS_ALLOW_PRIVATE=1. Names are checked where they are
 * resolved: the HTTP and TCP clients connect through {@link guardedLookup}, so every address a
 * name resolves to is checked at every connection (DNS rebinding gets no second chance), and
 * redirects are never followed (a 3xx is a failed delivery).
 */
export type AddressClass = "public" | "private" | "link_local" | "reserved";

const LINK_LOCAL = new net.BlockList();
LINK_LOCAL.addSubnet("169.254.0.0", 16, "ipv4");
LINK_LOCAL.addSubnet("fe80::", 10, "ipv6");

const RESERVED = new net.BlockList();
RESERVED.addSubnet("224.0.0.0", 4, "ipv4"); // multicast
RESERVED.addSubnet("240.0.0.0", 4, "ipv4"); // reserved + broadcast
RESERVED.addSubnet("ff00::", 8, "ipv6"); // multicast

const PRIVATE = new net.BlockList();
for (const [a, p] of [["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["172.16.0.0", 12], ["192.0.0.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15]] as const) {
  PRIVATE.addSubnet(a, p, "ipv4");
}
PRIVATE.addSubnet("::", 128, "ipv6");
PRIVATE.addSubnet("::1", 128, "ipv6");
PRIVATE.addSubnet("fc00::", 7, "ipv6");

/** IPv4-mapped / -compatible IPv6 (::ffff:a.b.c.d) is judged as the IPv4 address it carries. */
function unmap(ip: string): { ip: string; family: "ipv4" | "ipv6" } {
  const m = /^::(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (m && net.isIPv4(m[1]!)) return { ip: m[1]!, family: "ipv4" };
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (hex) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    return { ip: `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, family: "ipv4" };
  }
  return { ip, family: net.isIPv4(ip) ? "ipv4" : "ipv6" };
}

export function classifyAddress(address: string): AddressClass {
  const { ip, family } = unmap(address.replace(/^\[|\]$/g, "").replace(/%.*$/, ""));
  if (LINK_LOCAL.check(ip, family)) return "link_local";
  if (RESERVED.check(ip, family)) return "reserved";
  if (PRIVATE.check(ip, family)) return "private";
  return "public";
}

/** Why this address may not be connected to, or null when it may. */
export function refusalOf(address: string, allowPrivate = getStreamConfig().AUDIT_STREAMS_ALLOW_PRIVATE): string | null {
  const c = classifyAddress(address);
  if (c === "link_local") return `${address} is a link-local address (cloud metadata range): never allowed`;
  if (c === "reserved") return `${address} is a multicast/reserved address: never allowed`;
  if (c === "private" && !allowPrivate) return `${address} is a loopback or private address: allowed only with AUDIT_STREAMS_ALLOW_PRIVATE=1`;
  return null;
}

const LOCAL_NAMES = /^(localhost|localhost\.localdomain|ip6-localhost|ip6-loopback)\.?$|\.localhost\.?$/i;

/**
 * Checks a destination host when a stream is created or changed: an IP literal is judged now,
 * `localhost` names as loopback; other names are judged at every connection (guardedLookup).
 * Refusals are 400s naming `field`.
 */
export function assertDestinationHost(host: string, field: string): void {
  const bare = host.replace(/^\[|\]$/g, "");
  const why = net.isIP(bare) ? refusalOf(bare) : LOCAL_NAMES.test(bare) ? refusalOf("127.0.0.1")?.replace("127.0.0.1", bare) ?? null : null;
  if (why) throw new AppError("invalid_parameter", `${field}: ${why}`, { field });
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;
export type Resolver = (host: string) => Promise<dns.LookupAddress[]>;

const systemResolver: Resolver = (host) => dns.promises.lookup(host, { all: true, verbatim: true });

/**
 * A `lookup` for http.request / net.connect / tls.connect that resolves the name, refuses the
 * connection when ANY address it resolves to is refused, and connects to the first address.
 */
export function guardedLookup(resolver: Resolver = systemResolver) {
  return (hostname: string, options: dns.LookupOptions | number, callback: LookupCallback): void => {
    const all = typeof options === "object" && options.all === true;
    const literal = net.isIP(hostname.replace(/^\[|\]$/g, ""));
    const resolved: Promise<dns.LookupAddress[]> = literal
      ? Promise.resolve([{ address: hostname.replace(/^\[|\]$/g, ""), family: literal }])
      : resolver(hostname);
    resolved.then(
      (addresses) => {
        if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname}: no address`), { code: "ENOTFOUND" }), "");
        for (const a of addresses) {
          const why = refusalOf(a.address);
          if (why) return callback(Object.assign(new Error(`refused: ${hostname} resolves to ${why}`), { code: "EDESTREFUSED" }), "");
        }
        if (all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (e: NodeJS.ErrnoException) => callback(e, ""),
    );
  };
}
