import { StatisticsQuerySchema } from "@/lib/analytics/analytics-queries";
import { getStatistics } from "@/lib/analytics/get-statistics";
import { parseTimeRange } from "@/lib/audit/time-bounds";
import { requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { parseQuery } from "@/lib/http/query-params";
import { json } from "@/lib/http/respond";

/** Audit statistics (seed "Get Audit Statistics") over [from, to]. */
export const GET = apiHandler({ scope: "audit:read" }, async ({ url, db, principal }) => {
  const range = parseTimeRange(parseQuery(url, StatisticsQuerySchema));
  const data = await getStatistics({ sql: db.sql, orgId: requireOrg(principal), ...range });
  return json({ success: true, data });
});
