import { principalActor, requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { json } from "@/lib/http/respond";
import { testStream } from "@/lib/streams/test-stream";

/** Sends a test event to the stream's destination now and says what came back (admin; the cursor does not move). */
export const POST = apiHandler({ scope: "admin" }, async ({ db, principal, params }) => {
  const orgId = requireOrg(principal);
  return json({ success: true, data: await testStream({ db, orgId, id: params.id ?? "", actor: principalActor(principal) }) });
});
