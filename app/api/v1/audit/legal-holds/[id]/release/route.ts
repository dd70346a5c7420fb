import { principalActor, requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json } from "@/lib/http/respond";
import { ReleaseLegalHoldSchema, releaseLegalHold } from "@/lib/retention/manage-legal-holds";

/** Releases a legal hold {reason?} (admin); audited as legal_hold.released. 409 when already released. */
export const POST = apiHandler({ scope: "admin" }, async ({ req, params, db, principal }) => {
  const body = ReleaseLegalHoldSchema.parse((await readJsonBody(req, 16 * 1024, { optional: true })) ?? {});
  const data = await releaseLegalHold({ db, orgId: requireOrg(principal), id: params.id ?? "", reason: body.reason, actor: principalActor(principal) });
  return json({ success: true, data });
});
