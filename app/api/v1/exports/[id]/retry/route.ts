import { toJobJson } from "@/lib/exports/job-json";
import { principalActor, requireOrg } from "@/lib/auth/principal";
import { retryExport } from "@/lib/exports/retry-export";
import { apiHandler } from "@/lib/http/api-handler";
import { json } from "@/lib/http/respond";

/** Queues a failed, cancelled or expired export again (409 otherwise). */
export const POST = apiHandler({ scope: "audit:export" }, async ({ db, principal, params }) => {
  const job = await retryExport({ db, orgId: requireOrg(principal), id: params.id!, actor: principalActor(principal) });
  return json({ success: true, data: toJobJson(job) });
});
