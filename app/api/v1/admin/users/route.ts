import { principalActor, requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, zodToAppError } from "@/lib/http/respond";
import { createUser, listUsers } from "@/lib/users/manage-users";
import { CreateUserInputSchema } from "@/lib/users/user-schemas";

/**
 * Add a dashboard user to the caller's org: `{"email","name","password","role"}` → 201 with the new
 * user; an email that already has an account (another org's user) → 202 with an invitation link,
 * shown once, that the user accepts after signing in.
 */
export const POST = apiHandler({ scope: "admin" }, async ({ req, db, principal }) => {
  const parsed = CreateUserInputSchema.safeParse(await readJsonBody(req, 16 * 1024));
  if (!parsed.success) throw zodToAppError(parsed.error);
  const r = await createUser({ db, orgId: requireOrg(principal), input: parsed.data, actor: principalActor(principal) });
  return r.status === "created" ? json({ success: true, data: r.user }, { status: 201 }) : json({ success: true, data: r }, { status: 202 });
});

/** The org's users and their roles. */
export const GET = apiHandler({ scope: "admin" }, async ({ db, principal }) => {
  return json({ success: true, data: await listUsers({ db, orgId: requireOrg(principal) }) });
});
