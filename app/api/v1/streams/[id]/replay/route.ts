import { principalActor, requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json } from "@/lib/http/respond";
import { replayStream } from "@/lib/streams/manage-streams";
import { ReplayStreamSchema } from "@/lib/streams/stream-schemas";

/** Moves the stream's cursor to {from_seq} or {from_time} (admin; audited as stream.replayed with the old/new cursor). */
export const POST = apiHandler({ scope: "admin" }, async ({ req, db, principal, params }) => {
  const orgId = requireOrg(principal);
  const replay = ReplayStreamSchema.parse(await readJsonBody(req, 4 * 1024));
  return json({ success: true, data: await replayStream({ db, orgId, id: params.id ?? "", replay, actor: principalActor(principal) }) });
});
