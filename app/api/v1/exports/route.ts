import { z } from "zod";
import { toJobJson } from "@/lib/exports/job-json";
import { requireOrg } from "@/lib/auth/principal";
import { listExports } from "@/lib/exports/get-export";
import { apiHandler } from "@/lib/http/api-handler";
import { intParam, parseQuery } from "@/lib/http/query-params";
import { json } from "@/lib/http/respond";

const Query = z.object({ limit: intParam("limit", 1, 200).default(50) });

/** The org's export jobs, newest first, with signed download paths for completed ones. */
export const GET = apiHandler({ scope: "audit:export" }, async ({ url, db, principal }) => {
  const q = parseQuery(url, Query);
  const jobs = await listExports({ db, orgId: requireOrg(principal), limit: q.limit });
  return json({ success: true, data: jobs.map(toJobJson) });
});
