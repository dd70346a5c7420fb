import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, zodToAppError } from "@/lib/http/respond";
import { describeSession, switchSessionOrg } from "@/lib/sessions/manage-sessions";
import { requireSession } from "@/lib/sessions/require-session";
import { SwitchOrgInputSchema } from "@/lib/users/user-schemas";

/** Org switcher: `{"org": "<slug or id>"}`; an org the user does not belong to answers 404. */
export const PUT = apiHandler({ scope: "audit:read" }, async ({ req, db, principal }) => {
  const session = requireSession(principal);
  const parsed = SwitchOrgInputSchema.safeParse(await readJsonBody(req, 4096));
  if (!parsed.success) throw zodToAppError(parsed.error);
  const org = await switchSessionOrg({ db, principal: session, orgRef: parsed.data.org });
  return json({ success: true, data: await describeSession({ db, principal: { ...session, orgId: org.id } }) });
});
