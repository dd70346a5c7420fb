import { principalActor } from "@/lib/auth/principal";
import { createToken, listTokens } from "@/lib/auth/manage-tokens";
import { CreateTokenInputSchema } from "@/lib/auth/token-schemas";
import { getConfig } from "@/lib/config";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json } from "@/lib/http/respond";
import { resolveAdminOrg } from "@/lib/orgs/admin-orgs";

/** Mint a token; the secret is in this answer only. */
export const POST = apiHandler({ scope: "admin" }, async ({ req, db, principal }) => {
  const input = CreateTokenInputSchema.parse(await readJsonBody(req, getConfig().AUDIT_MAX_BODY_BYTES));
  const org = await resolveAdminOrg({ db, principal, ref: input.org });
  const expiresAt = input.expires_at ? new Date(input.expires_at) : input.expires_in_days ? new Date(Date.now() + input.expires_in_days * 86_400_000) : undefined;
  const token = await createToken({ db, org, name: input.name, scopes: input.scopes, expiresAt, actor: principalActor(principal) });
  return json(token, { status: 201 });
});

/** List an org's tokens (never their secrets). Root passes ?org=<slug>. */
export const GET = apiHandler({ scope: "admin" }, async ({ url, db, principal }) => {
  const org = await resolveAdminOrg({ db, principal, ref: url.searchParams.get("org") ?? undefined });
  return json({ data: await listTokens({ db, org }) });
});
