import { VerifyBodySchema } from "@/lib/audit/verify-schemas";
import { parseTimeRange } from "@/lib/audit/time-bounds";
import { verifyChain } from "@/lib/audit/verify-chain";
import { requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, zodToAppError } from "@/lib/http/respond";

/** Recomputes hashes and links in range (seed "Verify Audit Log Integrity"). The body is optional. */
export const POST = apiHandler({ scope: "audit:read" }, async ({ req, db, principal }) => {
  const raw = await readJsonBody(req, 64 * 1024, { optional: true });
  const parsed = VerifyBodySchema.safeParse(raw ?? {});
  if (!parsed.success) throw zodToAppError(parsed.error, "invalid_parameter");
  const range = parseTimeRange(parsed.data);
  const result = await verifyChain({ sql: db.sql, orgId: requireOrg(principal), filter: { ...range, repositoryId: parsed.data.repository_id } });
  return json({ success: true, data: result });
});
