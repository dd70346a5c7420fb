/**
 * Property-based fuzzer over every operation of GET /api/openapi.json (issue 10), calling the
 * route handlers in-process as Next.js does, on PGlite and on PostgreSQL.
 *
 * For each operation fast-check generates valid and hostile parameters and bodies (NUL, lone
 * surrogates, invalid UTF-8 percent-escapes, extreme dates, huge numbers, deep nesting, repeated
 * parameters, tampered cursors, wrong content types, broken JSON and UTF-8). Properties:
 * - never a 5xx;
 * - a 400/413/415/422 names the field (`error.field`) and stores nothing (rows counted before/after);
 * - a 2xx ingest stores exactly what was sent (canonical content read back from the database and
 *   through GET /api/v1/audit/logs/{id});
 * - at the end the ingest org's chain verifies and holds exactly the acknowledged events.
 *
 * Seeded (FUZZ_SEED) and bounded (FUZZ_RUNS cases per operation, ×10 for ingest) so CI stays
 * fast; `npm run fuzz` runs a longer one. Prints one summary line per database.
 */
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as openapi from "@/app/api/openapi.json/route";
import { canonicalJson } from "@/lib/audit/canonical-json";
import { getEvent } from "@/lib/audit/query-events";
import { getDatabase } from "@/lib/db/get-database";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import {
  cursorArb, encodeComponent, hostileValueArb, nastyText, operationsOf, pathsOf, queryValueArb, routeModules, setAt, validEventArb, wireBodyArb,
  bodyFromSchema, type Operation, type Schema, type WireBody,
} from "../support/openapi-fuzz";
import { TEST_DB } from "../support/test-database";

const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const REFUSALS = new Set([400, 409, 413, 415, 422]);
const NAMED = new Set([400, 413, 415, 422]);

type Handler = (req: Request, ctx?: { params: Promise<Record<string, string>> }) => Promise<Response>;

let app: { close(): Promise<void> };
let doc: Schema;
let modules: Map<string, Record<string, Handler>>;
const org = { fi: "", fo: "" };
const tokens = { fi: "", fo: "" };
const knownIds: string[] = ["missing-id", "exp_0000", "export_0000", "hold_0000", "fuzz-out"];
const stats = { cases: 0, byStatus: new Map<number, number>(), fiveXX: 0, storedOnRefusal: 0, unnamed: 0, stored2xx: 0, acknowledged: 0, comparedExact: 0 };
const failures: string[] = [];
let setupEvents = 0;

async function snapshot(): Promise<string> {
  const db = await getDatabase();
  const r = await db.sql.query<Record<string, number>>(
    `SELECT (SELECT count(*) FROM audit_events)::int AS events, (SELECT count(*) FROM export_jobs)::int AS exports,
            (SELECT count(*) FROM api_tokens)::int AS tokens, (SELECT count(*) FROM orgs)::int AS orgs,
            (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM memberships)::int AS memberships,
            (SELECT count(*) FROM legal_holds)::int AS holds, (SELECT count(*) FROM retention_policies)::int AS policies`,
  );
  return JSON.stringify(r[0]);
}

