import { ListQuerySchema, toFilter, toListEntry } from "@/lib/dialects/complianceagent/logs";
import { ingestRequest } from "@/lib/api/ingest-request";
import { countTotal } from "@/lib/audit/count-events";
import { listEvents } from "@/lib/audit/query-events";
import { requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { parseQuery } from "@/lib/http/query-params";
import { json } from "@/lib/http/respond";

/** List (ComplianceAgent "Get Audit Logs"): newest first, page/limit, exact total (lib/audit/count-events.ts). */
export const GET = apiHandler({ scope: "audit:read" }, async ({ url, db, principal }) => {
  const q = parseQuery(url, ListQuerySchema);
  const orgId = requireOrg(principal);
  const filter = toFilter(q);
  const [rows, total] = await Promise.all([
    listEvents({ sql: db.sql, orgId, filter, limit: q.limit, offset: (q.page - 1) * q.limit }),
    countTotal({ sql: db.sql, orgId, filter, policy: "exact" }),
  ]);
  return json({ success: true, data: rows.map(toListEntry), pagination: { page: q.page, limit: q.limit, total: total.count } });
});

/** Ingest: one event or {"events": [...]}; answers after commit. */
export const POST = apiHandler({ scope: "audit:write" }, async ({ req, db, principal }) => {
  const result = await ingestRequest({ db, req, orgId: requireOrg(principal) });
  return json(
    { success: true, data: { accepted: result.created, duplicates: result.duplicates, events: result.events } },
    { status: result.created > 0 ? 201 : 200 },
  );
});
