import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlClient } from "@/lib/db/sql";
import { createSchemaEngine, migrationList } from "@/lib/db/schema-engine";
import { readMigrations, runMigrations, splitStatements } from "@/lib/db/run-migrations";
import { openDatabase, type Database } from "@/lib/db/open-database";
import { appendEvents } from "@/lib/audit/append-events";
import { ANALYTICS_EXACT, analyticsDrift } from "../support/analytics-drift";
import { createScratchPostgres, createTestDatabase, TEST_DB, type TestDb } from "../support/test-database";

/**
 * The public schema as rows that differ whenever the structure differs. Objects of extensions
 * (Citus puts views and functions into public) and triggers of other schemas are not ours.
 */
async function describeSchema(sql: SqlClient) {
  const q = (text: string) => sql.query(text);
  const notExtension = (catalog: string, oid: string) =>
    `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;
  return {
    columns: await q(`SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, character_maximum_length, datetime_precision
      FROM information_schema.columns WHERE table_schema = 'public'
        AND ${notExtension("pg_class", "(quote_ident(table_schema) || '.' || quote_ident(table_name))::regclass")}
      ORDER BY table_name, column_name`),
    indexes: await q(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname`),
    // (through pg_class: Citus hides the coordinator's shard tables there, not in pg_constraint)
    constraints: await q(`SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE connamespace = 'public'::regnamespace AND contype <> 'n'
        AND conrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace) ORDER BY 1, 2`),
    triggers: await q(`SELECT tgrelid::regclass::text AS tbl, tgname, tgenabled::text AS enabled, pg_get_triggerdef(oid) AS def FROM pg_trigger
      WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace) ORDER BY 1, 2`),
    functions: await q(`SELECT proname, pg_get_functiondef(oid) AS def FROM pg_proc p WHERE pronamespace = 'public'::regnamespace
      AND ${notExtension("pg_proc", "p.oid")} ORDER BY 1`),
  };
}

/** A database of the suite's kind with nothing in it (no migration applied). */
async function createEmptyDatabase(): Promise<{ db: Database; drop(): Promise<void> }> {
  if (TEST_DB === "pglite") {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-test-empty-"));
    const db = await openDatabase({ dataDir });
    return { db, drop: async () => { await db.close(); fs.rmSync(dataDir, { recursive: true, force: true }); } };
  }
  const scratch = await createScratchPostgres();
  const db = await openDatabase({ url: scratch.url, poolSize: 2 });
  return { db, drop: async () => { await db.close(); await scratch.drop(); } };
}

const schemaPath = path.resolve("prisma/schema.prisma");
const files = [{ path: schemaPath, content: fs.readFileSync(schemaPath, "utf8") }];
const filters = { externalTables: [], externalEnums: [] };

