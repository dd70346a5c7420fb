import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlClient } from "@/lib/db/sql";
import { createSchemaEngine, migrationList } from "@/lib/db/schema-engine";
import { readMigrations, runMigrations } from "@/lib/db/run-migrations";
import { createTestDatabase, TEST_DB, type TestDb } from "../support/test-database";

/** The public schema as rows that differ whenever the structure differs. */
async function describeSchema(sql: SqlClient) {
  const q = (text: string) => sql.query(text);
  return {
    columns: await q(`SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, character_maximum_length, datetime_precision
      FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name`),
    indexes: await q(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname`),
    constraints: await q(`SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE connamespace = 'public'::regnamespace AND contype <> 'n' ORDER BY 1, 2`),
    triggers: await q(`SELECT tgrelid::regclass::text AS tbl, tgname, tgenabled::text AS enabled, pg_get_triggerdef(oid) AS def FROM pg_trigger
      WHERE NOT tgisinternal ORDER BY 1, 2`),
    functions: await q(`SELECT proname, pg_get_functiondef(oid) AS def FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1`),
  };
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
});
