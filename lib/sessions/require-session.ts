import type { Principal } from "../auth/principal";
import { AppError } from "../errors";
import type { SessionPrincipal } from "./manage-sessions";

/** Endpoints about the signed-in person answer only to the session cookie, not to API tokens. */
export function requireSession(p: Principal): SessionPrincipal {
  if (p.kind !== "session") throw new AppError("forbidden", "this endpoint is for signed-in dashboard users (session cookie), not API tokens");
  return p;
}

/** The client address for throttling and the audit record: the first X-Forwarded-For hop, else X-Real-IP. */
export function clientIp(headers: Headers): string | undefined {
  const v = headers.get("x-forwarded-for")?.split(",")[0]?.trim() || headers.get("x-real-ip")?.trim();
  return v ? v.slice(0, 64) : undefined;
}
