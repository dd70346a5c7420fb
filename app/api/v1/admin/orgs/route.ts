import { requireRoot, listVisibleOrgs } from "@/lib/orgs/admin-orgs";
import { createOrg } from "@/lib/orgs/create-org";
import { CreateOrgInputSchema } from "@/lib/orgs/org-schemas";
import { principalActor } from "@/lib/auth/principal";
import { getConfig } from "@/lib/config";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json } from "@/lib/http/respond";

/** Create an org (root token only). */
export const POST = apiHandler({ scope: "admin" }, async ({ req, db, principal }) => {
  requireRoot(principal);
  const input = CreateOrgInputSchema.parse(await readJsonBody(req, getConfig().AUDIT_MAX_BODY_BYTES));
  const org = await createOrg({ db, slug: input.slug, name: input.name, actor: principalActor(principal) });
  return json(org, { status: 201 });
});

/** Orgs the credential may see: all for root, its own for an org admin token. */
export const GET = apiHandler({ scope: "admin" }, async ({ db, principal }) => json({ data: await listVisibleOrgs({ db, principal }) }));
