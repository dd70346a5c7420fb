import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, type Database } from "@/lib/db/open-database";
import { runMigrations } from "@/lib/db/run-migrations";

export const TEST_DB = (process.env.TEST_DB ?? "pglite") as "pglite" | "postgres";

export function adminUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("TEST_DATABASE_URL is not set: the PostgreSQL suites need a server (npm test sets a default)");
  return url;
}

export interface TestDb {
  db: Database;
  /** postgres URL of the scratch database (postgres only) or the PGlite directory. */
  url?: string;
  dataDir?: string;
  drop(): Promise<void>;
}

/** A fresh database of the suite's kind, migrated; drop() removes it. */
export async function createTestDatabase(kind: "pglite" | "postgres" = TEST_DB): Promise<TestDb> {
  if (kind === "pglite") {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-test-"));
    const db = await openDatabase({ dataDir });
    await runMigrations({ sql: db.sql });
    return {
      db,
      dataDir,
      async drop() {
        await db.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const { url, drop } = await createScratchPostgres();
  const db = await openDatabase({ url, poolSize: 12 });
  await runMigrations({ sql: db.sql, advisoryLock: true });
  return {
    db,
    url,
    async drop() {
      await db.close();
      await drop();
    },
  };
}

/**
 * Creates an empty PostgreSQL database `<prefix>_<random>` on the server of `admin` (default
 * TEST_DATABASE_URL) and returns its URL and a dropper. Tests and benchmarks use it.
 */
export async function createScratchPostgres(admin: string = adminUrl(), prefix = "audit_test"): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${crypto.randomBytes(5).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function createTestOrg(db: Database, slug = `org-${crypto.randomBytes(3).toString("hex")}`) {
  return db.prisma.org.create({ data: { id: `org_${crypto.randomBytes(6).toString("hex")}`, slug, name: slug } });
}

export const sampleEvent = (i: number, extra: Record<string, unknown> = {}) => ({
  id: `ev-${i}`,
  timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
  actor: { id: `user-${i % 3}`, type: "user" as const, email: `user${i % 3}@example.com` },
  action: i % 2 ? "policy.update" : "user.login",
  resource: { type: "policy", id: `p-${i % 5}`, name: `Policy ${i % 5}` },
  ...extra,
});
