/**
 * The shared HTTP behaviour of every API route (lib/http): rate limits with the AMP seed's headers,
 * weak ETags and 304, security headers, gzip, X-Request-Id. Exercised through the dialect routes,
 * the canonical list, ingest and admin.
 */
import zlib from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as amp from "@/app/v1/audit_logs/route";
import * as appsecList from "@/app/audit-logs/route";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import * as search from "@/app/api/v1/audit/search/route";
import { getDatabase } from "@/lib/db/get-database";
import { openDatabase } from "@/lib/db/open-database";
import { consumeRateLimit } from "@/lib/http/rate-limit";
import { resetHttpConfigForTests } from "@/lib/http/http-config";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { sampleEvent, TEST_DB } from "../support/test-database";

let app: { close(): Promise<void> };
let token: string;

async function mint(scopes: string[]) {
  const r = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org: "http-acme", name: "http", scopes } });
  expect(r.status).toBe(201);
  return r.body.token as string;
}

beforeAll(async () => {
  app = await useScratchApp();
  await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "http-acme" } });
  token = await mint(["audit:read", "audit:write"]);
  const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: { events: Array.from({ length: 60 }, (_, i) => sampleEvent(i)) } });
  expect(r.status).toBe(201);
});
afterAll(async () => {
  await app?.close();
});
afterEach(() => {
  delete process.env.AUDIT_RATE_LIMIT;
  delete process.env.AUDIT_RATE_LIMIT_WINDOW_SECONDS;
  resetHttpConfigForTests();
});

const SECURITY = {
  "strict-transport-security": "max-age=31536000; includeSubDomains",
  "x-frame-options": "SAMEORIGIN",
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
  "x-permitted-cross-domain-policies": "none",
  "x-download-options": "noopen",
};

async function raw(handler: (req: Request) => Promise<Response>, url: string, headers: Record<string, string> = {}, method = "GET") {
  return handler(new Request(new URL(url, "http://localhost"), { method, headers }));
}

/** A token minted with limits off, so that minting itself is not counted against the root token. */
async function freshToken() {
  const saved = process.env.AUDIT_RATE_LIMIT;
  process.env.AUDIT_RATE_LIMIT = "0";
  resetHttpConfigForTests();
  const t = await mint(["audit:read"]);
  process.env.AUDIT_RATE_LIMIT = saved;
  resetHttpConfigForTests();
  return t;
}

