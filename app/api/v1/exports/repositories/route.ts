import { z } from "zod";
import { requireOrg } from "@/lib/auth/principal";
import { listRepositories } from "@/lib/exports/export-repositories";
import { apiHandler } from "@/lib/http/api-handler";
import { intParam, parseQuery } from "@/lib/http/query-params";
import { json } from "@/lib/http/respond";

const Query = z.object({ q: z.string().max(256, "at most 256 characters").optional(), limit: intParam("limit", 1, 200).default(50) });

/** The org's repositories (id and name) whose id or name contains `q`: the export forms pick repositories by name from it. */
export const GET = apiHandler({ scope: "audit:read" }, async ({ url, db, principal }) => {
  const q = parseQuery(url, Query);
  return json({ success: true, data: await listRepositories({ sql: db.sql, orgId: requireOrg(principal), q: q.q, limit: q.limit }) });
});
