import { principalActor, requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, zodToAppError } from "@/lib/http/respond";
import { createUser, listUsers } from "@/lib/users/manage-users";
import { CreateUserInputSchema } from "@/lib/users/user-schemas";

/** Add a dashboard user to the caller's org: `{"email","name","password","role"}` → 201. */
export const POST = apiHandler({ scope: "admin" }, async ({ req, db, principal }) => {
  const parsed = CreateUserInputSchema.safeParse(await readJsonBody(req, 16 * 1024));
  if (!parsed.success) throw zodToAppError(parsed.error);
  const user = await createUser({ db, orgId: requireOrg(principal), input: parsed.data, actor: principalActor(principal) });
  return json({ success: true, data: user }, { status: 201 });
});

/** The org's users and their roles. */
export const GET = apiHandler({ scope: "admin" }, async ({ db, principal }) => {
  return json({ success: true, data: await listUsers({ db, orgId: requireOrg(principal) }) });
});