let t: TestDb;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe(`migrations (${TEST_DB})`, () => {
  it("the migrated database matches schema.prisma exactly (Prisma's engine finds no difference)", async () => {
    // Prisma's schema engine reads the live database through a driver adapter and diffs it with schema.prisma.
    // (On a PostgreSQL server, adapter-pg cannot read the catalogue's "char" columns the engine
    // queries; there, the next test proves the server's schema identical to the PGlite one.)
    if (TEST_DB !== "pglite") return;
    await t.db.close(); // PGlite: one owner of the directory at a time
    const pglite = await PGlite.create(t.dataDir!);
    const factory: SqlMigrationAwareDriverAdapterFactory = new PrismaPGlite(pglite);
    const engine = await createSchemaEngine({ schemaPath, adapterFactory: factory });
    const fromDb = await engine.diff({ from: { tag: "schemaDatasource", files, configDir: process.cwd() }, to: { tag: "schemaDatamodel", files }, script: true, exitCode: true, filters });
    expect(fromDb.stdout?.trim()).toMatch(/^(-- This is an empty migration\.)?$/);
    expect(fromDb.exitCode).toBe(0);
    // And the migration history itself, replayed, gives schema.prisma.
    const fromHistory = await engine.diff({ from: { tag: "migrations", ...migrationList(path.resolve("prisma/migrations")) }, to: { tag: "schemaDatamodel", files }, script: true, exitCode: true, filters });
    expect(fromHistory.exitCode).toBe(0);
    await pglite.close();
    t = await createTestDatabase("pglite");
  });

  it("PostgreSQL and PGlite end up with the same tables, columns, indexes, constraints and triggers", async () => {
    const other = await createTestDatabase(TEST_DB === "pglite" ? "postgres" : "pglite");
    try {
      expect(await describeSchema(t.db.sql)).toEqual(await describeSchema(other.db.sql));
    } finally {
      await other.drop();
    }
  });

  it("records every migration in _prisma_migrations with Prisma's checksum, and re-running applies nothing", async () => {
    const rows = await t.db.sql.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    const expected = readMigrations();
    expect(rows.map((r) => r.migration_name)).toEqual(expected.map((m) => m.name));
    expect(rows.map((r) => r.checksum)).toEqual(expected.map((m) => m.checksum));
    expect(rows.every((r) => r.finished_at)).toBe(true);
    expect(await runMigrations({ sql: t.db.sql })).toEqual([]);
  });

  it("refuses to start when an applied migration was edited", async () => {
    const [first, ...rest] = readMigrations();
    const edited = { ...first!, checksum: "0".repeat(64) };
    await expect(runMigrations({ sql: t.db.sql, migrations: [edited, ...rest] })).rejects.toThrow(/modified after it was applied/);
  });

  it("a database with data before the trigger-free analytics (issue 11) migrates with its side tables exact", async () => {
    // Up to the last migration that still had the transition-table triggers, events written the old
    // way (the triggers kept the side tables); then the rest of the migrations; then ingest goes on.
    const cut = "20261128121219_analytics_without_transition_tables";
    const all = readMigrations();
    expect(all.some((m) => m.name === cut)).toBe(true);
    // The migrations' SQL is applied statement by statement (as the runner does, without its
    // bookkeeping and without laying tables out on Citus: the old triggers could not insert there).
    const apply = async (sql: SqlClient, migrations: typeof all) => {
      for (const m of migrations) for (const statement of splitStatements(m.sql)) await sql.query(statement);
    };
    const old = await createEmptyDatabase();
    try {
      await apply(old.db.sql, all.filter((m) => m.name < cut));
      await old.db.sql.query(`INSERT INTO orgs (id, slug, name) VALUES ('org_m', 'm', 'm')`);
      await old.db.sql.query(
        `INSERT INTO audit_events (org_id, seq, id, timestamp, received_at, actor_id, actor_type, actor_email, action, resource_type, resource_id,
           repository_id, repository_name, content, request_digest, hash, previous_hash)
         SELECT 'org_m', n, 'm-' || n, ts, ts, 'u' || (n % 3), CASE WHEN n % 3 = 0 THEN 'system' ELSE 'user' END,
           CASE WHEN n % 3 = 0 THEN NULL ELSE 'u' || (n % 3) || '@acme.com' END, a, 'thing', 'i' || (n % 7), 'r1', 'acme/r1',
           jsonb_build_object('id', 'm-' || n, 'action', a, 'actor', jsonb_build_object('id', 'u' || (n % 3), 'name', 'User ' || (n % 3)),
             'details', jsonb_build_object('framework', 'soc2', 'score', n))::text,
           md5(n::text), 'sha256:' || md5('h' || n), CASE WHEN n = 1 THEN NULL ELSE 'sha256:' || md5('h' || (n - 1)) END
         FROM generate_series(1, 300) AS n,
           LATERAL (SELECT (ARRAY['scan.completed', 'issue.created', 'issue.resolved', 'user.login'])[1 + n % 4] AS a,
                           TIMESTAMPTZ '2026-01-01 00:00:00+00' + make_interval(hours => n * 7) AS ts) x`,
      );
      await old.db.sql.query(`INSERT INTO audit_chain_heads (org_id, seq, hash) VALUES ('org_m', 300, 'sha256:' || md5('h300'))`);
      expect((await old.db.sql.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM audit_daily_rollups WHERE org_id = 'org_m'`))[0]!.n).toBeGreaterThan(0);
      expect(await analyticsDrift(old.db.sql, "org_m")).toEqual(ANALYTICS_EXACT);

      await apply(old.db.sql, all.filter((m) => m.name >= cut));
      expect(await analyticsDrift(old.db.sql, "org_m")).toEqual(ANALYTICS_EXACT);
      // No transition-table trigger is left, and ingest keeps the side tables exact from here on.
      expect(await old.db.sql.query(`SELECT tgname FROM pg_trigger WHERE tgoldtable IS NOT NULL OR tgnewtable IS NOT NULL`)).toEqual([]);
      await old.db.sql.query(`INSERT INTO orgs (id, slug, name) VALUES ('org_m2', 'm2', 'm2')`);
      const scanner = { id: "system_scanner", type: "system" as const, name: "Scanner" };
      await appendEvents({
        sql: old.db.sql,
        orgId: "org_m2",
        events: [
          { actor: scanner, action: "scan.completed", resource: { type: "scan", id: "s1" }, details: { framework: "soc2", score: 80 } },
          { actor: scanner, action: "issue.created", resource: { type: "issue", id: "i1" } },
        ],
      });
      expect(await analyticsDrift(old.db.sql, "org_m2")).toEqual(ANALYTICS_EXACT);
    } finally {
      await old.drop();
    }
  });
});
