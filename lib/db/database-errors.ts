import { AppError } from "../errors";
import { currentQueryBudget, queryTimeoutError, requestAbortedError } from "./query-budget";

/**
 * Database failures that are the database's state, not the request's fault, as AppErrors (used by
 * the one error mapper, lib/http/respond.ts): unreachable or restarting → 503 `service_unavailable`,
 * disk full → 507 `insufficient_storage`, statement timeout → 503 `query_timeout`. Errors arrive from
 * node-postgres, from Prisma (wrapped, with the driver's error as a cause) and from PGlite; each
 * carries a SQLSTATE or a Node.js errno code somewhere in its chain. Anything else: null.
 */
const UNAVAILABLE_CODES = new Set([
  // Node.js socket errors (server down, restarting, unreachable)
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN",
  // SQLSTATE: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections, out_of_memory,
  // insufficient_resources, read_only_sql_transaction (a standby), lock_not_available
  "57P01", "57P02", "57P03", "53300", "53200", "53000", "25006", "55P03",
  // Prisma: can't reach server, timed out, operations timed out, server closed the connection, pool timeout,
  // interactive transaction could not start / expired (withAuditedChange: maxWait, timeout)
  "P1001", "P1002", "P1008", "P1017", "P2024", "P2028",
]);
const DISK_FULL_CODES = new Set(["53100", "ENOSPC", "EDQUOT"]);
const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /not queryable/i,
  /server closed the connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection due to administrator command/i,
  /Can't reach database server/i,
];
const DISK_FULL_MESSAGES = [/no space left on device/i, /disk quota exceeded/i, /could not extend file/i];

interface Found {
  codes: string[];
  messages: string[];
}

function collect(e: unknown, out: Found, depth = 0): Found {
  if (depth > 5 || e === null || typeof e !== "object") return out;
  const o = e as Record<string, unknown>;
  for (const k of ["code", "originalCode", "errno"]) if (typeof o[k] === "string") out.codes.push(o[k] as string);
  if (typeof o.message === "string") out.messages.push(o.message);
  if (typeof o.reason === "string") out.messages.push(o.reason);
  for (const k of ["cause", "meta", "driverAdapterError", "originalError"]) if (o[k] && o[k] !== e) collect(o[k], out, depth + 1);
  if (Array.isArray(o.errors)) for (const x of o.errors.slice(0, 4)) collect(x, out, depth + 1);
  return out;
}

/** The error, or one in its chain (cause, driver error, …), carries this SQLSTATE or errno code. */
export function hasDatabaseCode(e: unknown, code: string): boolean {
  return collect(e, { codes: [], messages: [] }).codes.includes(code);
}

export function databaseErrorToAppError(e: unknown): AppError | null {
  if (e === null || typeof e !== "object") return null;
  const { codes, messages } = collect(e, { codes: [], messages: [] });
  if (codes.some((c) => DISK_FULL_CODES.has(c)) || messages.some((m) => DISK_FULL_MESSAGES.some((r) => r.test(m)))) {
    return new AppError("insufficient_storage", "the database has no space left on its disk: writes are refused until space is freed; reads still work");
  }
  if (codes.includes("57014")) {
    const budget = currentQueryBudget();
    return budget.signal?.aborted ? requestAbortedError() : queryTimeoutError(budget.statementTimeoutMs);
  }
  const unavailable = codes.find((c) => UNAVAILABLE_CODES.has(c) || /^08[0-9A-Z]{3}$/.test(c));
  if (unavailable || messages.some((m) => UNAVAILABLE_MESSAGES.some((r) => r.test(m)))) {
    return new AppError("service_unavailable", `the database is unavailable${unavailable ? ` (${unavailable})` : ""}: retry in a few seconds`);
  }
  return null;
}
