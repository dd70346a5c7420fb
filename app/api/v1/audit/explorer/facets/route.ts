import { explorerFilter, ExplorerParamsSchema } from "@/lib/audit/explorer-filter";
import { facetEvents } from "@/lib/audit/facet-events";
import { requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { parseQuery } from "@/lib/http/query-params";
import { json } from "@/lib/http/respond";

/** Value counts (actions, actors, resource types, repositories) for the filter bar and autocomplete. */
export const GET = apiHandler({ scope: "audit:read" }, async ({ url, db, principal }) => {
  const filter = explorerFilter(parseQuery(url, ExplorerParamsSchema));
  return json({ success: true, data: await facetEvents({ sql: db.sql, orgId: requireOrg(principal), filter }) });
});
