import { publicApiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, zodToAppError } from "@/lib/http/respond";
import { CompletePasswordResetSchema, completePasswordReset } from "@/lib/users/manage-members";

/** Sets a new password through a reset link: `{"token","password"}` → 200; the link is spent, sessions end. */
export const POST = publicApiHandler(async ({ req, db }) => {
  const parsed = CompletePasswordResetSchema.safeParse(await readJsonBody(req, 4 * 1024));
  if (!parsed.success) throw zodToAppError(parsed.error);
  const done = await completePasswordReset({ db, ...parsed.data });
  return json({ success: true, data: done });
});
