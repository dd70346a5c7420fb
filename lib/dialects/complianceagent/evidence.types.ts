/** ComplianceAgent evidence package shapes ("Export Evidence Package", "Get Export Status"): declared once; evidence.ts maps to them, lib/exports/register-openapi.ts documents them. */
import { z } from "zod";
import { ExportStatus } from "../appsecplus/exports.types";

const ts = z.string().describe("UTC ISO 8601 timestamp.");

export const EvidenceCreatedData = z.object({ job_id: z.string(), status: ExportStatus, estimated_size_mb: z.number(), estimated_completion: ts });
export const EvidenceStatusData = z.object({
  job_id: z.string(),
  status: ExportStatus,
  download_url: z.string().nullable(),
  expires_at: ts.nullable(),
  file_size_mb: z.number().nullable(),
  files_included: z.number().int().nullable(),
  created_at: ts,
  completed_at: ts.nullable(),
  progress: z.number(),
  error: z.string().optional(),
});
export const EvidenceCreated = z.object({ success: z.literal(true), data: EvidenceCreatedData });
export const EvidenceStatus = z.object({ success: z.literal(true), data: EvidenceStatusData });
export type EvidenceCreatedData = z.infer<typeof EvidenceCreatedData>;
export type EvidenceStatusData = z.infer<typeof EvidenceStatusData>;
