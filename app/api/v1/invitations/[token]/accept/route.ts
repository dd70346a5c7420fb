import { apiHandler } from "@/lib/http/api-handler";
import { json } from "@/lib/http/respond";
import { requireSession } from "@/lib/sessions/require-session";
import { acceptInvitation } from "@/lib/users/manage-invitations";

/** Accept an invitation as the signed-in user (session cookie + X-CSRF-Token): joins the inviting org. */
export const POST = apiHandler({ scope: "audit:read" }, async ({ db, principal, params }) => {
  const session = requireSession(principal);
  const data = await acceptInvitation({ db, token: params.token ?? "", principal: session });
  return json({ success: true, data });
});
