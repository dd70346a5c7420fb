import { toEvidenceCreated } from "@/lib/dialects/complianceagent/evidence";
import { principalActor, requireOrg } from "@/lib/auth/principal";
import { createEvidenceExport } from "@/lib/exports/create-export";
import { EvidenceExportRequestSchema } from "@/lib/exports/export-schemas";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, zodToAppError } from "@/lib/http/respond";

/** ComplianceAgent "Export Evidence Package": queues a ZIP for a framework and audit period. */
export const POST = apiHandler({ scope: "audit:export" }, async ({ req, db, principal }) => {
  const parsed = EvidenceExportRequestSchema.safeParse(await readJsonBody(req, 256 * 1024));
  if (!parsed.success) throw zodToAppError(parsed.error, "invalid_parameter");
  const created = await createEvidenceExport({ db, orgId: requireOrg(principal), actor: principalActor(principal), request: parsed.data });
  return json({ success: true, data: toEvidenceCreated(created) }, { status: 202 });
});
