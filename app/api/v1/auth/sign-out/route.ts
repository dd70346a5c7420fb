import { recordEvent } from "@/lib/audit/record-event";
import { principalActor } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { json } from "@/lib/http/respond";
import { deleteSession } from "@/lib/sessions/manage-sessions";
import { requireSession } from "@/lib/sessions/require-session";
import { isSecureRequest, sessionCookies } from "@/lib/sessions/session-cookie";

/** Ends the session (CSRF-protected like every cookie write) and clears both cookies. */
export const POST = apiHandler({ scope: "audit:read" }, async ({ req, url, db, principal }) => {
  const session = requireSession(principal);
  await deleteSession({ db, sessionId: session.sessionId });
  await recordEvent({ sql: db.sql, orgId: session.orgId, event: { actor: principalActor(session), action: "user.logout", resource: { type: "user", id: session.userId, name: session.email } } });
  const headers = sessionCookies(null, isSecureRequest(url, req.headers.get("x-forwarded-proto"))).map((c): [string, string] => ["Set-Cookie", c]);
  return json({ success: true }, { headers });
});
