import { principalActor } from "@/lib/auth/principal";
import { revokeToken } from "@/lib/auth/manage-tokens";
import { apiHandler } from "@/lib/http/api-handler";
import { json } from "@/lib/http/respond";

/** Revoke a token (idempotent). An org admin can revoke only its own org's tokens. */
export const DELETE = apiHandler({ scope: "admin" }, async ({ db, principal, params }) => {
  const orgId = principal.kind === "root" ? undefined : principal.orgId;
  const token = await revokeToken({ db, orgId, tokenId: params.id ?? "", actor: principalActor(principal) });
  return json(token);
});
