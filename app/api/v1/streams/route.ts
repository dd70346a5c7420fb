import { principalActor, requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json } from "@/lib/http/respond";
import { createStream, listStreams } from "@/lib/streams/manage-streams";
import { CreateStreamSchema } from "@/lib/streams/stream-schemas";

/** The org's log streams with cursor, lag and delivery state (admin). */
export const GET = apiHandler({ scope: "admin" }, async ({ db, principal }) => {
  return json({ success: true, data: await listStreams({ db, orgId: requireOrg(principal) }) });
});

/** Creates a stream {name, destination, query?, start?} (admin); the webhook secret is in the answer once. Audited as stream.created. */
export const POST = apiHandler({ scope: "admin" }, async ({ req, db, principal }) => {
  const orgId = requireOrg(principal);
  const input = CreateStreamSchema.parse(await readJsonBody(req, 16 * 1024));
  const data = await createStream({ db, orgId, input, actor: principalActor(principal) });
  return json({ success: true, data }, { status: 201 });
});
