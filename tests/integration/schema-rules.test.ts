import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import * as logById from "@/app/api/v1/audit/logs/[id]/route";
import * as proof from "@/app/api/v1/audit/logs/[id]/proof/route";
import * as search from "@/app/api/v1/audit/search/route";
import * as statistics from "@/app/api/v1/audit/statistics/route";
import * as history from "@/app/api/v1/audit/history/route";
import * as explorerEvents from "@/app/api/v1/audit/explorer/events/route";
import * as facets from "@/app/api/v1/audit/explorer/facets/route";
import * as histogram from "@/app/api/v1/audit/explorer/histogram/route";
import * as checkpoint from "@/app/api/v1/audit/checkpoint/route";
import * as verify from "@/app/api/v1/audit/verify/route";
import * as retention from "@/app/api/v1/audit/retention/route";
import * as holds from "@/app/api/v1/audit/legal-holds/route";
import * as release from "@/app/api/v1/audit/legal-holds/[id]/release/route";
import * as amp from "@/app/v1/audit_logs/route";
import { COORDINATOR_TABLES, DISTRIBUTION_COLUMN, REFERENCE_TABLES } from "@/lib/db/citus-layout";
import { getDatabase } from "@/lib/db/get-database";
import type { SqlExecutor } from "@/lib/db/sql";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { TEST_DB } from "../support/test-database";

/**
 * Issue 11: the rules that let the same schema run on Citus (distributed by org_id), checked on the
 * migrated database itself (PostgreSQL and PGlite alike). "Org tables" are the tables Citus
 * distributes: every public table with an org_id column that lib/db/citus-layout.ts does not list as
 * a reference or coordinator table.
 *
 * The request-path rule is checked by EXPLAIN, not by reading the code: every statement the
 * database driver receives while a representative set of API requests runs (ingest, lists, get,
 * proof, search, statistics, history, explorer, checkpoint, verify, retention, legal holds, the AMP
 * dialect — raw SQL and Prisma alike, captured at the driver) is explained with its own parameters,
 * and every scan of an org table in the plan must carry a condition on org_id (index condition,
 * filter or recheck, on the scan or on the index scan below it). On Citus such a statement is
 * routed to one org's shard; one without would fan out to every shard. There EXPLAIN shows Citus's
 * distributed plan: the same rule is read from the shard plans inside it (shard tables named
 * <table>_<shard id>), and in addition every distributed job over an org table must be routed to
 * ONE shard ("Task Count": 1) — which is what "filters on the distribution column" means there.
 */
const referenceOrCoordinator = new Set<string>([...REFERENCE_TABLES, ...COORDINATOR_TABLES]);

async function orgTables(sql: SqlExecutor): Promise<string[]> {
  const rows = await sql.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = $1 AND NOT a.attisdropped)
      ORDER BY 1`,
    [DISTRIBUTION_COLUMN],
  );
  return rows.map((r) => r.name).filter((n) => !referenceOrCoordinator.has(n));
}

/** Statements the drivers received (text + parameters), while `capturing` is on. */
const captured: { text: string; values: unknown[] }[] = [];
let capturing = false;
function record(args: unknown[]) {
  if (!capturing) return;
  const [a, b] = args;
  if (typeof a === "string") captured.push({ text: a, values: Array.isArray(b) ? b : [] });
  else if (a && typeof a === "object" && typeof (a as { text?: unknown }).text === "string") {
    const q = a as { text: string; values?: unknown[] };
    captured.push({ text: q.text, values: q.values ?? (Array.isArray(b) ? b : []) });
  }
}
const pgQuery = pg.Client.prototype.query;
const pgliteQuery = PGlite.prototype.query;

type PlanNode = { "Node Type": string; "Relation Name"?: string; Plans?: PlanNode[]; [k: string]: unknown };
const CONDITIONS = ["Index Cond", "Filter", "Recheck Cond", "Join Filter", "Hash Cond", "Merge Cond", "TID Cond"];
function mentionsOrg(node: PlanNode): boolean {
  if (CONDITIONS.some((k) => typeof node[k] === "string" && (node[k] as string).includes(DISTRIBUTION_COLUMN))) return true;
  return (node.Plans ?? []).some(mentionsOrg);
}
/** The org table a relation name stands for: the table itself or one of its Citus shards (<table>_<shard id>). */
function orgTableOf(rel: string | undefined, tables: Set<string>): string | undefined {
  if (!rel) return undefined;
  if (tables.has(rel)) return rel;
  const base = rel.replace(/_\d+$/, "");
  return base !== rel && tables.has(base) ? base : undefined;
}

/**
 * Violations in an EXPLAIN (FORMAT JSON) answer, walking every plan in it — on Citus also the
 * sub-plans and the shard ("Remote Plan") plans inside "Distributed Query":
 *   - a scan of an org table (or shard) with no condition on org_id;
 *   - a Citus job over an org table with more than one task (the statement fans out to every shard).
 * `seen` counts the org-table scans inspected, so the check cannot pass by finding nothing.
 */
function planViolations(value: unknown, tables: Set<string>, out: string[], seen: { scans: number; jobs: number }): string[] {
  if (Array.isArray(value)) {
    for (const v of value) planViolations(v, tables, out, seen);
    return out;
  }
  if (!value || typeof value !== "object") return out;
  const obj = value as Record<string, unknown>;
  if (typeof obj["Node Type"] === "string") {
    const node = obj as PlanNode;
    const table = orgTableOf(node["Relation Name"], tables);
    if (table && /Scan/.test(node["Node Type"])) {
      seen.scans++;
      if (!mentionsOrg(node)) out.push(`${node["Node Type"]} on ${table}`);
    }
  }
  if (typeof obj["Task Count"] === "number" && Array.isArray(obj["Tasks"])) {
    const inJob = new Set<string>();
    const collect = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(collect);
      else if (v && typeof v === "object") {
        const t = orgTableOf((v as PlanNode)["Relation Name"], tables);
        if (t) inJob.add(t);
        Object.values(v).forEach(collect);
      }
    };
    collect(obj["Tasks"]);
    if (inJob.size > 0) {
      seen.jobs++;
      if ((obj["Task Count"] as number) > 1) out.push(`${obj["Task Count"]} shard tasks (not routed to one org's shard) on ${[...inJob].join(", ")}`);
    }
  }
  for (const v of Object.values(obj)) planViolations(v, tables, out, seen);
  return out;
}

