import type { SqlExecutor } from "../db/sql";
import { AppError } from "../errors";

/** Per email: 5 failures within 15 minutes lock that email for 15 minutes. Per client IP: 50. */
export const THROTTLE = { windowMs: 15 * 60_000, lockMs: 15 * 60_000, perEmail: 5, perIp: 50 } as const;

export const throttleKeys = (email: string, ip: string | undefined) => [`email:${email}`, ...(ip ? [`ip:${ip}`] : [])];

/** Refuses (429 with retry_after_seconds) while any of the keys is locked. */
export async function checkSignInThrottle(opts: { sql: SqlExecutor; keys: string[]; now?: Date }): Promise<void> {
  const now = opts.now ?? new Date();
  const rows = await opts.sql.query<{ locked_until: Date }>(
    `SELECT locked_until FROM sign_in_throttles WHERE key = ANY($1::text[]) AND locked_until > $2 ORDER BY locked_until DESC LIMIT 1`,
    [opts.keys, now],
  );
  const until = rows[0]?.locked_until;
  if (until) {
    const seconds = Math.ceil((new Date(until).getTime() - now.getTime()) / 1000);
    throw new AppError("rate_limited", `too many failed sign-ins: try again in ${Math.ceil(seconds / 60)} minute(s)`, { details: { retry_after_seconds: seconds } });
  }
}

/** Counts one failure on every key (atomically, so several instances share one count). */
export async function recordSignInFailure(opts: { sql: SqlExecutor; keys: string[]; now?: Date }): Promise<void> {
  const now = opts.now ?? new Date();
  const windowStart = new Date(now.getTime() - THROTTLE.windowMs);
  const lockedUntil = new Date(now.getTime() + THROTTLE.lockMs);
  for (const key of opts.keys) {
    const limit = key.startsWith("ip:") ? THROTTLE.perIp : THROTTLE.perEmail;
    await opts.sql.query(
      `INSERT INTO sign_in_throttles AS t (key, failures, window_start) VALUES ($1, 1, $2)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN t.window_start < $3 THEN 1 ELSE t.failures + 1 END,
         window_start = CASE WHEN t.window_start < $3 THEN $2 ELSE t.window_start END,
         locked_until = CASE WHEN t.window_start >= $3 AND t.failures + 1 >= $4 THEN $5::timestamptz ELSE t.locked_until END`,
      [key, now, windowStart, limit, lockedUntil],
    );
  }
}

export async function clearSignInFailures(opts: { sql: SqlExecutor; keys: string[] }): Promise<void> {
  await opts.sql.query(`DELETE FROM sign_in_throttles WHERE key = ANY($1::text[])`, [opts.keys]);
}
