import { toJobJson } from "@/lib/exports/job-json";
import { principalActor, requireOrg } from "@/lib/auth/principal";
import { cancelExport } from "@/lib/exports/cancel-export";
import { apiHandler } from "@/lib/http/api-handler";
import { json } from "@/lib/http/respond";

/** Cancels a queued or running export (409 when it already finished). */
export const POST = apiHandler({ scope: "audit:export" }, async ({ db, principal, params }) => {
  const job = await cancelExport({ db, orgId: requireOrg(principal), id: params.id!, actor: principalActor(principal) });
  return json({ success: true, data: toJobJson(job) });
});
