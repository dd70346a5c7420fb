import { toCreatedExport } from "@/lib/dialects/appsecplus/exports";
import { principalActor, requireOrg } from "@/lib/auth/principal";
import { createLogExport } from "@/lib/exports/create-export";
import { LogExportRequestSchema } from "@/lib/exports/export-schemas";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, zodToAppError } from "@/lib/http/respond";

/** AppSec+ ExportAuditLogs: queues a JSONL/CSV export of the (filtered) log; 202 with its id. */
export const POST = apiHandler({ scope: "audit:export" }, async ({ req, db, principal }) => {
  const parsed = LogExportRequestSchema.safeParse(await readJsonBody(req, 64 * 1024));
  if (!parsed.success) throw zodToAppError(parsed.error, "invalid_parameter");
  const job = await createLogExport({ db, orgId: requireOrg(principal), actor: principalActor(principal), request: parsed.data });
  return json(toCreatedExport(job), { status: 202, headers: { Location: `/audit-logs/export/${job.id}` } });
});
