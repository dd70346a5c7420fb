import { principalActor, requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { json } from "@/lib/http/respond";
import { createPasswordReset } from "@/lib/users/manage-members";

/** A one-time password-reset link for a member: 201 `{email, expires_at, reset_path}` (shown once; audited). */
export const POST = apiHandler({ scope: "admin" }, async ({ db, principal, params }) => {
  const reset = await createPasswordReset({ db, orgId: requireOrg(principal), userId: params.id ?? "", actor: principalActor(principal) });
  return json({ success: true, data: reset }, { status: 201 });
});
