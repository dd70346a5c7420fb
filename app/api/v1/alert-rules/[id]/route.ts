import { principalActor, requireOrg } from "@/lib/auth/principal";
import { UpdateAlertRuleSchema } from "@/lib/alerts/alert-schemas";
import { deleteAlertRule, getAlertRule, updateAlertRule } from "@/lib/alerts/manage-alert-rules";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json } from "@/lib/http/respond";

/** One alert rule with its last 20 firings (admin). */
export const GET = apiHandler({ scope: "admin" }, async ({ db, principal, params }) => {
  return json({ success: true, data: await getAlertRule({ db, orgId: requireOrg(principal), id: params.id ?? "" }) });
});

/** Changes a rule (admin; audited as alert_rule.updated with old/new values). */
export const PATCH = apiHandler({ scope: "admin" }, async ({ req, db, principal, params }) => {
  const orgId = requireOrg(principal);
  const patch = UpdateAlertRuleSchema.parse(await readJsonBody(req, 16 * 1024));
  return json({ success: true, data: await updateAlertRule({ db, orgId, id: params.id ?? "", patch, actor: principalActor(principal) }) });
});

/** Deletes a rule and its firing history (admin; audited as alert_rule.deleted). */
export const DELETE = apiHandler({ scope: "admin" }, async ({ db, principal, params }) => {
  const orgId = requireOrg(principal);
  const id = params.id ?? "";
  await deleteAlertRule({ db, orgId, id, actor: principalActor(principal) });
  return json({ success: true, data: { id, deleted: true } });
});
