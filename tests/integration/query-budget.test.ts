/**
 * Issue 10, defect 1 (the query budget) and defect 7 (outages map to 503/507 in the one mapper):
 * the attack (`facets?q=x x x …`, 1 000 words) answers 400 naming `q` at once; bounded free words;
 * a statement past the budget answers 503 `query_timeout` with Retry-After; an abandoned request's
 * statement is cancelled on PostgreSQL and no further statement starts on either database; the
 * database's failures (connection refused, admin shutdown, disk full, class 08) map to 503/507.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as explorerEvents from "@/app/api/v1/audit/explorer/events/route";
import * as facets from "@/app/api/v1/audit/explorer/facets/route";
import * as histogram from "@/app/api/v1/audit/explorer/histogram/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import * as search from "@/app/api/v1/audit/search/route";
import { databaseErrorToAppError } from "@/lib/db/database-errors";
import { getDatabase } from "@/lib/db/get-database";
import { withQueryBudget } from "@/lib/db/query-budget";
import { errorResponse } from "@/lib/http/respond";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { sampleEvent, TEST_DB } from "../support/test-database";

let app: { close(): Promise<void> };
let reader: string;

beforeAll(async () => {
  app = await useScratchApp();
  expect((await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "budget" } })).status).toBe(201);
  const w = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org: "budget", name: "w", scopes: ["audit:write", "audit:read"] } });
  const r = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org: "budget", name: "r", scopes: ["audit:read"] } });
  reader = r.body.token as string;
  const events = Array.from({ length: 60 }, (_, i) => ({
    ...sampleEvent(i),
    id: `b-${i}`,
    details: { note: i % 3 ? "quarterly review" : "access denied for contractor", ticket: `T-${i}` },
  }));
  expect((await call(logs.POST, "POST", "/api/v1/audit/logs", { token: w.body.token as string, body: { events } })).status).toBe(201);
});
afterAll(async () => {
  await app?.close();
});

describe(`query budget (${TEST_DB})`, () => {
  it("the attack — facets?q=x x x … (1 000 words) — answers 400 naming q, at once, on every explorer route", async () => {
    const q = encodeURIComponent(Array.from({ length: 1000 }, () => "x").join(" "));
    for (const [route, p] of [
      [facets.GET, "facets"],
      [explorerEvents.GET, "events"],
      [histogram.GET, "histogram"],
    ] as const) {
      const t0 = performance.now();
      const r = await call(route, "GET", `/api/v1/audit/explorer/${p}?q=${q}`, { token: reader });
      const ms = performance.now() - t0;
      console.log(`[query-budget] ${TEST_DB} explorer/${p} with 1 000 words: ${r.status} in ${ms.toFixed(1)} ms`);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: "invalid_parameter", field: "q" });
      expect(r.body.error.message).toMatch(/1000 terms: at most 32/);
    }
  });

  it("free words are bounded in count and length, need a letter or digit, and match whole words through the index", async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `w${i}`).join(" ");
    const tooMany = await call(facets.GET, "GET", `/api/v1/audit/explorer/facets?q=${encodeURIComponent(eleven)}`, { token: reader });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatchObject({ field: "q" });
    expect(tooMany.body.error.message).toMatch(/at most 10 search words/);
    const long = await call(explorerEvents.GET, "GET", `/api/v1/audit/explorer/events?q=${"a".repeat(101)}`, { token: reader });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toMatch(/at most 100 characters/);
    const punct = await call(explorerEvents.GET, "GET", `/api/v1/audit/explorer/events?q=${encodeURIComponent("---")}`, { token: reader });
    expect(punct.status).toBe(400);
    expect(punct.body.error.field).toBe("q");
    const denied = await call(explorerEvents.GET, "GET", `/api/v1/audit/explorer/events?q=${encodeURIComponent('"access denied" contractor')}`, { token: reader });
    expect(denied.status).toBe(200);
    expect(denied.body.total).toBe(20);
    expect(denied.body.total_exact).toBe(true);
    expect((denied.body.data as { id: string }[]).every((e) => Number(e.id.slice(2)) % 3 === 0)).toBe(true);
    const ticket = await call(explorerEvents.GET, "GET", `/api/v1/audit/explorer/events?q=T-7`, { token: reader });
    expect((ticket.body.data as { id: string }[]).map((e) => e.id)).toEqual(["b-7"]);
    const f = await call(facets.GET, "GET", `/api/v1/audit/explorer/facets?q=contractor`, { token: reader });
    expect(f.status).toBe(200);
    expect(f.body.data.sample).toBe(20);
    expect((f.body.data.actions as { count: number }[]).reduce((a, b) => a + b.count, 0)).toBe(20);
    const words = Array.from({ length: 33 }, (_, i) => `w${i}`).join(" ");
    const s = await call(search.GET, "GET", `/api/v1/audit/search?q=${encodeURIComponent(words)}`, { token: reader });
    expect(s.status).toBe(400);
    expect(s.body.error).toMatchObject({ field: "q" });
  });

  it("a statement past the budget answers 503 query_timeout with Retry-After (the server stops it on PostgreSQL)", async () => {
    const db = await getDatabase();
    const t0 = performance.now();
    const err = await withQueryBudget({ statementTimeoutMs: 100 }, () => db.sql.query("SELECT pg_sleep(1.5)")).then(
      () => null,
      (e: unknown) => e,
    );
    const ms = performance.now() - t0;
    expect(err).not.toBeNull();
    const res = errorResponse(err);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("query_timeout");
    expect(body.error.message).toMatch(/budget of 100 ms/);
    // PostgreSQL stops the statement at the budget; PGlite cannot interrupt it and refuses its result after.
    if (TEST_DB === "postgres") expect(ms).toBeLessThan(1000);
    else expect(ms).toBeGreaterThanOrEqual(1400);
  });

  it("an abandoned request's statement is cancelled (PostgreSQL) and no further statement of it starts", async () => {
    const db = await getDatabase();
    const ac = new AbortController();
    const t0 = performance.now();
    const running = withQueryBudget({ signal: ac.signal }, async () => {
      // PostgreSQL: the abort arrives during this statement and cancels it. PGlite runs a statement
      // synchronously (the abort cannot even be observed meanwhile): it arrives during the pause.
      await db.sql.query(TEST_DB === "postgres" ? "SELECT pg_sleep(5)" : "SELECT pg_sleep(0.05)");
      await new Promise((r) => setTimeout(r, 400));
      await db.sql.query("SELECT 1");
      return "finished";
    }).then(
      (v) => v,
      (e: unknown) => e,
    );
    setTimeout(() => ac.abort(), 150);
    const outcome = await running;
    const ms = performance.now() - t0;
    expect(outcome).not.toBe("finished");
    const res = errorResponse(outcome);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/abandoned by its client/);
    if (TEST_DB === "postgres") {
      expect(ms).toBeLessThan(3000);
      const active = await db.sql.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(5)' AND state = 'active'`);
      expect(active[0]!.n).toBe(0);
    }
    // The abandoned request left the database usable.
    expect(await db.sql.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it("the database's failures map to 503 / 507 with Retry-After in the one mapper", async () => {
    const refused = Object.assign(new AggregateError([Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })], ""), { code: "ECONNREFUSED" });
    const cases: [unknown, number, string][] = [
      [refused, 503, "service_unavailable"],
      [Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }), 503, "service_unavailable"],
      [Object.assign(new Error("could not extend file: No space left on device"), { code: "53100" }), 507, "insufficient_storage"],
      [Object.assign(new Error("connection failure"), { code: "08006" }), 503, "service_unavailable"],
      [new Error("Connection terminated unexpectedly"), 503, "service_unavailable"],
      // Prisma wraps the driver's error
      [Object.assign(new Error("driver adapter error"), { cause: { originalCode: "57P01", kind: "postgres" } }), 503, "service_unavailable"],
      [Object.assign(new Error("Can't reach database server"), { code: "P1001" }), 503, "service_unavailable"],
    ];
    for (const [e, status, code] of cases) {
      const res = errorResponse(e);
      expect(res.status, String(e)).toBe(status);
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    expect(databaseErrorToAppError(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBeNull();
    expect(errorResponse(new Error("a bug")).status).toBe(500);
  });
});
