import { requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { parseQuery } from "@/lib/http/query-params";
import { json } from "@/lib/http/respond";
import { toHex } from "@/lib/integrity/encoding";
import { ConsistencyQuery } from "@/lib/integrity/integrity-schemas";
import { proveConsistency } from "@/lib/integrity/prove-consistency";

/** RFC 9162 consistency proof between the org's trees of sizes ?first and ?second. */
export const GET = apiHandler({ scope: "audit:read" }, async ({ url, db, principal }) => {
  const q = parseQuery(url, ConsistencyQuery);
  const p = await proveConsistency({ sql: db.sql, orgId: requireOrg(principal), first: q.first, second: q.second });
  return json({ first: p.first, second: p.second, hashes: p.hashes.map(toHex) });
});
