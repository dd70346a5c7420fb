import { apiHandler } from "@/lib/http/api-handler";
import { json } from "@/lib/http/respond";
import { signOut } from "@/lib/sessions/manage-sessions";
import { requireSession } from "@/lib/sessions/require-session";
import { isSecureRequest, sessionCookies } from "@/lib/sessions/session-cookie";

/** Ends the session (CSRF-protected like every cookie write) and clears both cookies. */
export const POST = apiHandler({ scope: "audit:read" }, async ({ req, url, db, principal }) => {
  const session = requireSession(principal);
  await signOut({ db, session });
  const headers = sessionCookies(null, isSecureRequest(url, req.headers.get("x-forwarded-proto"))).map((c): [string, string] => ["Set-Cookie", c]);
  return json({ success: true }, { headers });
});
