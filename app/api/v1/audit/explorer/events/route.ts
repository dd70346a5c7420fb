import { z } from "zod";
import { exploreEvents } from "@/lib/audit/explore-events";
import { ExplorerParamsSchema } from "@/lib/audit/explorer-filter";
import { requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { intParam, parseQuery } from "@/lib/http/query-params";
import { json } from "@/lib/http/respond";

const Params = ExplorerParamsSchema.extend({ cursor: z.string().max(200).optional(), limit: intParam("limit", 1, 500).optional(), total: z.enum(["0", "1"]).optional(), order: z.enum(["desc", "asc"], { message: "must be desc or asc" }).optional() });

/** The explorer's list: canonical entries newest (or, `order=asc`, oldest) first, keyset-paged over (timestamp, seq), with the total, the time window applied and, when empty, why. */
export const GET = apiHandler({ scope: "audit:read" }, async ({ url, db, principal }) => {
  const { cursor, limit, total, order, ...params } = parseQuery(url, Params);
  const page = await exploreEvents({ sql: db.sql, orgId: requireOrg(principal), params, cursor, limit: limit ?? 100, withTotal: total !== "0", order });
  return json({ success: true, ...page });
});
