/**
 * The full-text vector computed in JS at ingest (lib/audit/search-vector.ts) equals the database's
 * audit_search_vector(content) — on PGlite (PostgreSQL 18), PostgreSQL 15 and Citus — for the demo
 * events, for hand-picked edge cases and for generated ones; where JS cannot be exact it leaves the
 * vector to the database (null). And the ingest path checks one JS vector per batch against the SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvents, computeSearchVectors, prepareAppend } from "@/lib/audit/append-events";
import type { EventInput } from "@/lib/audit/event-schema";
import { searchVectorText } from "@/lib/audit/search-vector";
import { buildDemoEvents } from "@/lib/demo/build-demo-events";
import { createTestDatabase, createTestOrg, TEST_DB, type TestDb } from "../support/test-database";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

/** For each event: the JS vector (or null) and whether it equals the SQL's, one statement for all. */
async function compare(events: EventInput[]) {
  const prepared = prepareAppend({ events }).events;
  const rows = await t.db.sql.query<{ same: boolean | null; sql: string }>(
    `SELECT j::tsvector = audit_search_vector(c) AS same, audit_search_vector(c)::text AS sql
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(c, j, n) ORDER BY n`,
    [prepared.map((p) => `${p.before}0${p.after}`), prepared.map((p) => p.vector)],
  );
  expect(rows).toHaveLength(events.length);
  return prepared.map((p, i) => ({ js: p.vector, sql: rows[i]!.sql, same: rows[i]!.same }));
}

const base = (i: number, extra: Partial<EventInput> = {}): EventInput => ({
  id: `sv-${i}`,
  action: "policy.update",
  actor: { id: "user-1", type: "user", email: "Alice@Example.com", name: "Alice Liddell" },
  resource: { type: "policy", id: "pol-1", name: "Block Critical" },
  ...extra,
});

