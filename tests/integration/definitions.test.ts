import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { splitStatements } from "@/lib/db/run-migrations";
import type { SqlExecutor } from "@/lib/db/sql";
import { createTestDatabase, TEST_DB, type TestDb } from "../support/test-database";

/**
 * prisma/definitions/ holds the CURRENT definition of every function (functions/<name>.sql) and
 * trigger (triggers/<name>.sql) of the public schema, one file each: what a reader opens instead of
 * replaying the migrations. The check: running every file again on the migrated database changes
 * nothing (the functions' text, settings and privileges as pg_get_functiondef / proacl render them, the
 * triggers' definitions and enabled state), and the files name exactly the objects that exist.
 */
const DIR = path.resolve("prisma/definitions");
const files = (kind: "functions" | "triggers") =>
  fs
    .readdirSync(path.join(DIR, kind))
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((f) => ({ name: f.replace(/\.sql$/, ""), sql: fs.readFileSync(path.join(DIR, kind, f), "utf8") }));

async function catalogue(sql: SqlExecutor) {
  const functions = await sql.query<{ name: string; def: string; acl: string | null }>(
    `SELECT p.proname AS name, pg_get_functiondef(p.oid) AS def, p.proacl::text AS acl
       FROM pg_proc p
      WHERE p.pronamespace = 'public'::regnamespace
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
      ORDER BY 1, 2`,
  );
  const triggers = await sql.query<{ name: string; def: string; enabled: string }>(
    `SELECT t.tgname AS name, pg_get_triggerdef(t.oid) AS def, t.tgenabled::text AS enabled
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
      ORDER BY 1`,
  );
  return { functions, triggers };
}

let t: TestDb;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe(`function and trigger definitions (${TEST_DB})`, () => {
  it("prisma/definitions has one file per function and per trigger of the migrated database, and no other", async () => {
    const { functions, triggers } = await catalogue(t.db.sql);
    expect(files("functions").map((f) => f.name)).toEqual([...new Set(functions.map((f) => f.name))].sort());
    expect(files("triggers").map((f) => f.name)).toEqual(triggers.map((r) => r.name).sort());
  });

  it("each file holds the current definition: running it again on the migrated database changes nothing", async () => {
    const before = await catalogue(t.db.sql);
    const sentinel = new Error("rollback");
    const after = await t.db.sql
      .transaction(async (tx) => {
        for (const f of [...files("functions"), ...files("triggers")]) {
          try {
            for (const statement of splitStatements(f.sql)) await tx.query(statement);
          } catch (e) {
            throw new Error(`prisma/definitions: ${f.name}.sql does not run on the migrated database: ${(e as Error).message}`);
          }
        }
        const c = await catalogue(tx);
        throw Object.assign(sentinel, { c });
      })
      .catch((e: unknown) => {
        if (e === sentinel) return (e as Error & { c: Awaited<ReturnType<typeof catalogue>> }).c;
        throw e;
      });
    // Named per object, so that a failure says which file and the migrations disagree.
    const byName = <T extends { name: string }>(rows: T[]) => Object.fromEntries(rows.map((r) => [r.name, r]));
    expect(byName(after.functions)).toEqual(byName(before.functions));
    expect(byName(after.triggers)).toEqual(byName(before.triggers));
  });

  it("a changed file is noticed (the check can fail)", async () => {
    const before = await catalogue(t.db.sql);
    const sentinel = new Error("rollback");
    const after = await t.db.sql
      .transaction(async (tx) => {
        const f = files("functions").find((x) => x.name === "audit_events_set_search_vector")!;
        for (const statement of splitStatements(f.sql.replace("RETURN NEW;", "RETURN NEW; -- edited"))) await tx.query(statement);
        throw Object.assign(sentinel, { c: await catalogue(tx) });
      })
      .catch((e: unknown) => (e as Error & { c: Awaited<ReturnType<typeof catalogue>> }).c);
    expect(after.functions).not.toEqual(before.functions);
  });

  it("every PL/pgSQL function that reads tables runs its statements with custom plans (plan_cache_mode)", async () => {
    // A generic plan cached on a pooled connection when the table was small stays until the table's
    // statistics change — never, without autovacuum: audit_analytics_add went from 17 ms to > 5 s
    // per ingest by 45 000 events. Functions that read tables (not triggers, not IMMUTABLE helpers)
    // must say SET plan_cache_mode = force_custom_plan.
    const rows = await t.db.sql.query<{ name: string; config: string[] | null }>(
      `SELECT p.proname AS name, p.proconfig AS config
         FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
        WHERE p.pronamespace = 'public'::regnamespace AND l.lanname = 'plpgsql'
          AND p.provolatile <> 'i' AND p.prorettype <> 'trigger'::regtype
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
        ORDER BY 1`,
    );
    expect(rows.map((r) => r.name)).toContain("audit_analytics_add");
    const without = rows.filter((r) => !(r.config ?? []).includes("plan_cache_mode=force_custom_plan")).map((r) => r.name);
    expect(without).toEqual([]);
  });
});
