import { toEvidenceStatus } from "@/lib/dialects/complianceagent/evidence";
import { requireOrg } from "@/lib/auth/principal";
import { getExport } from "@/lib/exports/get-export";
import { apiHandler } from "@/lib/http/api-handler";
import { json } from "@/lib/http/respond";

/** ComplianceAgent "Get Export Status". */
export const GET = apiHandler({ scope: "audit:export" }, async ({ url, db, principal, params }) => {
  const job = await getExport({ db, orgId: requireOrg(principal), id: params.job_id!, kind: "evidence" });
  return json({ success: true, data: toEvidenceStatus(job, url.origin) });
});
