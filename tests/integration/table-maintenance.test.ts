import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvents } from "@/lib/audit/append-events";
import { hasCitus } from "@/lib/db/distribute-tables";
import { findMaintenanceStep, startTableMaintenance } from "@/lib/db/maintain-tables";
import { withoutQueryBudget } from "@/lib/db/query-budget";
import type { Database } from "@/lib/db/open-database";
import { createTestDatabase, createTestOrg, sampleEvent, type TestDb } from "../support/test-database";

/**
 * Issue #11 item 5: tables that stay healthy by themselves. The service's own upkeep (what PGlite
 * needs, having no autovacuum) analyzes and vacuums the audit tables after a large append, from the
 * storage parameters the table_upkeep migration sets; ingest keeps working while it runs.
 * The same code runs on PostgreSQL (where the service leaves it to autovacuum).
 */
let t: TestDb;
let db: Database;
let orgId: string;
const BATCH = 1000;

const batch = (from: number) => Array.from({ length: BATCH }, (_, i) => sampleEvent(from + i));
// Bulk set-up on a busy machine: without the per-request statement budget (not what is tested here).
// Then one turn of the event loop, as between HTTP requests, so the maintenance timer can run.
const append = async (from: number) => {
  const results = await withoutQueryBudget(() => appendEvents({ sql: db.sql, orgId, events: batch(from) }));
  await new Promise((r) => setImmediate(r));
  return results;
};

async function tableState(name: string) {
  const [row] = await db.sql.query<{ reltuples: number; relallvisible: number; relpages: number }>(
    `SELECT reltuples::float8 AS reltuples, relallvisible, relpages FROM pg_class WHERE oid = $1::regclass`,
    [name],
  );
  return row!;
}

let citus = false;

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  citus = await hasCitus(db.sql);
  orgId = (await createTestOrg(db)).id;
});
afterAll(async () => {
  await t?.drop();
});

describe("table upkeep", () => {
  it("sets insert-only storage parameters on the append-only tables", async () => {
    const rows = await db.sql.query<{ relname: string; reloptions: string[] | null }>(
      `SELECT relname, reloptions FROM pg_class WHERE relname = ANY($1::text[]) ORDER BY relname`,
      [["audit_events", "audit_merkle_nodes", "audit_checkpoints", "audit_column_attestations", "audit_issue_events"]],
    );
    expect(rows).toHaveLength(5);
    const expected = [
      "fillfactor=100",
      "autovacuum_vacuum_insert_threshold=10000",
      "autovacuum_vacuum_insert_scale_factor=0.05",
      "autovacuum_analyze_threshold=10000",
      "autovacuum_analyze_scale_factor=0.05",
    ];
    for (const r of rows) expect(r.reloptions, r.relname).toEqual(expect.arrayContaining(expected));
    if (citus) {
      // On Citus the rows live in the shards on the workers, whose autovacuum applies the same rules.
      for (const r of rows) {
        const shards = await db.sql.query<{ result: string }>(
          `SELECT result FROM run_command_on_shards($1, $$SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = '%s'::regclass$$)`,
          [r.relname],
        );
        expect(shards.length, r.relname).toBeGreaterThan(0);
        for (const shard of shards) expect(shard.result.split(","), r.relname).toEqual(expect.arrayContaining(expected));
      }
    }
  });

  it("after a large append, analyzes and vacuums audit_events while ingest goes on", async () => {
    // 12 000 events: past the 10 000-row thresholds of audit_events (reltuples 0: never analyzed).
    for (let i = 0; i < 12; i++) await append(i * BATCH);
    if (citus) {
      // Citus: the coordinator's audit_events is an empty shell (the rows are in the workers' shards,
      // kept by the workers' autovacuum), so the upkeep — which the service runs for PGlite only —
      // finds nothing to do there; the rows are all on the workers.
      const shards = await db.sql.query<{ result: string }>(`SELECT result FROM run_command_on_shards('audit_events', $$SELECT count(*) FROM %s$$)`);
      expect(shards.reduce((n, r) => n + Number(r.result), 0)).toBe(12 * BATCH);
      expect((await findMaintenanceStep(db.sql))?.table).not.toBe("public.audit_events");
      return;
    }
    expect(await tableState("audit_events")).toMatchObject({ relallvisible: 0 });
    // The statistics reach pg_stat_user_tables when the writing session reports them (PostgreSQL:
    // within a few seconds; PGlite: at once).
    await expect.poll(async () => (await findMaintenanceStep(db.sql))?.table, { timeout: 20_000, interval: 500 }).toBeDefined();

    const upkeep = startTableMaintenance({ sql: db.sql, intervalMs: 1, spacing: 0 });
    let stepsDuringIngest = 0;
    try {
      // Ingest while the upkeep runs: every batch is acknowledged and stored.
      for (let i = 12; i < 16; i++) {
        const results = await append(i * BATCH);
        expect(results.filter((r) => r.status === "created")).toHaveLength(BATCH);
        stepsDuringIngest = upkeep.steps.length;
      }
      // Run what is due until audit_events was both analyzed and vacuumed (on PostgreSQL the
      // sessions report their row counts to pg_stat_user_tables up to a few seconds late).
      const done = async () => {
        await upkeep.drain();
        return upkeep.steps.filter((s) => s.table === "public.audit_events").map((s) => s.action);
      };
      await expect.poll(done, { timeout: 30_000, interval: 500 }).toEqual(expect.arrayContaining(["analyze", "vacuum"]));
    } finally {
      upkeep.stop();
    }
    expect(stepsDuringIngest).toBeGreaterThan(0);

    const [{ n }] = (await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1`, [orgId])) as [{ n: number }];
    expect(n).toBe(16 * BATCH);
    const state = await tableState("audit_events");
    expect(state.reltuples).toBeGreaterThan(10_000); // analyzed (or vacuumed): the planner knows the size
    expect(state.relallvisible).toBeGreaterThan(0); // vacuumed: the visibility map is set
    await expect
      .poll(
        async () =>
          (await db.sql.query<{ analyzed: boolean }>(
            `SELECT last_analyze IS NOT NULL AS analyzed FROM pg_stat_user_tables WHERE relname = 'audit_events'`,
          ))[0]?.analyzed,
        { timeout: 20_000, interval: 500 },
      )
      .toBe(true);
  });
});