let app: { close(): Promise<void> };
let token: string;
let adminToken: string;
beforeAll(async () => {
  app = await useScratchApp();
  await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "rules" } });
  await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "rules-other" } });
  token = (await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org: "rules", name: "t", scopes: ["audit:read", "audit:write", "audit:export"] } })).body.token;
  adminToken = (await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org: "rules", name: "a", scopes: ["audit:read", "audit:write", "admin"] } })).body.token;
});
afterAll(async () => {
  pg.Client.prototype.query = pgQuery;
  PGlite.prototype.query = pgliteQuery;
  await app?.close();
});

describe(`schema rules for Citus (${TEST_DB})`, () => {
  it("every primary key and unique index of an org table contains org_id", async () => {
    const { sql } = await getDatabase();
    const tables = await orgTables(sql);
    expect(tables).toEqual(expect.arrayContaining(["audit_events", "audit_chain_heads", "audit_daily_rollups", "legal_holds", "retention_policies"]));
    const bad = await sql.query<{ tbl: string; idx: string }>(
      `SELECT i.indrelid::regclass::text AS tbl, i.indexrelid::regclass::text AS idx
         FROM pg_index i
        WHERE i.indisunique AND i.indrelid::regclass::text = ANY ($1::text[])
          AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attname = $2 AND a.attnum = ANY (i.indkey))
        ORDER BY 1, 2`,
      [tables, DISTRIBUTION_COLUMN],
    );
    expect(bad).toEqual([]);
  });

  it("no foreign key cascades (or sets anything) on update", async () => {
    const { sql } = await getDatabase();
    const bad = await sql.query<{ name: string; def: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE contype = 'f' AND connamespace = 'public'::regnamespace AND confupdtype NOT IN ('a', 'r') ORDER BY 1`,
    );
    expect(bad).toEqual([]);
  });

  it("no trigger uses transition tables (REFERENCING OLD/NEW TABLE)", async () => {
    const { sql } = await getDatabase();
    const bad = await sql.query<{ name: string }>(
      `SELECT tgname AS name FROM pg_trigger WHERE NOT tgisinternal AND (tgoldtable IS NOT NULL OR tgnewtable IS NOT NULL) ORDER BY 1`,
    );
    expect(bad).toEqual([]);
  });

  it("every statement of a representative set of API requests filters each org table it scans by org_id (EXPLAIN)", async () => {
    const { sql } = await getDatabase();
    const tables = new Set(await orgTables(sql));
    const scanner = { id: "system_scanner", type: "system", name: "Scanner" };
    const alice = { id: "user_alice", type: "user", email: "alice@acme.com" };
    const events = Array.from({ length: 40 }, (_, i) => ({
      id: `r-${i}`, timestamp: `2026-0${1 + (i % 9)}-1${i % 10}T10:00:00Z`, actor: i % 3 ? alice : scanner,
      action: ["policy.update", "scan.completed", "issue.created", "issue.resolved"][i % 4], resource: { type: "policy", id: `p${i % 5}` },
      repository: { id: "repo_web", name: "acme/web" }, details: { framework: "soc2", score: i, note: "critical block" },
    }));

    // Capture at the drivers (pg for PostgreSQL, PGlite's query) from here on.
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      record(args);
      return (pgQuery as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pgQuery;
    PGlite.prototype.query = function (this: PGlite, ...args: unknown[]) {
      record(args);
      return (pgliteQuery as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pgliteQuery;
    capturing = true;
    const ok = (r: { status: number }, what: string) => expect(r.status, what).toBeLessThan(300);
    ok(await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: { events } }), "ingest batch");
    ok(await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: events[0] }), "ingest retry");
    for (const q of ["limit=10", "actor=alice@acme.com", "event_type=scan.completed", "repository_id=repo_web", "from=2026-02-01&to=2026-05-01", "page=2&limit=5"]) {
      ok(await call(logs.GET, "GET", `/api/v1/audit/logs?${q}`, { token }), `list ${q}`);
    }
    ok(await call(logById.GET, "GET", "/api/v1/audit/logs/r-3", { token, params: { id: "r-3" } }), "get");
    ok(await call(proof.GET, "GET", "/api/v1/audit/logs/r-3/proof", { token, params: { id: "r-3" } }), "proof");
    ok(await call(search.GET, "GET", "/api/v1/audit/search?q=critical", { token }), "search");
    ok(await call(statistics.GET, "GET", "/api/v1/audit/statistics", { token }), "statistics");
    ok(await call(history.GET, "GET", "/api/v1/audit/history?from=2026-01-01&to=2026-10-01", { token }), "history");
    ok(await call(explorerEvents.GET, "GET", "/api/v1/audit/explorer/events?q=actor:alice@acme.com", { token }), "explorer");
    ok(await call(facets.GET, "GET", "/api/v1/audit/explorer/facets", { token }), "facets");
    ok(await call(histogram.GET, "GET", "/api/v1/audit/explorer/histogram", { token }), "histogram");
    ok(await call(checkpoint.GET, "GET", "/api/v1/audit/checkpoint", { token }), "checkpoint");
    ok(await call(verify.POST, "POST", "/api/v1/audit/verify", { token }), "verify");
    ok(await call(retention.GET, "GET", "/api/v1/audit/retention", { token: adminToken }), "retention");
    const hold = await call(holds.POST, "POST", "/api/v1/audit/legal-holds", { token: adminToken, body: { scope: "all", reason: "rules" } });
    ok(hold, "hold");
    ok(await call(holds.GET, "GET", "/api/v1/audit/legal-holds", { token: adminToken }), "holds");
    ok(await call(release.POST, "POST", `/api/v1/audit/legal-holds/${hold.body.data.id}/release`, { token: adminToken, params: { id: hold.body.data.id } }), "release");
    ok(await call(amp.GET, "GET", "/v1/audit_logs?limit=5", { token }), "AMP list");
    capturing = false;

    const statements = new Map<string, { text: string; values: unknown[] }>();
    for (const c of captured) if (/^\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\b/i.test(c.text) && !statements.has(c.text)) statements.set(c.text, c);
    const touching = [...statements.values()].filter((s) => [...tables].some((t) => new RegExp(`\\b${t}\\b`).test(s.text)));
    expect(touching.length).toBeGreaterThan(20);
    const violations: string[] = [];
    const seen = { scans: 0, jobs: 0 };
    const [{ citus }] = (await sql.query<{ citus: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') AS citus`)) as [{ citus: boolean }];
    await sql.transaction(async (tx) => {
      // The check can fail: a statement without org_id is caught (on Citus: it fans out to every
      // shard and its shard plan scans without org_id). The second control, with org_id, passes.
      const control = [
        { text: `SELECT count(*) FROM audit_events WHERE action = $1`, values: ["user.login"] },
        { text: `SELECT count(*) FROM audit_events WHERE org_id = $1 AND action = $2`, values: ["rules", "user.login"] },
      ];
      for (const s of [...control, ...touching]) {
        const [row] = await tx.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) ${s.text}`, s.values as never);
        const raw = row!["QUERY PLAN"];
        const plan = (typeof raw === "string" ? JSON.parse(raw) : raw) as unknown;
        const bad = planViolations(plan, tables, [], seen);
        if (bad.length > 0) violations.push(`${bad.join(", ")} in: ${s.text.replace(/\s+/g, " ").slice(0, 300)}`);
      }
    });
    expect(violations[0]).toMatch(/on audit_events in: SELECT count\(\*\) FROM audit_events WHERE action/);
    if (citus) expect(violations[0]).toMatch(/shard tasks \(not routed to one org's shard\) on audit_events/);
    expect(violations.slice(1)).toEqual([]);
    // Not vacuous: the org-table scans (on Citus: in the shard plans, and the jobs) were found.
    expect(seen.scans).toBeGreaterThan(10);
    if (citus) expect(seen.jobs).toBeGreaterThan(10);
  });
});
