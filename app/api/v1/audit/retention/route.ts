import { requireOrg, principalActor } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json } from "@/lib/http/respond";
import { getRetentionStatus } from "@/lib/retention/get-retention-status";
import { parseRetentionPolicyUpdate, updateRetentionPolicy } from "@/lib/retention/retention-policy";

/** Retention policy (seed "Get Retention Policy"), with storage and the oldest entry measured from the database. */
export const GET = apiHandler({ scope: "audit:read" }, async ({ db, principal }) => {
  return json({ success: true, data: await getRetentionStatus({ db, orgId: requireOrg(principal) }) });
});

/** Changes the policy (admin); the change is recorded as `retention.policy_updated` with old and new values. */
export const PUT = apiHandler({ scope: "admin" }, async ({ req, db, principal }) => {
  const update = parseRetentionPolicyUpdate(await readJsonBody(req, 64 * 1024));
  const orgId = requireOrg(principal);
  const { changes } = await updateRetentionPolicy({ db, orgId, update, actor: principalActor(principal) });
  return json({ success: true, data: { ...(await getRetentionStatus({ db, orgId })), changes } });
});
