import { BlockList, isIP } from "node:net";

/** `::ffff:10.0.0.1` → `10.0.0.1`; `[::1]` → `::1`; anything that is not an IP → null. */
export function normalizeAddress(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let v = raw.trim();
  if (v.startsWith("[") && v.includes("]")) v = v.slice(1, v.indexOf("]"));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(v);
  if (mapped) v = mapped[1]!;
  const zone = v.indexOf("%");
  if (zone > 0 && isIP(v.slice(0, zone)) === 6) v = v.slice(0, zone);
  return isIP(v) ? v.toLowerCase() : null;
}

/** Parses AUDIT_TRUSTED_PROXIES; throws naming the bad entry. Empty → nobody is trusted. */
export function parseTrustedProxies(value: string | undefined): BlockList {
  const list = new BlockList();
  for (const entry of (value ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const [addrPart, prefixPart, ...rest] = entry.split("/");
    const addr = normalizeAddress(addrPart);
    const family = addr ? (isIP(addr) === 4 ? "ipv4" : "ipv6") : null;
    const max = family === "ipv4" ? 32 : 128;
    const prefix = prefixPart === undefined ? max : /^\d{1,3}$/.test(prefixPart) ? Number(prefixPart) : NaN;
    if (!addr || !family || rest.length || !(prefix >= 0 && prefix <= max)) {
      throw new Error(`Invalid configuration: AUDIT_TRUSTED_PROXIES: "${entry}" is not an IPv4/IPv6 address or CIDR (e.g. 10.0.0.0/8, 2001:db8::/32)`);
    }
    list.addSubnet(addr, prefix, family);
  }
  return list;
}
