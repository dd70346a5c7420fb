import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvents } from "@/lib/audit/append-events";
import { buildDemoEvents } from "@/lib/demo/build-demo-events";
import { enforceRetention } from "@/lib/retention/enforce-retention";
import { ANALYTICS_EXACT as none, analyticsDrift as drift } from "../support/analytics-drift";
import { loadBulkEvents } from "../support/bulk-events";
import { createTestDatabase, TEST_DB, type TestDb } from "../support/test-database";

/**
 * Issue 11: the analytics side tables (daily/monthly rollups, scan scores, issue events and their
 * open-count deltas) are kept by audit_analytics_add / audit_analytics_remove in the writer's
 * transaction, no longer by transition-table triggers. Whatever wrote audit_events — ingest (with
 * duplicates and out-of-order issue events), a bulk INSERT … SELECT, the retention purge — they must
 * equal a recount from the stored events.
 */

let t: TestDb;
beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.sql.query(`INSERT INTO orgs (id, slug, name) VALUES ('org_ac', 'ac', 'ac'), ('org_bulk', 'bulk', 'bulk')`);
});
afterAll(async () => {
  await t?.drop();
});

describe(`analytics side tables equal a recount (${TEST_DB})`, () => {
  it("after ingest: batches, a retried batch (duplicates), issue events out of time order", async () => {
    const events = buildDemoEvents({ seed: 7, end: new Date() }).slice(0, 1500);
    for (let i = 0; i < events.length; i += 400) await appendEvents({ sql: t.db.sql, orgId: "org_ac", events: events.slice(i, i + 400) });
    // A retry of a batch: all duplicates, nothing counted twice.
    const retry = await appendEvents({ sql: t.db.sql, orgId: "org_ac", events: events.slice(0, 400) });
    expect(retry.every((r) => r.status === "duplicate")).toBe(true);
    // An issue resolved, then (later in the chain) created with an EARLIER timestamp, and a scan without a numeric score.
    const scanner = { id: "system_scanner", type: "system" as const, name: "Compliance Scanner" };
    await appendEvents({
      sql: t.db.sql,
      orgId: "org_ac",
      events: [
        { actor: scanner, action: "issue.resolved", timestamp: "2026-03-02T10:00:00Z", resource: { type: "issue", id: "late-1" }, details: { framework: "soc2" } },
        { actor: scanner, action: "scan.completed", timestamp: "2026-03-02T11:00:00Z", resource: { type: "scan", id: "s-x" }, details: { score: "n/a" } },
      ],
    });
    await appendEvents({
      sql: t.db.sql,
      orgId: "org_ac",
      events: [{ actor: scanner, action: "issue.created", timestamp: "2026-03-01T10:00:00Z", resource: { type: "issue", id: "late-1" }, details: { framework: "soc2" } }],
    });
    const deltas = await t.db.sql.query<{ delta: number }>(`SELECT delta FROM audit_issue_events WHERE org_id = 'org_ac' AND resource_id = 'late-1' ORDER BY "timestamp"`);
    expect(deltas.map((d) => d.delta)).toEqual([1, -1]);
    const [n] = await t.db.sql.query<{ daily: number; scans: number; issues: number }>(
      `SELECT (SELECT sum(event_count) FROM audit_daily_rollups WHERE org_id = 'org_ac')::int8 AS daily,
              (SELECT count(*) FROM audit_scan_scores WHERE org_id = 'org_ac')::int8 AS scans,
              (SELECT count(*) FROM audit_issue_events WHERE org_id = 'org_ac')::int8 AS issues`,
    );
    expect(Number(n!.daily)).toBe(events.length + 3);
    expect(Number(n!.scans)).toBeGreaterThan(0);
    expect(Number(n!.issues)).toBeGreaterThan(0);
    expect(await drift(t.db.sql, "org_ac")).toEqual(none);
  });

  it("after a bulk INSERT … SELECT (tests/support/bulk-events.ts), twice", async () => {
    await loadBulkEvents({ sql: t.db.sql, orgId: "org_bulk", count: 3000 });
    await loadBulkEvents({ sql: t.db.sql, orgId: "org_bulk", count: 500, startSeq: 3001 });
    expect(await drift(t.db.sql, "org_bulk")).toEqual(none);
    const [v] = await t.db.sql.query<{ n: number }>(
      `SELECT count(*)::int8 AS n FROM audit_events WHERE org_id = 'org_bulk' AND search_vector IS DISTINCT FROM audit_search_vector(content)`,
    );
    expect(Number(v!.n)).toBe(0);
  });

  it("after the retention purge removed a prefix", async () => {
    await t.db.sql.query(
      `INSERT INTO retention_policies (org_id, audit_logs_retention_days, audit_logs_archive_after_days, scan_results_retention_days,
         scan_results_archive_after_days, evidence_exports_retention_days) VALUES ('org_ac', 30, 30, 30, 30, 30)`,
    );
    const r = await enforceRetention({ db: t.db, orgId: "org_ac" });
    expect(r.removed).toBeGreaterThan(0);
    expect(await drift(t.db.sql, "org_ac")).toEqual(none);
  });

  it("ingested rows carry the search vector their content gives", async () => {
    const [v] = await t.db.sql.query<{ n: number; total: number }>(
      `SELECT count(*) FILTER (WHERE search_vector IS DISTINCT FROM audit_search_vector(content))::int8 AS n, count(*)::int8 AS total
         FROM audit_events WHERE org_id = 'org_ac'`,
    );
    expect(Number(v!.total)).toBeGreaterThan(0);
    expect(Number(v!.n)).toBe(0);
  });
});
