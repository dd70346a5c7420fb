import { z } from "zod";
import { getDatabase } from "../db/get-database";
import { databaseErrorToAppError } from "../db/database-errors";
import { withQueryBudget } from "../db/query-budget";
import { lastWriteOutcome } from "../db/write-outcome";

/** The answer of /api/health (200 when `ok`, 503 otherwise; the OpenAPI registration uses it). */
export const HealthReportSchema = z.object({
  status: z.enum(["ok", "degraded", "down"]),
  database: z.object({ kind: z.enum(["pglite", "postgresql"]).optional(), read: z.boolean(), write: z.boolean() }),
  message: z.string(),
});
export type HealthReport = z.infer<typeof HealthReportSchema>;

const PROBE_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const reason = (e: unknown) => databaseErrorToAppError(e)?.message ?? (e instanceof Error ? e.message : String(e));

/**
 * /api/health: a read probe (SELECT 1) and a write probe, each with a short timeout. The write probe
 * creates a temporary table and writes a row into it inside a transaction that is rolled back: the
 * row needs a new block in a new file, so a full disk or a read-only server fails it, and nothing
 * stays behind. A write of this process that failed for the database's sake (disk full,
 * unavailable) and has not been followed by a successful one also counts as a failing write.
 * `down`: no reads; `degraded`: reads but no writes; both answer 503.
 */
export async function checkHealth(opts: { timeoutMs?: number } = {}): Promise<HealthReport> {
  const ms = opts.timeoutMs ?? PROBE_TIMEOUT_MS;
  return withQueryBudget({ statementTimeoutMs: ms }, async () => {
    let kind: HealthReport["database"]["kind"];
    try {
      const db = await withTimeout(getDatabase(), ms * 2, "the database");
      kind = db.kind;
      await withTimeout(db.sql.query("SELECT 1"), ms, "a read");
      try {
        await withTimeout(
          db.sql.transaction(async (tx) => {
            await tx.query("CREATE TEMPORARY TABLE audit_health_probe (v text) ON COMMIT DROP");
            await tx.query("INSERT INTO audit_health_probe (v) VALUES ('probe')");
            throw new ProbeDone();
          }),
          ms,
          "a write",
        );
      } catch (e) {
        if (!(e instanceof ProbeDone)) return { status: "degraded", database: { kind, read: true, write: false }, message: `writes fail: ${reason(e)}` };
      }
      const last = lastWriteOutcome();
      if (last && !last.ok) return { status: "degraded", database: { kind, read: true, write: false }, message: `the last write failed: ${last.message}` };
      return { status: "ok", database: { kind, read: true, write: true }, message: "the database reads and writes" };
    } catch (e) {
      return { status: "down", database: { kind, read: false, write: false }, message: `reads fail: ${reason(e)}` };
    }
  });
}

/** Thrown to roll the probe's transaction back once its write succeeded. */
class ProbeDone extends Error {}
