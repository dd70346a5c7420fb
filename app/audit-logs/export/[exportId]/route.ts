import { toExportStatus } from "@/lib/dialects/appsecplus/exports";
import { requireOrg } from "@/lib/auth/principal";
import { getExport } from "@/lib/exports/get-export";
import { apiHandler } from "@/lib/http/api-handler";
import { json } from "@/lib/http/respond";

/** AppSec+ GetAuditLogExport: status, progress, and (when completed) a signed, expiring downloadUrl. */
export const GET = apiHandler({ scope: "audit:export" }, async ({ url, db, principal, params }) => {
  const job = await getExport({ db, orgId: requireOrg(principal), id: params.exportId!, kind: "logs" });
  return json(toExportStatus(job, url.origin));
});
