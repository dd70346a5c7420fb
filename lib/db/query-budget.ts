import { AsyncLocalStorage } from "node:async_hooks";
import { AppError } from "../errors";

/**
 * The query budget of the work in progress (issue 10): how long one statement may run, and the
 * signal of the request it serves (the client went away → its database work is cancelled).
 *
 * - Requests (apiHandler, publicApiHandler, pages): `withQueryBudget({signal})`. On PostgreSQL the
 *   server enforces `statement_timeout` on every statement (set on every pooled connection), and an
 *   aborted request cancels its running statement (`pg_cancel_backend`). PGlite has no server-side
 *   timeout and cannot interrupt a statement (it is single-threaded, in process): a statement that
 *   ran past the budget ends its request with the same 503 (its result is discarded, its transaction
 *   rolled back) and no further statement of an abandoned request starts; the queries themselves are
 *   bounded by construction (free-text terms limited, every filter through an index).
 * - Background work (migrations, start-up, export worker, retention job): `withoutQueryBudget`,
 *   no limit.
 * - Anything else runs under the default budget, without a signal.
 *
 * Kept on globalThis: Next.js bundles instrumentation and each route separately, and the store
 * must be the same one the database (opened once per process) reads.
 */
export interface QueryBudget {
  /** 0: no limit. */
  statementTimeoutMs: number;
  signal?: AbortSignal;
}

const KEY = Symbol.for("audit-trail.query-budget");
type Holder = { [KEY]?: AsyncLocalStorage<QueryBudget> };

function storage(): AsyncLocalStorage<QueryBudget> {
  const g = globalThis as Holder;
  return (g[KEY] ??= new AsyncLocalStorage<QueryBudget>());
}

/** AUDIT_STATEMENT_TIMEOUT_MS (read here, not through getConfig, so lib/db stays free of the app's config cycle). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;
export function statementTimeoutMs(): number {
  const raw = process.env.AUDIT_STATEMENT_TIMEOUT_MS;
  if (raw === undefined || raw === "") return DEFAULT_STATEMENT_TIMEOUT_MS;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`Invalid configuration: AUDIT_STATEMENT_TIMEOUT_MS: expected milliseconds (0 = no limit), got "${raw}"`);
  return n;
}

export function withQueryBudget<T>(opts: { signal?: AbortSignal; statementTimeoutMs?: number }, fn: () => Promise<T>): Promise<T> {
  return storage().run({ statementTimeoutMs: opts.statementTimeoutMs ?? statementTimeoutMs(), signal: opts.signal }, fn);
}

export function withoutQueryBudget<T>(fn: () => Promise<T>): Promise<T> {
  return storage().run({ statementTimeoutMs: 0 }, fn);
}

/** The budget in force: the caller's, or the default (no signal). */
export function currentQueryBudget(): QueryBudget {
  return storage().getStore() ?? { statementTimeoutMs: statementTimeoutMs() };
}

export function queryTimeoutError(ms: number): AppError {
  return new AppError(
    "query_timeout",
    `the query took longer than its budget of ${ms} ms (AUDIT_STATEMENT_TIMEOUT_MS) and was stopped: narrow it (time range, actor, action) and retry`,
  );
}

export function requestAbortedError(): AppError {
  return new AppError("service_unavailable", "the request was abandoned by its client; its database work was cancelled");
}

/** Before each statement: an abandoned request starts no more database work. */
export function checkNotAborted(b: QueryBudget): void {
  if (b.signal?.aborted) throw requestAbortedError();
}

/** After a statement on PGlite (which cannot interrupt one): past the budget, the request ends with 503. */
export function checkStatementTime(b: QueryBudget, startedAt: number): void {
  if (b.statementTimeoutMs > 0 && performance.now() - startedAt > b.statementTimeoutMs) throw queryTimeoutError(b.statementTimeoutMs);
  checkNotAborted(b);
}
