import { requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { parseQuery } from "@/lib/http/query-params";
import { text } from "@/lib/http/respond";
import { getCheckpoint } from "@/lib/integrity/get-checkpoint";
import { CheckpointQuery } from "@/lib/integrity/integrity-schemas";

/** The org's latest signed checkpoint (or ?size=N), a C2SP signed note with witness cosignatures. */
export const GET = apiHandler({ scope: "audit:read" }, async ({ url, db, principal }) => {
  const q = parseQuery(url, CheckpointQuery);
  return text(await getCheckpoint({ sql: db.sql, orgId: requireOrg(principal), size: q.size }));
});
