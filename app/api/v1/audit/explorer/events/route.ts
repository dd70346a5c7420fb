import { z } from "zod";
import { decodeCursor, encodeCursor, explorerFilter, ExplorerParamsSchema } from "@/lib/audit/explorer-filter";
import { countEvents, listEvents } from "@/lib/audit/query-events";
import { requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { intParam, parseQuery } from "@/lib/http/query-params";
import { json } from "@/lib/http/respond";

const Params = ExplorerParamsSchema.extend({ cursor: z.string().max(200).optional(), limit: intParam("limit", 1, 500).optional(), total: z.enum(["0", "1"]).optional() });

/** The explorer's list: canonical entries newest first, keyset-paged over (timestamp, seq), with the total. */
export const GET = apiHandler({ scope: "audit:read" }, async ({ url, db, principal }) => {
  const p = parseQuery(url, Params);
  const orgId = requireOrg(principal);
  const filter = explorerFilter(p);
  const limit = p.limit ?? 100;
  const after = p.cursor ? decodeCursor(p.cursor) : undefined;
  const [rows, total] = await Promise.all([
    listEvents({ sql: db.sql, orgId, filter, limit: limit + 1, after }),
    p.total === "0" ? Promise.resolve(null) : countEvents({ sql: db.sql, orgId, filter }),
  ]);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const next_cursor = rows.length > limit && last ? encodeCursor(last) : null;
  return json({ success: true, data: page, next_cursor, total });
});
