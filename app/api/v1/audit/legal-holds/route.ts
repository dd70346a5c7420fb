import { z } from "zod";
import { principalActor, requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { parseQuery } from "@/lib/http/query-params";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json } from "@/lib/http/respond";
import { CreateLegalHoldSchema, createLegalHold, listLegalHolds } from "@/lib/retention/manage-legal-holds";

const ListQuery = z.object({ status: z.enum(["active", "released"], { message: "status must be active or released" }).optional() });

/** Legal holds of the org, newest first (?status=active|released). */
export const GET = apiHandler({ scope: "audit:read" }, async ({ url, db, principal }) => {
  const q = parseQuery(url, ListQuery);
  return json({ success: true, data: await listLegalHolds({ db, orgId: requireOrg(principal), status: q.status }) });
});

/** Places a hold {scope: all|repository|actor, target?, reason} (admin); audited as legal_hold.created. */
export const POST = apiHandler({ scope: "admin" }, async ({ req, db, principal }) => {
  const hold = CreateLegalHoldSchema.parse(await readJsonBody(req, 16 * 1024));
  const data = await createLegalHold({ db, orgId: requireOrg(principal), hold, actor: principalActor(principal) });
  return json({ success: true, data }, { status: 201 });
});
