import { Soc2QuerySchema, toAuditPeriod } from "@/lib/analytics/analytics-queries";
import { collectSoc2Evidence } from "@/lib/analytics/collect-soc2-evidence";
import { requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { parseQuery } from "@/lib/http/query-params";
import { json } from "@/lib/http/respond";

/** SOC 2 evidence for one criterion (seed "SOC 2 Evidence"); criteria → event types: lib/analytics/soc2-criteria.ts. */
export const GET = apiHandler({ scope: "audit:export" }, async ({ url, db, principal }) => {
  const q = parseQuery(url, Soc2QuerySchema);
  const data = await collectSoc2Evidence({ sql: db.sql, orgId: requireOrg(principal), criteria: q.criteria, ...toAuditPeriod(q) });
  return json({ success: true, data });
});
