import { bucketEvents } from "@/lib/audit/bucket-events";
import { explorerFilter, ExplorerParamsSchema } from "@/lib/audit/explorer-filter";
import { requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { parseQuery } from "@/lib/http/query-params";
import { json } from "@/lib/http/respond";

/** Events per time bucket for the explorer's filters (same parameters as the list). */
export const GET = apiHandler({ scope: "audit:read" }, async ({ url, db, principal }) => {
  const filter = explorerFilter(parseQuery(url, ExplorerParamsSchema));
  return json({ success: true, data: await bucketEvents({ sql: db.sql, orgId: requireOrg(principal), filter }) });
});
