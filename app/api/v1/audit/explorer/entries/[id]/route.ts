import { getEntryContext } from "@/lib/audit/get-entry-context";
import { requireOrg } from "@/lib/auth/principal";
import { AppError } from "@/lib/errors";
import { apiHandler } from "@/lib/http/api-handler";
import { json } from "@/lib/http/respond";

/** One canonical entry with its chain neighbours and its resource's timeline (entry page). 404 across orgs. */
export const GET = apiHandler({ scope: "audit:read" }, async ({ db, principal, params }) => {
  const id = params.id ?? "";
  const ctx = await getEntryContext({ sql: db.sql, orgId: requireOrg(principal), id });
  if (!ctx) throw new AppError("not_found", `audit log "${id}" not found`);
  return json({ success: true, data: ctx });
});
