import path from "node:path";
import fs from "node:fs";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/client";
import { acquireDataDirLock } from "./pglite-lock";
import { noteWriteCommitted, noteWriteFailed } from "./write-outcome";
import { checkNotAborted, checkStatementTime, currentQueryBudget, queryTimeoutError, requestAbortedError, statementTimeoutMs } from "./query-budget";
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
  // statement_timeout on every pooled connection (Prisma's too): the server stops any statement past
  // the budget (57014 → 503 query_timeout). Background work lifts it per statement (withoutQueryBudget).
  // connectionTimeoutMillis: a server that does not answer fails the request (503) instead of hanging it.
  const timeoutMs = statementTimeoutMs();
  const pool = new pg.Pool({ connectionString: url, max, statement_timeout: timeoutMs || undefined, connectionTimeoutMillis: 5000 });
  pool.on("error", () => {
    /* an idle client died (server restart): the pool replaces it; queries report their own errors */
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });

  /**
   * One statement on `client` under the current query budget: an abandoned request starts nothing
   * and cancels what runs (pg_cancel_backend from a separate connection; the client goes back to the
   * pool only once the cancel is done, so it can never hit the next user's statement).
   */
  const run = async <T extends Row>(client: pg.PoolClient, text: string, params: readonly SqlParam[], inTransaction: boolean): Promise<T[]> => {
    const budget = currentQueryBudget();
    checkNotAborted(budget);
    // Another budget than the pool's (background work: none) applies to this statement only; in a
    // transaction it was set once after BEGIN.
    const unbounded = !inTransaction && budget.statementTimeoutMs !== timeoutMs;
    if (unbounded) await client.query(`SET statement_timeout = ${budget.statementTimeoutMs}`);
    const signal = budget.signal;
    let cancelling: Promise<void> | undefined;
    const onAbort = () => {
      const pid = (client as unknown as { processID?: number }).processID;
      if (pid) cancelling = cancelBackend(url, pid);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return (await client.query(text, params as unknown[])).rows as T[];
    } catch (e) {
      // 57014 query_canceled: by statement_timeout, or by our cancel of an abandoned request.
      if ((e as { code?: unknown }).code === "57014") throw signal?.aborted ? requestAbortedError() : queryTimeoutError(budget.statementTimeoutMs);
      throw e;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      if (cancelling) await cancelling;
      if (unbounded) await client.query(`SET statement_timeout = ${timeoutMs}`).catch(() => undefined);
    }
  };

  const sql: SqlClient = {
    async query<T extends Row>(text: string, params: readonly SqlParam[] = []) {
      checkNotAborted(currentQueryBudget());
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        return await run<T>(client, text, params, false);
      } catch (e) {
        if (isConnectionLost(e)) broken = e as Error;
        throw e;
      } finally {
        client.release(broken);
      }
    },
    async transaction(fn) {
      checkNotAborted(currentQueryBudget());
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const budget = currentQueryBudget().statementTimeoutMs;
        if (budget !== timeoutMs) await client.query(`SET LOCAL statement_timeout = ${budget}`);
        const tx: SqlExecutor = {
          query: <T extends Row>(text: string, params: readonly SqlParam[] = []) => run<T>(client, text, params, true),
        };
        const result = await fn(tx);
        await client.query("COMMIT");
        noteWriteCommitted();
        return result;
      } catch (e) {
        noteWriteFailed(e);
        if (isConnectionLost(e)) broken = e as Error;
        await client.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        client.release(broken);
      }
    },
    async exec(script) {
      // A script (several statements, no parameters) under the same budget as a query.
      const client = await pool.connect();
      try {
        await run(client, script, [], false);
      } finally {
        client.release();
      }
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

/** Cancels the running statement of backend `pid` (the request that started it was abandoned). */
async function cancelBackend(url: string, pid: number): Promise<void> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    // ::int4: Citus adds pg_cancel_backend(bigint) (global process ids); an untyped parameter is ambiguous there
    await c.query("SELECT pg_cancel_backend($1::int4)", [pid]);
  } catch {
    /* the server is gone or the statement finished: nothing to cancel */
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** A client whose connection broke is destroyed, not returned to the pool. */
function isConnectionLost(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return (typeof code === "string" && (/^08/.test(code) || code.startsWith("57P") || code.startsWith("E"))) || /Connection terminated|not queryable/i.test((e as Error).message ?? "");
}

/**
 * Server settings for the embedded store (on top of PGlite's own start parameters), applied at every
 * start. WAL sized for an embedded store: PostgreSQL's default max_wal_size of 1 GB let the WAL
 * grow to ~1 GB beside ~0.6 GB of data at 300 000 events. PGlite is single-user: no checkpointer,
 * so a checkpoint runs when the WAL passes max_wal_size (inside the statement that writes it) or
 * when lib/db/maintain-tables.ts runs one; files beyond min_wal_size are removed at checkpoints.
 * See docs/operations.md ("Embedded store upkeep").
 */
export const PGLITE_SETTINGS = ["-c", "max_wal_size=128MB", "-c", "min_wal_size=32MB"] as const;

async function openPglite(dataDir: string): Promise<Database> {
  const dir = path.resolve(dataDir);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const release = acquireDataDirLock(dir);
  let db: PGlite;
  try {
    db = await PGlite.create(dir, { parsers: { [INT8_OID]: (v: string) => Number(v) }, startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS] });
  } catch (e) {
    release();
    throw e;
  }
  void pgliteTypes;
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  // PGlite cannot interrupt a statement and has no statement_timeout: an abandoned request starts no
  // further statement, and one that ran past the budget ends its request with 503 (lib/db/query-budget.ts).
  const timed = async <T>(run: () => Promise<T>): Promise<T> => {
    const budget = currentQueryBudget();
    checkNotAborted(budget);
    const t0 = performance.now();
    const out = await run();
    checkStatementTime(budget, t0);
    return out;
  };
  const sql: SqlClient = {
    async query<T extends Row>(text: string, params: readonly SqlParam[] = []) {
      return timed(async () => (await db.query<T>(text, params as unknown[])).rows);
    },
    async transaction(fn) {
      checkNotAborted(currentQueryBudget());
      // PGlite is one session: its transaction() holds a mutex, so transactions never interleave.
      try {
        const result = await db.transaction(async (t) =>
          fn({
            async query<T extends Row>(text: string, params: readonly SqlParam[] = []) {
              return timed(async () => (await t.query<T>(text, params as unknown[])).rows);
            },
          }),
        );
        noteWriteCommitted();
        return result;
      } catch (e) {
        noteWriteFailed(e);
        throw e;
      }
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
