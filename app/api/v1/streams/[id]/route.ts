import { principalActor, requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json } from "@/lib/http/respond";
import { deleteStream, getStream, updateStream } from "@/lib/streams/manage-streams";
import { UpdateStreamSchema } from "@/lib/streams/stream-schemas";

/** One stream: status, cursor, lag, last success/error, deliveries/s (admin). */
export const GET = apiHandler({ scope: "admin" }, async ({ db, principal, params }) => {
  return json({ success: true, data: await getStream({ db, orgId: requireOrg(principal), id: params.id ?? "" }) });
});

/** Pause/resume, rename, change the query or destination, rotate the webhook secret (admin; audited with old/new values). */
export const PATCH = apiHandler({ scope: "admin" }, async ({ req, db, principal, params }) => {
  const orgId = requireOrg(principal);
  const patch = UpdateStreamSchema.parse(await readJsonBody(req, 16 * 1024));
  return json({ success: true, data: await updateStream({ db, orgId, id: params.id ?? "", patch, actor: principalActor(principal) }) });
});

/** Deletes a stream (admin; audited as stream.deleted). */
export const DELETE = apiHandler({ scope: "admin" }, async ({ db, principal, params }) => {
  const orgId = requireOrg(principal);
  const id = params.id ?? "";
  await deleteStream({ db, orgId, id, actor: principalActor(principal) });
  return json({ success: true, data: { id, deleted: true } });
});
