import { requireOrg } from "@/lib/auth/principal";
import { AppError } from "@/lib/errors";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, zodToAppError } from "@/lib/http/respond";
import { listSavedViews, SaveViewInputSchema, saveView } from "@/lib/views/manage-saved-views";
import type { Principal } from "@/lib/auth/principal";

/** Saved views belong to a dashboard user: tokens have none. */
function userOf(p: Principal): string {
  if (p.kind !== "session") throw new AppError("forbidden", "saved views belong to dashboard users: sign in to the dashboard");
  return p.userId;
}

/** The signed-in user's saved explorer views in the current org. */
export const GET = apiHandler({ scope: "audit:read" }, async ({ db, principal }) => {
  return json({ success: true, data: await listSavedViews({ db, orgId: requireOrg(principal), userId: userOf(principal) }) });
});

/** Save the current explorer view: `{"name","query"}` (query = the explorer's URL query string); same name replaces. */
export const POST = apiHandler({ scope: "audit:read" }, async ({ req, db, principal }) => {
  const parsed = SaveViewInputSchema.safeParse(await readJsonBody(req, 8 * 1024));
  if (!parsed.success) throw zodToAppError(parsed.error);
  const view = await saveView({ db, orgId: requireOrg(principal), userId: userOf(principal), input: parsed.data });
  return json({ success: true, data: view }, { status: 201 });
});

