import { requireOrg } from "@/lib/auth/principal";
import { LogExportRequestSchema } from "@/lib/exports/export-schemas";
import { previewLogExport } from "@/lib/exports/preview-export";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, zodToAppError } from "@/lib/http/respond";

/** What a log export (POST /audit-logs/export body) would hold: rows, and a warning when none. Reads only. */
export const POST = apiHandler({ scope: "audit:export" }, async ({ req, db, principal }) => {
  const parsed = LogExportRequestSchema.safeParse(await readJsonBody(req, 64 * 1024));
  if (!parsed.success) throw zodToAppError(parsed.error, "invalid_parameter");
  return json({ success: true, data: await previewLogExport({ sql: db.sql, orgId: requireOrg(principal), request: parsed.data }) });
});
