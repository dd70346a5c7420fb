import path from "node:path";
import fs from "node:fs";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/client";
import { acquireDataDirLock } from "./pglite-lock";
import type { SqlClient, SqlExecutor, SqlParam, Row } from "./sql";

export type DatabaseKind = "pglite" | "postgresql";

export interface Database {
  kind: DatabaseKind;
  prisma: PrismaClient;
  sql: SqlClient;
  /** Where the data lives, for messages: the data directory or the server (without password). */
  location: string;
  close(): Promise<void>;
}

// int8 (seq, counts) as JavaScript numbers on both drivers: exact up to 2^53, far beyond any chain.
const INT8_OID = 20;
pg.types.setTypeParser(INT8_OID, (v: string) => Number(v));

export interface OpenDatabaseOptions {
  /** postgres://… — when set, a real PostgreSQL; otherwise embedded PGlite in `dataDir`. */
  url?: string;
  dataDir?: string;
  poolSize?: number;
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.url) return openPostgres(opts.url, opts.poolSize ?? 10);
  if (!opts.dataDir) throw new Error("openDatabase needs a url or a dataDir");
  return openPglite(opts.dataDir);
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on("error", () => {
    /* an idle client died (server restart): the pool replaces it; queries report their own errors */
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const sql: SqlClient = {
    async query<T extends Row>(text: string, params: readonly SqlParam[] = []) {
      return (await pool.query(text, params as unknown[])).rows as T[];
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const tx: SqlExecutor = {
          async query<T extends Row>(text: string, params: readonly SqlParam[] = []) {
            return (await client.query(text, params as unknown[])).rows as T[];
          },
        };
        const result = await fn(tx);
        await client.query("COMMIT");
        return result;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async exec(script) {
      await pool.query(script);
    },
  };
  const u = new URL(url);
  return {
    kind: "postgresql",
    prisma,
    sql,
    location: `${u.hostname}:${u.port || 5432}${u.pathname}`,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  const dir = path.resolve(dataDir);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const release = acquireDataDirLock(dir);
  let db: PGlite;
  try {
    db = await PGlite.create(dir, { parsers: { [INT8_OID]: (v: string) => Number(v) } });
  } catch (e) {
    release();
    throw e;
  }
  void pgliteTypes;
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  const sql: SqlClient = {
    async query<T extends Row>(text: string, params: readonly SqlParam[] = []) {
      return (await db.query<T>(text, params as unknown[])).rows;
    },
    async transaction(fn) {
      // PGlite is one session: its transaction() holds a mutex, so transactions never interleave.
      return db.transaction(async (t) =>
        fn({
          async query<T extends Row>(text: string, params: readonly SqlParam[] = []) {
            return (await t.query<T>(text, params as unknown[])).rows;
          },
        }),
      );
    },
    async exec(script) {
      await db.exec(script);
    },
  };
  return {
    kind: "pglite",
    prisma,
    sql,
    location: dir,
    async close() {
      await prisma.$disconnect();
      await db.close();
      release();
    },
  };
}