describe(`shared HTTP behaviour (${TEST_DB})`, () => {
  it("security headers on success and on errors, on every kind of route", async () => {
    const answers = [
      await call(amp.GET, "GET", "/v1/audit_logs", { token }),
      await call(amp.GET, "GET", "/v1/audit_logs"),
      await call(appsecList.GET, "GET", "/audit-logs?limit=x", { token }),
      await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: sampleEvent(999) }),
      await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "http-second" } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 401, 400, 201, 201]);
    for (const a of answers) for (const [k, v] of Object.entries(SECURITY)) expect(a.headers.get(k), k).toBe(v);
  });

  it("X-Request-Id: taken from the request when well-formed, generated otherwise, always echoed", async () => {
    const mine = await call(amp.GET, "GET", "/v1/audit_logs", { token, headers: { "x-request-id": "trace-42.abc" } });
    expect(mine.headers.get("x-request-id")).toBe("trace-42.abc");
    const bad = await call(amp.GET, "GET", "/v1/audit_logs", { token, headers: { "x-request-id": "not ok\u0001" } });
    expect(bad.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{16}$/);
    const err = await call(amp.GET, "GET", "/v1/audit_logs");
    expect(err.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{16}$/);
    expect(err.headers.get("x-request-id")).not.toBe(bad.headers.get("x-request-id"));
  });

  it("weak ETag on GET; If-None-Match answers 304 without a body; another answer has another tag", async () => {
    const auth = { authorization: `Bearer ${token}` };
    const first = await raw(amp.GET, "/v1/audit_logs?limit=5", auth);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^W\/"[0-9a-f]{32}"$/);
    expect(first.headers.get("cache-control")).toBe("private, no-cache");
    const again = await raw(amp.GET, "/v1/audit_logs?limit=5", { ...auth, "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    expect(again.headers.get("x-ratelimit-limit")).not.toBeNull();
    const list = await raw(amp.GET, "/v1/audit_logs?limit=5", { ...auth, "if-none-match": `"x", ${etag.slice(2)}` });
    expect(list.status).toBe(304);
    const other = await raw(amp.GET, "/v1/audit_logs?limit=6", { ...auth, "if-none-match": etag });
    expect(other.status).toBe(200);
    expect(other.headers.get("etag")).not.toBe(etag);
    // After a new event the same query answers 200 with a new tag.
    await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: sampleEvent(1000) });
    const changed = await raw(amp.GET, "/v1/audit_logs?limit=5", { ...auth, "if-none-match": etag });
    expect(changed.status).toBe(200);
    // Writes and errors carry no ETag.
    expect((await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: sampleEvent(1001) })).headers.get("etag")).toBeNull();
    expect((await call(amp.GET, "GET", "/v1/audit_logs?limit=0", { token })).headers.get("etag")).toBeNull();
  });

  it("gzip when asked (and only then), same JSON once decompressed", async () => {
    const auth = { authorization: `Bearer ${token}` };
    const plain = await raw(appsecList.GET, "/audit-logs?limit=50", { ...auth, "accept-encoding": "identity" });
    expect(plain.headers.get("content-encoding")).toBeNull();
    const plainBody = await plain.text();
    const gz = await raw(appsecList.GET, "/audit-logs?limit=50", { ...auth, "accept-encoding": "gzip, deflate" });
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(gz.headers.get("vary")).toContain("Accept-Encoding");
    const bytes = Buffer.from(await gz.arrayBuffer());
    expect(bytes.length).toBeLessThan(plainBody.length);
    expect(Number(gz.headers.get("content-length"))).toBe(bytes.length);
    expect(JSON.parse(zlib.gunzipSync(bytes).toString("utf8"))).toEqual(JSON.parse(plainBody));
    expect(gz.headers.get("etag")).toBe(plain.headers.get("etag"));
    const refused = await raw(appsecList.GET, "/audit-logs?limit=50", { ...auth, "accept-encoding": "gzip;q=0" });
    expect(refused.headers.get("content-encoding")).toBeNull();
    const small = await raw(appsecList.GET, "/audit-logs?limit=1", { ...auth, "accept-encoding": "gzip" });
    expect(small.headers.get("content-encoding")).toBeNull();
  });

  it("rate limit per credential: the AMP seed's headers, then 429 with Retry-After; other credentials unaffected", async () => {
    const limited = await mint(["audit:read"]);
    process.env.AUDIT_RATE_LIMIT = "3";
    process.env.AUDIT_RATE_LIMIT_WINDOW_SECONDS = "3600";
    resetHttpConfigForTests();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await call(search.GET, "GET", "/api/v1/audit/search?q=policy", { token: limited }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((a) => a.headers.get("x-ratelimit-remaining"))).toEqual(["2", "1", "0", "0"]);
    for (const a of answers) {
      expect(a.headers.get("x-ratelimit-limit")).toBe("3");
      const reset = Number(a.headers.get("x-ratelimit-reset"));
      expect(reset).toBeGreaterThan(0);
      expect(reset).toBeLessThanOrEqual(3600);
      expect(a.headers.get("x-ratelimit-resetdate")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const resetAt = Date.parse(a.headers.get("x-ratelimit-resetdate")!);
      expect(Math.abs(resetAt - (Date.now() + reset * 1000))).toBeLessThan(2000);
    }
    const tooMany = answers[3]!;
    expect(tooMany.headers.get("retry-after")).toBe(tooMany.headers.get("x-ratelimit-reset"));
    expect(tooMany.body.error).toMatchObject({ code: "rate_limited", message: expect.stringMatching(/rate limit of 3/) });
    // Exhausted on every route for that credential, not for another one.
    expect((await call(amp.GET, "GET", "/v1/audit_logs", { token: limited })).status).toBe(429);
    const fresh = await call(amp.GET, "GET", "/v1/audit_logs", { token: await freshToken() });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get("x-ratelimit-remaining")).toBe("2");
  });

  it("the count lives in the database: a second connection (another instance) continues the same window", async () => {
    const db = await getDatabase();
    const key = `test:${Math.random()}`;
    const now = new Date();
    const a = await consumeRateLimit({ sql: db.sql, key, limit: 5, windowSeconds: 60, now });
    expect(a.remaining).toBe(4);
    const second = TEST_DB === "postgres" ? await openDatabase({ url: process.env.DATABASE_URL!, poolSize: 2 }) : null;
    try {
      const b = await consumeRateLimit({ sql: (second ?? db).sql, key, limit: 5, windowSeconds: 60, now });
      expect(b.remaining).toBe(3);
      // A new window starts from zero and the old window's row is cleaned up.
      const later = new Date(now.getTime() + 60_000);
      const c = await consumeRateLimit({ sql: db.sql, key, limit: 5, windowSeconds: 60, now: later });
      expect(c.remaining).toBe(4);
      await new Promise((r) => setTimeout(r, 100));
      const rows = await db.sql.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM rate_limit_windows WHERE key = $1`, [key]);
      expect(rows[0]!.n).toBe(1);
    } finally {
      await second?.close();
    }
  });

  it("AUDIT_RATE_LIMIT=0 turns limiting off (no headers)", async () => {
    process.env.AUDIT_RATE_LIMIT = "0";
    resetHttpConfigForTests();
    const r = await call(amp.GET, "GET", "/v1/audit_logs", { token });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-ratelimit-limit")).toBeNull();
  });
});
