import { principalActor, requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, zodToAppError } from "@/lib/http/respond";
import { addCosignatures } from "@/lib/integrity/add-cosignatures";
import { CosignatureBody } from "@/lib/integrity/integrity-schemas";

/** Adds witness cosignatures (verified against AUDIT_WITNESS_KEYS) to a stored checkpoint (admin). */
export const POST = apiHandler({ scope: "admin" }, async ({ req, db, principal }) => {
  const parsed = CosignatureBody.safeParse(await readJsonBody(req, 128 * 1024));
  if (!parsed.success) throw zodToAppError(parsed.error, "invalid_parameter");
  const data = await addCosignatures({ db, orgId: requireOrg(principal), body: parsed.data, actor: principalActor(principal) });
  return json({ success: true, data }, { status: data.added.length ? 201 : 200 });
});