/** A small seeded generator (the test is the same on every run). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0) / 2 ** 32);
}

describe(`search vectors computed in JS (${TEST_DB})`, () => {
  it("equal audit_search_vector() for every demo event", async () => {
    const events = buildDemoEvents({ seed: 7, end: new Date(Date.UTC(2026, 0, 1)) }).slice(0, 1500);
    const out = await compare(events);
    const computed = out.filter((o) => o.js !== null);
    expect(computed.length).toBe(events.length); // the demo data is ASCII: JS computes every vector
    for (const [i, o] of out.entries()) expect(o.same, `event ${i}: JS ${o.js} SQL ${o.sql}`).toBe(true);
  });

  it("equal it on edge cases: nested objects, escapes, numbers, the separator word, empty parts, case", async () => {
    const cases: EventInput[] = [
      base(1, { details: { b: 1, aa: "x\ny\tz\"q\\r", a: [1, -2.5, true, false, null, { zz: "1e5", y: "0x1F" }], ccc: {} } }),
      base(2, { changes: { severity: { old: "LOW", new: "High" }, "k\u0001": { old: null, new: 12345678901234567000 } } }),
      base(3, { details: { note: "zzauditsep at the start", zzauditsep: "and as a key" }, user_agent: "zzauditsep" }),
      base(4, { actor: { id: "svc-ci", type: "service_account" }, details: {} }),
      base(5, { actor: { id: "zzauditsep", type: "user" }, resource: { type: "t", id: "zzauditsep" } }),
      base(6, { details: { text: "3E10 1e5 2e 007 a1b2 96e3d 1e2e3 ABC-def_ghi.jkl/mno:pqr@stu", deep: { a: { b: { c: ["x", ["y", ["z"]]] } } } } }),
      base(7, { ip_address: "10.0.0.1", request_id: "req_ABC", session_id: "S-1", user_agent: "Mozilla/5.0 (X11; Linux x86_64)" }),
      base(8, { details: { n: 0.000001, m: 123456789012345680000, o: -0, p: 0.1 } }),
      base(9, { action: "a.b.c", repository: { id: "repo_api", name: "API  Server" } }),
      base(10, { details: { line: "first\r\nsecond\u007fthird\u001fend" } }),
      base(11, { actor: { id: "u", type: "user", name: "   " }, details: { "": "empty key", " ": "space key" } }),
      base(12, { details: { sep: "1e5zzauditsep", last: "x 2e7ZZAUDITSEP" }, user_agent: "7e1zzauditsep" }),
    ];
    const out = await compare(cases);
    for (const [i, o] of out.entries()) {
      expect(o.js, `case ${i + 1} computed in JS`).not.toBeNull();
      expect(o.same, `case ${i + 1}: JS ${o.js} SQL ${o.sql}`).toBe(true);
    }
  });

  it("equal it on 600 generated events (ASCII with punctuation, escapes and nesting)", async () => {
    const r = rng(20261128);
    const chars = "abceEXYZ019 .,-_@:/\\\"'\n\t{}[]()!?#$%&*+=<>|~`^\u0001\u001f\u007f";
    const word = () => Array.from({ length: 1 + Math.floor(r() * 12) }, () => chars[Math.floor(r() * chars.length)]).join("");
    const value = (depth: number): unknown => {
      const k = r();
      if (depth > 2 || k < 0.4) return word();
      if (k < 0.5) return Math.round(r() * 1e6) / (r() < 0.5 ? 1 : 100);
      if (k < 0.55) return r() < 0.5;
      if (k < 0.6) return null;
      if (k < 0.8) return Array.from({ length: Math.floor(r() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, () => [word(), value(depth + 1)]));
    };
    const events = Array.from({ length: 600 }, (_, i) =>
      base(100 + i, {
        action: `${word().replace(/[^a-z]/gi, "") || "x"}.y`,
        actor: { id: word().trim() || "a", type: "user", name: word(), ...(r() < 0.5 ? { email: "x@y.z" } : {}) },
        resource: { type: word().trim() || "t", id: word().trim() || "i", ...(r() < 0.5 ? { name: word() } : {}) },
        details: Object.fromEntries(Array.from({ length: Math.floor(r() * 5) }, () => [word(), value(0)])) as EventInput["details"],
        ...(r() < 0.3 ? { user_agent: word() } : {}),
      }),
    );
    const out = await compare(events);
    const computed = out.filter((o) => o.js !== null);
    expect(computed.length).toBeGreaterThan(550);
    for (const [i, o] of out.entries()) if (o.js !== null) expect(o.same, `event ${i}: JS ${o.js} SQL ${o.sql}`).toBe(true);
  });

  it("leaves to the database what JS cannot compute exactly (non-ASCII, exponents, many repeats)", async () => {
    const cases: EventInput[] = [
      base(201, { actor: { id: "u", type: "user", name: "Zoë Ünal" } }),
      base(202, { details: { city: "İstanbul" } }),
      base(203, { details: { big: 1e21 } }),
      base(204, { details: { small: 1e-7 } }),
      base(205, { details: { text: Array.from({ length: 300 }, () => "same").join(" ") } }),
      base(206, { details: { "clé": "v" } }),
    ];
    const out = await compare(cases);
    for (const [i, o] of out.entries()) expect(o.js, `case ${i + 201}`).toBeNull();
    expect(searchVectorText({ details: { text: "ok" } })).toBe("'text':2B 'ok':3B"); // keys are words too
  });

  it("ingest stores vectors equal to audit_search_vector(content), JS-computed and database-computed alike", async () => {
    const org = await createTestOrg(t.db);
    const events = [base(301), base(302, { actor: { id: "u", type: "user", name: "Zoë" } }), base(303, { details: { a: "b\nc" } })];
    await appendEvents({ sql: t.db.sql, orgId: org.id, events });
    const rows = await t.db.sql.query<{ id: string; same: boolean }>(
      `SELECT id, search_vector = audit_search_vector(content) AS same FROM audit_events WHERE org_id = $1 ORDER BY seq`,
      [org.id],
    );
    expect(rows.map((r) => [r.id, r.same])).toEqual([["sv-301", true], ["sv-302", true], ["sv-303", true]]);
  });

  it("a JS vector that differs from the SQL is caught by the batch's check: the database's vectors are used", async () => {
    const prepared = prepareAppend({ events: [base(401), base(402)] });
    expect(prepared.events.every((e) => e.vector !== null)).toBe(true);
    prepared.events[0]!.vector = "'forged':2A"; // as if the SQL definition had changed under the JS
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => void errors.push(a.join(" "));
    try {
      await computeSearchVectors(t.db.sql, prepared);
    } finally {
      console.error = original;
    }
    expect(String(errors[0])).toMatch(/differs from audit_search_vector/);
    const [check] = await t.db.sql.query<{ same: boolean }>(`SELECT $1::tsvector = audit_search_vector($2) AS same`, [
      prepared.events[0]!.vector,
      `${prepared.events[0]!.before}0${prepared.events[0]!.after}`,
    ]);
    expect(check!.same).toBe(true);
    // From now on (this process) prepareAppend leaves every vector to the database.
    expect(prepareAppend({ events: [base(403)] }).events[0]!.vector).toBeNull();
  });
});
