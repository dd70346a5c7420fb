import type { SqlExecutor } from "../db/sql";
import { AppError } from "../errors";

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
  resetAt: Date;
  exceeded: boolean;
}

/**
 * Fixed-window rate limiting counted in the database, so every app instance on one PostgreSQL
 * shares the count. One UPSERT per request on a small table (a row per credential and window);
 * the first request of a window also deletes that credential's older windows.
 */
export async function consumeRateLimit(opts: {
  sql: SqlExecutor;
  key: string;
  limit: number;
  windowSeconds: number;
  now?: Date;
}): Promise<RateLimitState> {
  const now = opts.now ?? new Date();
  const windowMs = opts.windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const rows = await opts.sql.query<{ count: number }>(
    `INSERT INTO rate_limit_windows (key, window_start, count) VALUES ($1, $2, 1)
     ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_windows.count + 1
     RETURNING count`,
    [opts.key, windowStart],
  );
  const count = rows[0]?.count ?? 1;
  if (count === 1) {
    void opts.sql.query(`DELETE FROM rate_limit_windows WHERE key = $1 AND window_start < $2`, [opts.key, windowStart]).catch(() => undefined);
  }
  const resetAt = new Date(windowStart.getTime() + windowMs);
  return {
    limit: opts.limit,
    remaining: Math.max(0, opts.limit - count),
    resetSeconds: Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000)),
    resetAt,
    exceeded: count > opts.limit,
  };
}

/** The AMP seed's headers: X-RateLimit-Limit, -Remaining, -Reset (seconds), -ResetDate. */
export function rateLimitHeaders(s: RateLimitState): Record<string, string> {
  return {
    "X-RateLimit-Limit": String(s.limit),
    "X-RateLimit-Remaining": String(s.remaining),
    "X-RateLimit-Reset": String(s.resetSeconds),
    "X-RateLimit-ResetDate": `${s.resetAt.toISOString().slice(0, 19)}Z`,
  };
}

export function rateLimitError(s: RateLimitState): AppError {
  return new AppError("rate_limited", `rate limit of ${s.limit} requests exceeded: retry in ${s.resetSeconds} s`, {
    details: { retry_after: s.resetSeconds },
  });
}
