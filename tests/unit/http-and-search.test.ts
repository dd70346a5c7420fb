import { describe, expect, it } from "vitest";
import { acceptsGzip } from "@/lib/http/compression";
import { etagMatches, weakEtag } from "@/lib/http/etag";
import { pageContentSecurityPolicy } from "@/lib/http/security-headers";
import { parseSearchQuery } from "@/lib/search/parse-search-query";
import { normaliseScore } from "@/lib/search/search-events";
import { decodeEventCursor as decodeCursor, encodeEventCursor as encodeCursor } from "@/lib/audit/event-cursor";
import { toAmpEntry } from "@/lib/dialects/amp/audit-logs";
import type { StoredEvent } from "@/lib/audit/event-schema";
import { AppError } from "@/lib/errors";

describe("search query parsing", () => {
  it.each([
    ["PII", "PII"],
    ["alice@example.com", '"alice@example.com"'],
    ["policy.update -user.login", '"policy.update" -"user.login"'],
    ['"block critical" OR scan.trigger', '"block critical" OR "scan.trigger"'],
    ['-"a.b c"', '-"a.b c"'],
    ["critical -alice", 'critical -"alice"'],
    ['ab"cd -!!', '"ab cd"'],
  ])("%s", (q, query) => {
    expect(parseSearchQuery(q)).toEqual({ query, original: q });
  });

  it("maps fields to weights and refuses queries without a letter or digit", () => {
    expect(parseSearchQuery("x", "actor").weight).toBe("a");
    expect(parseSearchQuery("x", "details").weight).toBe("b");
    expect(parseSearchQuery("x", "all").weight).toBeUndefined();
    expect(() => parseSearchQuery(" -!! ")).toThrow(AppError);
  });

  it("normalises scores into (0, 1]", () => {
    expect(normaliseScore(0.5, 0.5)).toBe(1);
    expect(normaliseScore(0.25, 0.5)).toBe(0.5);
    expect(normaliseScore(0, 0.5)).toBe(0.0001);
    expect(normaliseScore(0, 0)).toBe(1);
  });
});

describe("HTTP helpers", () => {
  it("weak ETags compare weakly, lists and * included", () => {
    const tag = weakEtag(new TextEncoder().encode("{}"));
    expect(tag).toMatch(/^W\/"[0-9a-f]{32}"$/);
    expect(etagMatches(tag, tag)).toBe(true);
    expect(etagMatches(tag.slice(2), tag)).toBe(true);
    expect(etagMatches(`W/"nope", ${tag}`, tag)).toBe(true);
    expect(etagMatches("*", tag)).toBe(true);
    expect(etagMatches('W/"nope"', tag)).toBe(false);
    expect(etagMatches(null, tag)).toBe(false);
  });

  it.each([
    ["gzip, deflate", true],
    ["br;q=1, gzip;q=0.5", true],
    ["gzip;q=0", false],
    ["identity", false],
    ["*", true],
    [null, false],
  ])("Accept-Encoding %s → gzip %s", (h, ok) => {
    expect(acceptsGzip(h)).toBe(ok);
  });

  it("the pages' CSP allows only this origin and forbids framing by others", () => {
    const csp = pageContentSecurityPolicy();
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("unsafe-eval");
  });
});

describe("dialect mappers", () => {
  const e = {
    id: "x", seq: 7, timestamp: "2022-03-18T11:40:03.250Z", received_at: "2022-03-18T11:40:04Z",
    actor: { id: "u1", type: "user" }, action: "a.b.login", resource: { type: "User", id: "r1" }, hash: "h", previous_hash: null,
  } as StoredEvent;

  it("AppSec+ cursors round-trip and refuse garbage", () => {
    expect(decodeCursor(encodeCursor(e))).toEqual({ timestamp: new Date("2022-03-18T11:40:03.250Z"), seq: 7 });
    expect(() => decodeCursor("bm9wZQ")).toThrow(/cursor/);
  });

  it("AMP: last action segment, actor id when no email, seconds only, no attributes without changes", () => {
    expect(toAmpEntry(e)).toEqual({ event: "login", audit_log_type: "User", audit_log_id: "r1", audit_log_user: "u1", created_at: "2022-03-18T11:40:03Z" });
    expect(toAmpEntry({ ...e, changes: { a: { new: 1 } } })).toMatchObject({ old_attributes: { a: null }, new_attributes: { a: 1 } });
  });
});
