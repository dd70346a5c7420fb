import { principalActor, requireOrg } from "@/lib/auth/principal";
import { CreateAlertRuleSchema } from "@/lib/alerts/alert-schemas";
import { createAlertRule, listAlertRules } from "@/lib/alerts/manage-alert-rules";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json } from "@/lib/http/respond";

/** The org's alert rules with their recent firings (admin). */
export const GET = apiHandler({ scope: "admin" }, async ({ db, principal }) => {
  return json({ success: true, data: await listAlertRules({ db, orgId: requireOrg(principal) }) });
});

/** Creates a rule {name, query, target, throttle_seconds?, enabled?} (admin; audited as alert_rule.created). */
export const POST = apiHandler({ scope: "admin" }, async ({ req, db, principal }) => {
  const orgId = requireOrg(principal);
  const input = CreateAlertRuleSchema.parse(await readJsonBody(req, 16 * 1024));
  return json({ success: true, data: await createAlertRule({ db, orgId, input, actor: principalActor(principal) }) }, { status: 201 });
});
