import { requireOrg } from "@/lib/auth/principal";
import { AppError } from "@/lib/errors";
import { apiHandler } from "@/lib/http/api-handler";
import { json } from "@/lib/http/respond";
import { deleteSavedView } from "@/lib/views/manage-saved-views";

/** Delete one of the signed-in user's saved views. */
export const DELETE = apiHandler({ scope: "audit:read" }, async ({ db, principal, params }) => {
  if (principal.kind !== "session") throw new AppError("forbidden", "saved views belong to dashboard users: sign in to the dashboard");
  await deleteSavedView({ db, orgId: requireOrg(principal), userId: principal.userId, id: params.id ?? "" });
  return json({ success: true });
});
