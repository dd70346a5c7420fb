import { streamEvidenceCsv } from "@/lib/analytics/stream-evidence-csv";
import { publicApiHandler } from "@/lib/http/api-handler";
import { attachmentDisposition } from "@/lib/http/content-disposition";

/** A SOC 2 evidence CSV behind the HMAC-signed link that GET /api/v1/audit/evidence/soc2 hands out (no bearer needed). */
export const GET = publicApiHandler(async ({ url, db }) => {
  const p = url.searchParams;
  const { fileName, body } = await streamEvidenceCsv({ sql: db.sql, subject: p.get("subject"), expires: p.get("expires"), sig: p.get("sig") });
  return new Response(body, {
    headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": attachmentDisposition(fileName), "Cache-Control": "no-store" },
  });
});
