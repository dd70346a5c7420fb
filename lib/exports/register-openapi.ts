/**
 * OpenAPI registrations of the export routes (issue #5). Request schemas are the ones the routes
 * parse with. Needs one line in lib/openapi/routes/index.ts: `import "../../exports/register-openapi";`.
 */
import { z } from "zod";
import { registerRoute } from "../openapi/registry";
import { LogExportCreated, LogExportStatus } from "../dialects/appsecplus/exports.types";
import { EvidenceCreated, EvidenceStatus } from "../dialects/complianceagent/evidence.types";
import { EvidenceExportRequestSchema, LogExportRequestSchema } from "./export-schemas";
import { ExportJobJson } from "./job-json";

const JobAnswer = z.object({ success: z.literal(true), data: ExportJobJson });
const IdParam = z.object({ id: z.string() });
const tags = ["Exports"];
const security: ("bearer" | "basic" | "session")[] = ["bearer", "session"];

registerRoute({
  method: "post",
  path: "/audit-logs/export",
  operationId: "appsecExportAuditLogs",
  summary: "AppSec+ ExportAuditLogs",
  description:
    "Queues a JSONL or CSV (RFC 4180, formula injection neutralised) export of the filtered log. Also accepts the list filters and the explorer's query (`q`). JSONL lines are AppSec+ entries plus `canonical` (the stored, hashed entry), and the last line is the `audit_trail_verification` trailer (signed checkpoint, public key, Merkle multiproof, signature over the lines): `npx audit-trail verify` checks the file offline (docs/exports.md).",
  tags: ["AppSec+", ...tags],
  scope: "audit:export",
  security,
  body: LogExportRequestSchema,
  responses: { 202: { description: "Queued.", schema: LogExportCreated } },
});
registerRoute({
  method: "get",
  path: "/audit-logs/export/{exportId}",
  operationId: "appsecGetAuditLogExport",
  summary: "AppSec+ GetAuditLogExport",
  tags: ["AppSec+", ...tags],
  scope: "audit:export",
  security,
  params: z.object({ exportId: z.string() }),
  responses: { 200: { description: "Status, progress and (when completed) the signed download link.", schema: LogExportStatus } },
  errors: [404],
});
registerRoute({
  method: "post",
  path: "/api/v1/audit/evidence/export",
  operationId: "complianceAgentExportEvidence",
  summary: "ComplianceAgent Export Evidence Package",
  description:
    "Queues a ZIP: README.md, events.jsonl, one file per section, compliance_reports.json, verification/ (signed checkpoint, public key, Merkle multiproof, consistency proofs), manifest.json (sha256 of every file, request, period, verify result, chain head, log {origin, tree_size, root_hash}) and manifest.sig (the log key's signed note over the manifest's SHA-256). `npx audit-trail verify` checks it offline (docs/exports.md).",
  tags: ["ComplianceAgent", ...tags],
  scope: "audit:export",
  security,
  body: EvidenceExportRequestSchema,
  responses: { 202: { description: "Queued, with an estimate.", schema: EvidenceCreated } },
});
registerRoute({
  method: "get",
  path: "/api/v1/audit/evidence/export/{job_id}",
  operationId: "complianceAgentGetExportStatus",
  summary: "ComplianceAgent Get Export Status",
  tags: ["ComplianceAgent", ...tags],
  scope: "audit:export",
  security,
  params: z.object({ job_id: z.string() }),
  responses: { 200: { description: "Status and (when completed) the signed download link.", schema: EvidenceStatus } },
  errors: [404],
});
registerRoute({
  method: "get",
  path: "/api/v1/exports",
  operationId: "listExports",
  summary: "The org's export jobs, newest first",
  tags,
  scope: "audit:export",
  security,
  query: z.object({ limit: z.string().regex(/^\d+$/).optional().describe("1–200, default 50.") }),
  responses: { 200: { description: "Jobs with progress and signed download paths.", schema: z.object({ success: z.literal(true), data: z.array(ExportJobJson) }) } },
});
for (const [action, summary, errors] of [
  ["cancel", "Cancel a queued or running export", [404, 409]],
  ["retry", "Queue a failed, cancelled or expired export again", [404, 409]],
] as const) {
  registerRoute({
    method: "post",
    path: `/api/v1/exports/{id}/${action}`,
    operationId: `${action}Export`,
    summary,
    tags,
    scope: "audit:export",
    security,
    params: IdParam,
    responses: { 200: { description: "The job after the change.", schema: JobAnswer } },
    errors: [...errors],
  });
}
registerRoute({
  method: "get",
  path: "/api/v1/exports/{id}/download",
  operationId: "downloadExport",
  summary: "Signed download of an export file",
  description: "No credential: the HMAC signature (`sig`) over the id and `expires` is the credential. 403 without a valid signature, 410 once expired.",
  tags,
  scope: null,
  params: IdParam,
  query: z.object({ expires: z.string().regex(/^\d+$/).describe("Unix seconds."), sig: z.string() }),
  responses: {
    200: {
      description: "The file, streamed from the database.",
      content: { "application/x-ndjson": {}, "text/csv": {}, "application/zip": {} },
      headers: { "Content-Disposition": { description: 'attachment; filename="…"', schema: { type: "string" } } },
    },
  },
  errors: [404, 409, 410],
});
