import type { Principal } from "../auth/principal";
import type { SqlExecutor } from "../db/sql";
import { getHttpConfig } from "./http-config";
import { consumeRateLimit, rateLimitError, type RateLimitState } from "./rate-limit";

/** The credential a rate limit counts: a token, a signed-in user, or the root token. */
export function rateLimitKey(p: Principal): string {
  if ("tokenId" in p) return `token:${p.tokenId}`;
  if ("userId" in p) return `user:${p.userId}`;
  return p.kind;
}

/**
 * Counts this request against its credential's window (limits from the environment). Returns the
 * state for the response headers; `onState` receives it (also before a 429 is thrown).
 */
export async function enforceRateLimit(opts: {
  sql: SqlExecutor;
  /** The credential counted, or (before authentication: sign-in, signed downloads) a key such as `ip:<client address>`. */
  principal: Principal | string;
  onState: (s: RateLimitState) => void;
}): Promise<void> {
  const cfg = getHttpConfig();
  if (cfg.AUDIT_RATE_LIMIT === 0) return;
  const state = await consumeRateLimit({
    sql: opts.sql,
    key: typeof opts.principal === "string" ? opts.principal : rateLimitKey(opts.principal),
    limit: cfg.AUDIT_RATE_LIMIT,
    windowSeconds: cfg.AUDIT_RATE_LIMIT_WINDOW_SECONDS,
  });
  opts.onState(state);
  if (state.exceeded) throw rateLimitError(state);
}
