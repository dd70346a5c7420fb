import { HistoryQuerySchema, toHistoryOptions } from "@/lib/analytics/analytics-queries";
import { getHistory } from "@/lib/analytics/get-history";
import { requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { parseQuery } from "@/lib/http/query-params";
import { json } from "@/lib/http/respond";

/** Compliance history (seed "Get Compliance History"): score, issues or fixes per day, week or month. */
export const GET = apiHandler({ scope: "audit:read" }, async ({ url, db, principal }) => {
  const q = parseQuery(url, HistoryQuerySchema);
  const data = await getHistory({ sql: db.sql, orgId: requireOrg(principal), ...toHistoryOptions(q) });
  return json({ success: true, data });
});
