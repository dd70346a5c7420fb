import type { Principal } from "../auth/principal";
import { AppError } from "../errors";
import type { SessionPrincipal } from "./manage-sessions";

/** Endpoints about the signed-in person answer only to the session cookie, not to API tokens. */
export function requireSession(p: Principal): SessionPrincipal {
  if (p.kind !== "session") throw new AppError("forbidden", "this endpoint is for signed-in dashboard users (session cookie), not API tokens");
  return p;
}
