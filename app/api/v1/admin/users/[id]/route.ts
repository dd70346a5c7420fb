import { principalActor, requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, zodToAppError } from "@/lib/http/respond";
import { ChangeRoleInputSchema, changeMemberRole, removeMember } from "@/lib/users/manage-members";

/** Change a member's role in the caller's org: `{"role"}` → the member (audited `user.role_changed`). */
export const PATCH = apiHandler({ scope: "admin" }, async ({ req, db, principal, params }) => {
  const parsed = ChangeRoleInputSchema.safeParse(await readJsonBody(req, 4 * 1024));
  if (!parsed.success) throw zodToAppError(parsed.error);
  const member = await changeMemberRole({ db, orgId: requireOrg(principal), userId: params.id ?? "", role: parsed.data.role, actor: principalActor(principal) });
  return json({ success: true, data: member });
});

/** Remove a member from the caller's org (not the account; audited `user.removed`). */
export const DELETE = apiHandler({ scope: "admin" }, async ({ db, principal, params }) => {
  const member = await removeMember({ db, orgId: requireOrg(principal), userId: params.id ?? "", actor: principalActor(principal) });
  return json({ success: true, data: member });
});
