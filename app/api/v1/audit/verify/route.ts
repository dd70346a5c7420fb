import { VerifyBodySchema } from "@/lib/audit/verify-schemas";
import { F } from "@/lib/audit/filter-tree";
import { parseTimeRange } from "@/lib/audit/time-bounds";
import { verifyAndRecord } from "@/lib/audit/verify-and-record";
import { principalActor, requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, zodToAppError } from "@/lib/http/respond";

/**
 * Verifies the chain in range and the whole log (seed "Verify Audit Log Integrity"; issue #9). The body
 * is optional. Each verification is itself recorded as `integrity.verified`.
 */
export const POST = apiHandler({ scope: "audit:read" }, async ({ req, db, principal }) => {
  const raw = await readJsonBody(req, 64 * 1024, { optional: true });
  const parsed = VerifyBodySchema.safeParse(raw ?? {});
  if (!parsed.success) throw zodToAppError(parsed.error, "invalid_parameter");
  const range = parseTimeRange(parsed.data);
  const result = await verifyAndRecord({
    db,
    orgId: requireOrg(principal),
    actor: principalActor(principal),
    filter: { ...range, where: F.eq("repository.id", parsed.data.repository_id) },
    range: Object.fromEntries(Object.entries({ from: parsed.data.from, to: parsed.data.to, repository_id: parsed.data.repository_id }).filter(([, v]) => v !== undefined)),
    deep: parsed.data.deep,
  });
  return json({ success: true, data: result });
});
