import { toAppSecEntry } from "@/lib/dialects/appsecplus/audit-logs";
import { getEvent } from "@/lib/audit/query-events";
import { requireOrg } from "@/lib/auth/principal";
import { AppError } from "@/lib/errors";
import { apiHandler } from "@/lib/http/api-handler";
import { json } from "@/lib/http/respond";

/** AppSec+ GetAuditLog. Another org's id answers 404 like a missing one. */
export const GET = apiHandler({ scope: "audit:read" }, async ({ db, principal, params }) => {
  const id = params.id ?? "";
  const event = await getEvent({ sql: db.sql, orgId: requireOrg(principal), id });
  if (!event) throw new AppError("not_found", `audit log "${id}" not found`);
  return json(toAppSecEntry(event));
});
