import { apiHandler } from "@/lib/http/api-handler";
import { json } from "@/lib/http/respond";
import { describeSession } from "@/lib/sessions/manage-sessions";
import { requireSession } from "@/lib/sessions/require-session";

/** The signed-in user, the current org and role, and the orgs the user may switch to. */
export const GET = apiHandler({ scope: "audit:read" }, async ({ db, principal }) => {
  return json({ success: true, data: await describeSession({ db, principal: requireSession(principal) }) });
});
