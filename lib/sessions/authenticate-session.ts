import type { Principal } from "../auth/principal";
import { safeEqual } from "../auth/token-secrets";
import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import { findSession } from "./manage-sessions";
import { CSRF_HEADER, SESSION_COOKIE, readCookie } from "./session-cookie";

export interface SessionRequest {
  method: string;
  cookie: string | null;
  /** Value of the X-CSRF-Token header. */
  csrfToken: string | null;
  /** Origin header and the request's own origin, compared for writes. */
  origin: string | null;
  selfOrigin: string;
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** The request's session headers, read once by the API wrapper. */
export function sessionRequestOf(req: Request): SessionRequest {
  const url = new URL(req.url);
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  const proto = req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() ?? url.protocol.replace(":", "");
  return {
    method: req.method.toUpperCase(),
    cookie: req.headers.get("cookie"),
    csrfToken: req.headers.get(CSRF_HEADER),
    origin: req.headers.get("origin"),
    selfOrigin: host ? `${proto}://${host}` : url.origin,
  };
}

/**
 * Cookie authentication for the API. Writes (any method but GET/HEAD/OPTIONS) need both:
 * the session's CSRF token in `X-CSRF-Token` (the page reads it from the `audit_csrf` cookie), and,
 * when the browser sends an Origin, that Origin must be this service's own. Null without a cookie.
 */
export async function authenticateSession(opts: { db: Database; request: SessionRequest; now?: Date }): Promise<Principal | null> {
  const token = readCookie(opts.request.cookie, SESSION_COOKIE);
  if (!token) return null;
  const found = await findSession({ db: opts.db, token, now: opts.now });
  if (!found) throw new AppError("unauthorized", "your session has ended: sign in again");
  const { csrfToken, ...principal } = found;
  if (!SAFE.has(opts.request.method)) {
    if (opts.request.origin && opts.request.origin !== "null" && opts.request.origin !== opts.request.selfOrigin) {
      throw new AppError("forbidden", "cross-site request refused: Origin does not match this service", { field: "origin" });
    }
    if (!opts.request.csrfToken || !safeEqual(opts.request.csrfToken, csrfToken)) {
      throw new AppError("forbidden", "missing or wrong X-CSRF-Token header (copy it from the audit_csrf cookie)", { field: "x-csrf-token" });
    }
  }
  return principal;
}
