import { checkHealth } from "@/lib/service/check-health";
import { json } from "@/lib/http/respond";

/** Read and write probes (lib/service/check-health.ts): 200 when both pass, 503 otherwise. No credential needed. */
export async function GET(): Promise<Response> {
  const report = await checkHealth();
  return json(report, { status: report.status === "ok" ? 200 : 503, headers: report.status === "ok" ? undefined : { "Retry-After": "5" } });
}
