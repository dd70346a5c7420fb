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
 * When `admin` is a Citus coordinator (the `citus` extension exists in the admin database), the
 * database is made on every node of the cluster, with the extension, and the workers are registered
 * in it (Citus keeps its metadata per database): the app's migrations then distribute the tables.
 */
export async function createScratchPostgres(admin: string = adminUrl(), prefix = "audit_test"): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${crypto.randomBytes(5).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  let workers: { host: string; port: number }[] = [];
  try {
    workers = await citusWorkers(client);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const at = (base: string, host: string | undefined, port: number | undefined, db: string) => {
    const u = new URL(base);
    if (host) u.hostname = host;
    if (port) u.port = String(port);
    u.pathname = `/${db}`;
    return u.toString();
  };
  const url = at(admin, undefined, undefined, name);
  const onNode = async (nodeUrl: string, statements: string[]) => {
    const c = new pg.Client({ connectionString: nodeUrl });
    await c.connect();
    try {
      for (const s of statements) await c.query(s);
    } finally {
      await c.end();
    }
  };
  // DROP … WITH (FORCE) terminates the database's sessions but waits at most 5 s for them to exit;
  // on a loaded Citus node a maintenance daemon or a worker connection can outlive that ("database …
  // is being accessed by other users", 55006, seen once in CI): try again, then give up loudly.
  const dropOn = async (nodeUrl: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await onNode(nodeUrl, [`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== "55006" || attempt >= 6) throw err;
        await new Promise((r) => setTimeout(r, 1000 * attempt));
      }
    }
  };
  const drop = async () => {
    await dropOn(admin);
    await Promise.all(workers.map((w) => dropOn(at(admin, w.host, w.port, "postgres"))));
  };
  if (workers.length > 0) {
    try {
      await Promise.all(workers.map((w) => onNode(at(admin, w.host, w.port, "postgres"), [`CREATE DATABASE ${name}`])));
      await Promise.all([url, ...workers.map((w) => at(admin, w.host, w.port, name))].map((u) => onNode(u, ["CREATE EXTENSION IF NOT EXISTS citus"])));
      const u = new URL(admin);
      // Fewer shards than Citus's default 32 keep a test database's creation short (the layout,
      // co-location and routing are the same); TEST_CITUS_SHARD_COUNT=32 tests the default.
      const shards = Number(process.env.TEST_CITUS_SHARD_COUNT || 4);
      await onNode(url, [
        `ALTER DATABASE ${name} SET citus.shard_count = ${shards}`,
        // Tests tamper as a superuser would (DISABLE TRIGGER, a failing trigger): on distributed
        // tables Citus wants this for any trigger DDL. The service itself does not need it.
        `ALTER DATABASE ${name} SET citus.enable_unsafe_triggers = on`,
        `SELECT citus_set_coordinator_host('${u.hostname}', ${Number(u.port || 5432)})`,
        ...workers.map((w) => `SELECT citus_add_node('${w.host}', ${w.port})`),
      ]);
    } catch (e) {
      await drop().catch(() => undefined);
      throw e;
    }
  }
  return { url, drop };
}

/** The primary workers of the Citus cluster whose coordinator `client` is connected to ([] when not Citus). */
async function citusWorkers(client: pg.Client): Promise<{ host: string; port: number }[]> {
  const ext = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'citus'");
  if (ext.rowCount === 0) return [];
  const r = await client.query<{ nodename: string; nodeport: number }>(
    "SELECT nodename, nodeport FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0 ORDER BY nodeid",
  );
  return r.rows.map((w) => ({ host: w.nodename, port: w.nodeport }));
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
