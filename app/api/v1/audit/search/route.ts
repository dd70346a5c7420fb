import { parseTimeRange } from "@/lib/audit/time-bounds";
import { requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { parseQuery } from "@/lib/http/query-params";
import { json } from "@/lib/http/respond";
import { parseSearchQuery } from "@/lib/search/parse-search-query";
import { SearchQuery } from "@/lib/search/search-schemas";
import { searchEvents } from "@/lib/search/search-events";

/** ComplianceAgent "Search Audit Logs": full-text, ranked, with highlights. */
export const GET = apiHandler({ scope: "audit:read" }, async ({ url, db, principal }) => {
  const q = parseQuery(url, SearchQuery);
  const filter = { ...parseTimeRange(q), textSearch: parseSearchQuery(q.q, q.fields) };
  const { hits, total, totalExact } = await searchEvents({
    sql: db.sql, orgId: requireOrg(principal), filter, fields: q.fields, limit: q.limit, offset: (q.page - 1) * q.limit,
  });
  const results = hits.map((h) => ({ id: h.event.id, event_type: h.event.action, highlight: h.highlight, score: h.score, timestamp: h.event.timestamp }));
  return json({ success: true, data: { results, total } }, { headers: { "X-Total-Relation": totalExact ? "eq" : "gte" } });
});
