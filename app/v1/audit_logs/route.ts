import { AmpListQuery, toAmpFilter, toAmpList } from "@/lib/dialects/amp/audit-logs";
import { countTotal } from "@/lib/audit/count-events";
import { listEvents } from "@/lib/audit/query-events";
import { requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { parseQuery } from "@/lib/http/query-params";
import { json } from "@/lib/http/respond";

/** AMP GET /v1/audit_logs: the seed's envelope with offset paging and an exact total. */
export const GET = apiHandler({ scope: "audit:read" }, async ({ url, db, principal }) => {
  const q = parseQuery(url, AmpListQuery);
  const orgId = requireOrg(principal);
  const filter = toAmpFilter(q);
  const [rows, total] = await Promise.all([
    listEvents({ sql: db.sql, orgId, filter, limit: q.limit, offset: q.offset }),
    countTotal({ sql: db.sql, orgId, filter, policy: "exact" }),
  ]);
  return json(toAmpList({ url, q, rows, total: total.count }));
});
