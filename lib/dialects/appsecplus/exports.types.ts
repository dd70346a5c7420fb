/** AppSec+ export shapes (ExportAuditLogs / GetAuditLogExport): declared once; exports.ts maps to them, lib/exports/register-openapi.ts documents them. */
import { z } from "zod";

export const ExportStatus = z.enum(["processing", "completed", "failed", "cancelled", "expired"]);
const ts = z.string().describe("UTC ISO 8601 timestamp.");

export const LogExportCreated = z.object({ exportId: z.string(), status: ExportStatus, createdAt: ts });
export const LogExportStatus = z.object({
  exportId: z.string(),
  status: ExportStatus,
  downloadUrl: z.string().nullable().describe("Signed, expiring link (no bearer header needed); null until completed."),
  expiresAt: ts.nullable(),
  format: z.enum(["jsonl", "csv"]),
  progress: z.number().min(0).max(1),
  rowCount: z.number().int(),
  rowsTotal: z.number().int().nullable(),
  sizeBytes: z.number().int(),
  createdAt: ts,
  completedAt: ts.nullable(),
  error: z.string().optional(),
});
export type LogExportCreated = z.infer<typeof LogExportCreated>;
export type LogExportStatus = z.infer<typeof LogExportStatus>;
