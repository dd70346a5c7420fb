import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { distributeTables, hasCitus } from "./distribute-tables";
import type { SqlClient } from "./sql";

/**
 * Applies prisma/migrations/<ts>_<name>/migration.sql in order and records each in Prisma's own
 * `_prisma_migrations` table (same columns, same checksum: SHA-256 of the file), so that
 * `prisma migrate deploy` and `prisma migrate status` agree with us wherever Prisma's native engine
 * can run. Several instances starting at once on one PostgreSQL serialise on an advisory lock.
 * On a Citus coordinator (the `citus` extension exists in the database) the tables are then laid out
 * for the cluster (lib/db/distribute-tables.ts). Advisory locks are node-local: every instance must
 * connect to the coordinator (as they must anyway).
 */
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

const LOCK_KEY = 72707369; // any constant; the same in every instance

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function defaultMigrationsDir(): string {
  return path.join(/*turbopackIgnore: true*/ process.cwd(), "prisma", "migrations");
}

export function readMigrations(dir: string = defaultMigrationsDir()): Migration[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: crypto.createHash("sha256").update(sql).digest("hex") };
    });
}

export interface RunMigrationsOptions {
  sql: SqlClient;
  migrations?: Migration[];
  /** PostgreSQL: serialise instances with an advisory lock (PGlite is one process anyway). */
  advisoryLock?: boolean;
  /**
   * On Citus, lay the tables out after the migrations (default true). Only tests that replay a part
   * of the history to build an old database turn it off, to distribute at the last step.
   */
  distribute?: boolean;
  /** Start-up messages (what was laid out on Citus); silent when absent. */
  log?: (line: string) => void;
}

export async function runMigrations(opts: RunMigrationsOptions): Promise<string[]> {
  const migrations = opts.migrations ?? readMigrations();
  const applied: string[] = [];
  await opts.sql.transaction(async (tx) => {
    // A transaction-scoped advisory lock: the next instance waits here, then finds everything applied.
    if (opts.advisoryLock) await tx.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
    if (await hasCitus(tx)) {
      // DDL on distributed tables: triggers are created on their shards too, and a migration's
      // statements run over one connection per worker (several DDL statements in one transaction).
      await tx.query("SET LOCAL citus.enable_unsafe_triggers = on");
      await tx.query("SET LOCAL citus.multi_shard_modify_mode = 'sequential'");
    }
    await tx.query(CREATE_TABLE);
    const rows = await tx.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const done = new Map(rows.map((r) => [r.migration_name, r.checksum]));
    for (const m of migrations) {
      const previous = done.get(m.name);
      if (previous !== undefined) {
        if (previous !== m.checksum) {
          throw new Error(`Migration ${m.name} was modified after it was applied (checksum differs). Migrations are immutable: add a new one.`);
        }
        continue;
      }
      const started = new Date();
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
         VALUES ($1, $2, now(), $3, $4, 1)`,
        [crypto.randomUUID(), m.checksum, m.name, started],
      );
      applied.push(m.name);
    }
  });
  if (opts.distribute !== false) await distributeTables({ sql: opts.sql, lockKey: opts.advisoryLock ? LOCK_KEY : undefined, log: opts.log });
  return applied;
}

/**
 * Splits a migration script into statements (so they can run inside one transaction through a
 * parameterised client). Understands comments, quotes and dollar-quoted bodies.
 */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let cur = "";
  let i = 0;
  while (i < script.length) {
    const c = script[i]!;
    const rest = script.slice(i);
    if (rest.startsWith("--")) {
      const end = script.indexOf("\n", i);
      i = end === -1 ? script.length : end + 1;
      cur += "\n";
      continue;
    }
    if (rest.startsWith("/*")) {
      const end = script.indexOf("*/", i + 2);
      i = end === -1 ? script.length : end + 2;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < script.length) {
        if (script[j] === c) {
          if (script[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      cur += script.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const dollar = /^\$[A-Za-z_]*\$/.exec(rest);
    if (dollar) {
      const tag = dollar[0];
      const end = script.indexOf(tag, i + tag.length);
      const stop = end === -1 ? script.length : end + tag.length;
      cur += script.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === ";") {
      if (cur.trim()) out.push(cur.trim());
      cur = "";
      i++;
      continue;
    }
    cur += c;
    i++;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
