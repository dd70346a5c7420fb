import { requireOrg } from "@/lib/auth/principal";
import { apiHandler } from "@/lib/http/api-handler";
import { json } from "@/lib/http/respond";
import { enforceRetention } from "@/lib/retention/enforce-retention";

/** Runs retention enforcement for the caller's org now (admin); the periodic job does the same hourly. */
export const POST = apiHandler({ scope: "admin" }, async ({ db, principal }) => {
  return json({ success: true, data: await enforceRetention({ db, orgId: requireOrg(principal) }) });
});
