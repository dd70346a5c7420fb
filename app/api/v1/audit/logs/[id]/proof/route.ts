import { requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { parseQuery } from "@/lib/http/query-params";
import { json } from "@/lib/http/respond";
import { toHex } from "@/lib/integrity/encoding";
import { ProofQuery } from "@/lib/integrity/integrity-schemas";
import { proveInclusion } from "@/lib/integrity/prove-inclusion";

/** RFC 9162 inclusion proof of one entry in the tree of ?tree_size (default: the latest checkpoint). */
export const GET = apiHandler({ scope: "audit:read" }, async ({ url, db, principal, params }) => {
  const q = parseQuery(url, ProofQuery);
  const p = await proveInclusion({ sql: db.sql, orgId: requireOrg(principal), id: params.id ?? "", treeSize: q.tree_size });
  return json({ leaf_index: p.leaf_index, tree_size: p.tree_size, leaf_hash: toHex(p.leaf_hash), hashes: p.hashes.map(toHex) });
});
