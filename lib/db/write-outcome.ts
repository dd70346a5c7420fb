import { databaseErrorToAppError } from "./database-errors";

/**
 * The outcome of this process's latest database write transaction, for /api/health: a probe can
 * succeed while real writes fail (a full disk refuses only writes that need new space), so health
 * also reports a write that failed for the database's sake (disk full, unavailable) and has not
 * been followed by a successful one. Kept on globalThis (one per process, across Next.js bundles).
 */
export interface WriteOutcome {
  ok: boolean;
  at: number;
  message?: string;
}

const KEY = Symbol.for("audit-trail.write-outcome");
type Holder = { [KEY]?: WriteOutcome };

export function noteWriteCommitted(): void {
  (globalThis as Holder)[KEY] = { ok: true, at: Date.now() };
}

/** Records a failed transaction when the failure is the database's state (not the request's fault). */
export function noteWriteFailed(e: unknown): void {
  const err = databaseErrorToAppError(e);
  if (err && (err.code === "insufficient_storage" || err.code === "service_unavailable")) {
    (globalThis as Holder)[KEY] = { ok: false, at: Date.now(), message: err.message };
  }
}

export function lastWriteOutcome(): WriteOutcome | undefined {
  return (globalThis as Holder)[KEY];
}