async function countEvents(orgId: string): Promise<number> {
  const db = await getDatabase();
  return (await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1`, [orgId]))[0]!.n;
}

interface Case {
  query: [string, string, boolean][];
  params: Record<string, string>;
  body?: WireBody;
  auth: "owner" | "none" | "garbage" | "basic-garbage";
}

/**
 * Which credential an operation runs with: the ingest org sees only ingest and GET reads, so its
 * event count is exactly what ingest acknowledged; everything else (verify, which records
 * `integrity.verified`, exports, admin) runs in the other org.
 */
function ownerToken(op: Operation): string | undefined {
  if (op.scope === null) return undefined;
  if (op.method === "POST" && op.path === "/api/v1/admin/orgs") return ROOT_TOKEN;
  const fi = op.scope === "audit:write" || (op.scope === "audit:read" && op.method === "GET");
  return fi ? tokens.fi : tokens.fo;
}

async function send(op: Operation, c: Case) {
  const pathText = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeComponent(c.params[name] ?? "", true));
  const qs = c.query.map(([k, v, raw]) => `${encodeComponent(k, false)}=${encodeComponent(v, raw)}`).join("&");
  const headers = new Headers();
  const token = ownerToken(op);
  if (c.auth === "owner" && token) headers.set("authorization", `Bearer ${token}`);
  if (c.auth === "garbage") headers.set("authorization", "Bearer audt_nope\u00ff");
  if (c.auth === "basic-garbage") headers.set("authorization", `Basic ${Buffer.from("tok_x:\u0000").toString("base64")}`);
  if (c.body?.contentType !== undefined && c.body.contentType !== null) headers.set("content-type", c.body.contentType);
  const req = new Request(new URL(`${pathText}${qs ? `?${qs}` : ""}`, "http://localhost"), {
    method: op.method,
    headers,
    body: c.body?.bytes && op.method !== "GET" ? Buffer.from(c.body.bytes) : undefined,
  });
  const handler = modules.get(op.path)?.[op.method];
  if (!handler) throw new Error(`no route module for ${op.method} ${op.path}`);
  const res = await handler(req, { params: Promise.resolve(c.params) });
  const text = await res.text();
  let body: Schema = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/** Runs one case and checks every property; returns false (with a reason in `failures`) on a violation. */
async function runCase(op: Operation, c: Case): Promise<boolean> {
  const before = await snapshot();
  const fiBefore = await countEvents(org.fi);
  const res = await send(op, c);
  stats.cases++;
  stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1);
  const label = `${op.method} ${op.path} → ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)} | case ${JSON.stringify({ ...c, body: c.body && { contentType: c.body.contentType, text: c.body.bytes ? Buffer.from(c.body.bytes).toString("utf8").slice(0, 300) : null } })}`;
  if (res.status >= 500) {
    stats.fiveXX++;
    failures.push(`5xx: ${label}`);
    return false;
  }
  if (REFUSALS.has(res.status)) {
    if (NAMED.has(res.status) && !(typeof res.body?.error?.field === "string" && res.body.error.field.length > 0)) {
      stats.unnamed++;
      failures.push(`4xx without a field: ${label}`);
      return false;
    }
    if ((await snapshot()) !== before) {
      stats.storedOnRefusal++;
      failures.push(`stored on refusal: ${label}`);
      return false;
    }
  }
  const isIngest = op.method === "POST" && op.path === "/api/v1/audit/logs";
  if (!isIngest && (await countEvents(org.fi)) !== fiBefore) {
    failures.push(`the ingest org gained events from another operation: ${label}`);
    return false;
  }
  if (isIngest) {
    const created = res.status < 300 ? ((res.body?.data?.events ?? []) as { id: string; status: string }[]) : [];
    const newOnes = created.filter((e) => e.status === "created");
    stats.acknowledged += newOnes.length;
    if ((await countEvents(org.fi)) !== fiBefore + newOnes.length) {
      failures.push(`acknowledged ${newOnes.length} but the org gained ${(await countEvents(org.fi)) - fiBefore}: ${label}`);
      return false;
    }
    if (res.status < 300) {
      stats.stored2xx++;
      const value = c.body?.value as Schema;
      const sent = (value && typeof value === "object" && "events" in value ? value.events : [value]) as Record<string, unknown>[];
      const db = await getDatabase();
      for (let i = 0; i < created.length; i++) {
        if (created[i]!.status !== "created") continue;
        const ev = sent[i]!;
        const stored = await getEvent({ sql: db.sql, orgId: org.fi, id: created[i]!.id });
        if (!stored) {
          failures.push(`acknowledged ${created[i]!.id} is not stored: ${label}`);
          return false;
        }
        const { seq: _s, received_at: _r, hash: _h, previous_hash: _p, timestamp, ...content } = stored;
        const { timestamp: sentTs, ...expected } = { ...ev, id: created[i]!.id } as Record<string, unknown>;
        const sameTime = sentTs === undefined || Date.parse(timestamp) === Date.parse(sentTs as string);
        if (canonicalJson(content) !== canonicalJson(expected) || !sameTime) {
          failures.push(`stored differs from sent: ${canonicalJson(content).slice(0, 400)} vs ${canonicalJson(expected).slice(0, 400)} (${timestamp} vs ${String(sentTs)})`);
          return false;
        }
        const read = await call(modules.get("/api/v1/audit/logs/{id}")!.GET!, "GET", `/api/v1/audit/logs/${encodeURIComponent(created[i]!.id)}`, { token: tokens.fi, params: { id: created[i]!.id } });
        for (const k of ["resource", "details", "changes"] as const) {
          if (read.status !== 200 || canonicalJson(read.body.data[k] ?? null) !== canonicalJson(ev[k] ?? (k === "details" ? {} : null))) {
            failures.push(`GET /api/v1/audit/logs/{id} ${k} differs from sent: ${JSON.stringify(read.body).slice(0, 400)}`);
            return false;
          }
        }
        stats.comparedExact++;
      }
    }
  }
  return true;
}

/** Parameters for an operation: schema-valid or hostile values, repeats, unknown names, raw escapes. */
function caseArb(op: Operation): fc.Arbitrary<Case> {
  const ids = fc.oneof(fc.constantFrom(...knownIds), nastyText, fc.string({ unit: "binary", maxLength: 20 }));
  const known = { cursor: cursorArb, ids, q: fc.oneof(nastyText, fc.constantFrom("actor:user-1", "action:policy.*", "-action:user.login", "created:>2025-01-01", "created:2025-01-01..2025-02-01", '"PII"', "repo:acme/web", "ip:203.0.113.10")) };
  const queryEntries = op.query.length
    ? fc.array(
        fc.oneof(
          { arbitrary: fc.constantFrom(...op.query).chain((p) => fc.tuple(fc.constant(p.name), queryValueArb(p.name, p.schema, known), fc.boolean())), weight: 6 },
          { arbitrary: fc.tuple(nastyText, nastyText, fc.boolean()), weight: 1 },
        ),
        { maxLength: 6 },
      )
    : fc.array(fc.tuple(nastyText, nastyText, fc.boolean()), { maxLength: 1 });
  const params = fc.record(Object.fromEntries(op.pathParams.map((n) => [n, ids])) as Record<string, fc.Arbitrary<string>>);
  const auth = fc.oneof({ arbitrary: fc.constant("owner" as const), weight: 12 }, { arbitrary: fc.constantFrom("none" as const, "garbage" as const, "basic-garbage" as const), weight: 1 });
  let body: fc.Arbitrary<WireBody | undefined> = fc.constant(undefined);
  if (op.method === "POST" && op.path === "/api/v1/audit/logs") body = wireBodyArb(ingestValueArb());
  else if (op.body) body = wireBodyArb(mutated(bodyFromSchema(doc, op.body, "body", { ids })));
  else if (op.method !== "GET") body = fc.option(wireBodyArb(fc.constantFrom({}, { a: "\u0000" }, [])), { nil: undefined });
  return fc.record({ query: queryEntries, params, body, auth });
}

/** A valid value, or one with a hostile member, an unknown member or a required one missing. */
function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: valid, weight: 3 },
    {
      arbitrary: fc.tuple(valid, fc.nat(), hostileValueArb, fc.constantFrom("replace", "add", "remove")).map(([v, n, bad, how]) => {
        const paths = pathsOf(v);
        const p = paths[n % paths.length]!;
        if (how === "add" && v && typeof v === "object" && !Array.isArray(v)) return setAt(v, ["unexpected_member"], bad);
        if (how === "remove" && p.length > 0) {
          const parentPath = p.slice(0, -1);
          const parent = parentPath.reduce<Schema>((o, k) => o[k], v);
          if (parent && typeof parent === "object" && !Array.isArray(parent)) {
            const copy = setAt(v, parentPath, Object.fromEntries(Object.entries(parent).filter(([k]) => k !== p[p.length - 1])));
            return copy;
          }
        }
        return setAt(v, p, bad);
      }),
      weight: 2,
    },
  );
}

function ingestValueArb(): fc.Arbitrary<unknown> {
  const one = mutated(validEventArb);
  return fc.oneof(
    { arbitrary: one, weight: 3 },
    { arbitrary: fc.array(one, { minLength: 1, maxLength: 4 }).map((events) => ({ events })), weight: 2 },
    { arbitrary: fc.array(validEventArb, { minLength: 1, maxLength: 5 }).map((events) => ({ events })), weight: 2 },
  );
}

beforeAll(async () => {
  process.env.AUDIT_RATE_LIMIT = "0";
  app = await useScratchApp();
  doc = (await call(openapi.GET, "GET", "/api/openapi.json")).body;
  modules = await routeModules(path.resolve(import.meta.dirname, "../.."));
  const root = (p: string, body: unknown) => call(modules.get(p)!.POST!, "POST", p, { token: ROOT_TOKEN, body });
  org.fi = (await root("/api/v1/admin/orgs", { slug: "fuzz-in", name: "Fuzz ingest" })).body.id;
  org.fo = (await root("/api/v1/admin/orgs", { slug: "fuzz-out", name: "Fuzz other" })).body.id;
  tokens.fi = (await root("/api/v1/admin/tokens", { org: "fuzz-in", name: "fi", scopes: ["audit:read", "audit:write"] })).body.token;
  tokens.fo = (await root("/api/v1/admin/tokens", { org: "fuzz-out", name: "fo", scopes: ["audit:read", "audit:write", "audit:export", "admin"] })).body.token;
  expect(tokens.fi && tokens.fo).toBeTruthy();
  // What the service itself recorded in the ingest org while setting up (org and token created).
  setupEvents = await countEvents(org.fi);
  // Some data to read, list and export (acknowledged like any other ingest).
  const seed = fc.sample(validEventArb, { numRuns: 30, seed: SEED });
  const r = await call(modules.get("/api/v1/audit/logs")!.POST!, "POST", "/api/v1/audit/logs", { token: tokens.fi, body: { events: seed } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  stats.acknowledged += r.body.data.accepted;
  knownIds.push(...seed.flatMap((e) => (e.id ? [e.id] : [])).slice(0, 5));
  const exp = await call(modules.get("/audit-logs/export")!.POST!, "POST", "/audit-logs/export", { token: tokens.fo, body: { format: "jsonl" } });
  expect(exp.status).toBe(202);
  knownIds.push(exp.body.exportId);
});

afterAll(async () => {
  delete process.env.AUDIT_RATE_LIMIT;
  await app?.close();
});

describe(`API fuzzer over /api/openapi.json (${TEST_DB})`, () => {
  // Its own time budget: ~43 operations × FUZZ_RUNS cases (×10 for ingest); the default config's 120 s is for ordinary tests.
  it("every operation: never 5xx; refusals name the field and store nothing; ingest stores exactly what was sent", { timeout: 120_000 + RUNS * 20_000 }, async () => {
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThan(30);
    for (const op of ops) expect(modules.get(op.path)?.[op.method], `${op.method} ${op.path} has a route module`).toBeDefined();
    const started = Date.now();
    for (const op of ops) {
      const isIngest = op.method === "POST" && op.path === "/api/v1/audit/logs";
      const failedBefore = failures.length;
      await fc.assert(
        fc.asyncProperty(caseArb(op), (c) => runCase(op, c)),
        { seed: SEED, numRuns: isIngest ? RUNS * 10 : RUNS, endOnFailure: true },
      ).catch((e: Error) => {
        // Every operation runs even when one fails, so the summary counts them all.
        if (failures.length === failedBefore) failures.push(`${op.method} ${op.path}: ${e.message.slice(0, 600)}`);
      });
    }
    const status = [...stats.byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}:${n}`).join(" ");
    console.log(
      `[fuzz ${TEST_DB}] seed ${SEED}, ${ops.length} operations, ${stats.cases} cases in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
        `5xx ${stats.fiveXX}, stored on refusal ${stats.storedOnRefusal}, refusals without a field ${stats.unnamed}, ` +
        `2xx ingests ${stats.stored2xx} (${stats.comparedExact} events compared exactly), operations failing ${failures.length}, statuses ${status}`,
    );
    expect(failures).toEqual([]);
    expect(stats.fiveXX).toBe(0);
    expect(stats.storedOnRefusal).toBe(0);
    expect(stats.comparedExact).toBeGreaterThan(0);
  });

  it("at the end the ingest org's chain verifies and holds exactly the acknowledged events", async () => {
    expect(stats.acknowledged).toBeGreaterThan(30);
    const stored = await countEvents(org.fi);
    expect(stored).toBe(setupEvents + stats.acknowledged);
    const v = await call(modules.get("/api/v1/audit/verify")!.POST!, "POST", "/api/v1/audit/verify", { token: tokens.fi });
    expect(v.status).toBe(200);
    expect(v.body.data).toMatchObject({ verified: true, chain_valid: true });
    console.log(`[fuzz ${TEST_DB}] acknowledged ${stats.acknowledged} + ${setupEvents} set-up records = stored ${stored}; chain verified over ${v.body.data.logs_checked} entries`);
  });
});
