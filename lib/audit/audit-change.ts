import type { Prisma } from "../db/generated/client";
import type { Database } from "../db/open-database";
import { sqlOverPrisma } from "../db/prisma-sql";
import type { SqlExecutor } from "../db/sql";
import { appendEventsInTx, type AppendResult } from "./append-events";
import type { EventInput } from "./event-schema";

/** One transaction, two ways in: Prisma's typed CRUD and raw SQL. Never use `db.*` inside it. */
export interface AuditTx {
  prisma: Prisma.TransactionClient;
  sql: SqlExecutor;
}

export interface AuditedChange<T> {
  /** What the caller gets back once the change and its records have committed. */
  value: T;
  /** The audit records of what changed (none: nothing is appended, e.g. an idempotent no-op). */
  events: EventInput[];
}

/**
 * Interactive-transaction limits. On PGlite a transaction waits for the single session (a long
 * ingest batch may hold it), so the wait is generous; a transaction still open after `timeout` is
 * rolled back by Prisma (change and records together).
 */
const TX_OPTIONS = { maxWait: 30_000, timeout: 60_000 } as const;

/**
 * THE way an administrative action is written: `change` makes the change inside a transaction and
 * returns the audit events that describe it; the events are appended to the org's chain in the same
 * transaction, and both commit together or neither does (a crash, a failed append or a failed
 * change leaves nothing behind).
 *
 * Lock order (no deadlocks): `change` runs first and takes whatever row locks it needs; the append
 * then takes the org's append lock and chain-head lock (SELECT … FOR UPDATE) LAST and holds them
 * only until COMMIT. Ingest takes only those and its own new rows, in the same order
 * (lib/audit/append-events.ts, ORG_APPEND_LOCK), so no two transactions ever wait for each other in
 * opposite orders. Inside `change`, use only `tx` — a query through `db.prisma`/`db.sql` would run
 * outside the transaction (and on PGlite, which has one session, wait for it forever).
 */
export async function withAuditedChange<T>(
  opts: { db: Database; orgId: string; now?: Date },
  change: (tx: AuditTx) => Promise<AuditedChange<T>>,
): Promise<T> {
  const { value } = await withAuditedChangeResults(opts, change);
  return value;
}

/** {@link withAuditedChange}, also returning the appended records (seq, hash). */
export async function withAuditedChangeResults<T>(
  opts: { db: Database; orgId: string; now?: Date },
  change: (tx: AuditTx) => Promise<AuditedChange<T>>,
): Promise<{ value: T; records: AppendResult[] }> {
  return opts.db.prisma.$transaction(async (ptx) => {
    const sql = sqlOverPrisma(ptx);
    const { value, events } = await change({ prisma: ptx, sql });
    const records = events.length ? await appendEventsInTx({ tx: sql, orgId: opts.orgId, events, fieldPrefix: "", now: opts.now }) : [];
    return { value, records };
  }, TX_OPTIONS);
}
