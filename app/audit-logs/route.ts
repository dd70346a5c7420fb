import { AppSecListQuery, nextLink, toAppSecEntry, toAppSecFilter, decodeCursor } from "@/lib/dialects/appsecplus/audit-logs";
import { listEvents } from "@/lib/audit/query-events";
import { requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { parseQuery } from "@/lib/http/query-params";
import { json } from "@/lib/http/respond";

/** AppSec+ ListAuditLogs: a bare JSON array, newest first; the next page in a Link header. */
export const GET = apiHandler({ scope: "audit:read" }, async ({ url, db, principal }) => {
  const q = parseQuery(url, AppSecListQuery);
  const filter = toAppSecFilter(q);
  const after = q.cursor ? decodeCursor(q.cursor) : undefined;
  const rows = await listEvents({ sql: db.sql, orgId: requireOrg(principal), filter, limit: q.limit + 1, after });
  const page = rows.slice(0, q.limit);
  const headers = rows.length > q.limit ? { Link: nextLink(url, page[page.length - 1]!) } : undefined;
  return json(page.map(toAppSecEntry), { headers });
});
