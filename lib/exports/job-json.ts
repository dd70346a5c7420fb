/**
 * The export center's job shape (GET /api/v1/exports, cancel/retry answers): declared once here —
 * the routes answer with toJobJson (typed from the schema), OpenAPI documents ExportJobJson, and the
 * dashboard's type is z.infer of it (components/exports/use-exports.ts).
 */
import { z } from "zod";
import { formatTimestamp } from "../audit/format-timestamp";
import { EXPORT_STATUSES, type ExportJobView } from "./export-schemas";

const ts = z.string().describe("UTC ISO 8601 timestamp.");

export const ExportJobJson = z.object({
  id: z.string(),
  kind: z.enum(["logs", "evidence"]),
  format: z.enum(["jsonl", "csv", "zip"]),
  status: z.enum(EXPORT_STATUSES),
  request: z.record(z.string(), z.json()),
  requested_by: z.object({ id: z.string(), type: z.string(), email: z.string().optional(), name: z.string().optional() }),
  progress: z.number(),
  rows_written: z.number().int(),
  rows_total: z.number().int().nullable(),
  size_bytes: z.number().int(),
  files_included: z.number().int().nullable(),
  file_name: z.string().nullable(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  created_at: ts,
  started_at: ts.nullable(),
  completed_at: ts.nullable(),
  expires_at: ts.nullable(),
  download_url: z.string().nullable(),
});
export type ExportJobJson = z.infer<typeof ExportJobJson>;

export function toJobJson(j: ExportJobView & { downloadPath?: string | null }): ExportJobJson {
  return {
    id: j.id,
    kind: j.kind,
    format: j.format,
    status: j.status,
    request: j.request,
    requested_by: j.requestedBy,
    progress: Math.round(j.progress * 1000) / 1000,
    rows_written: j.rowsWritten,
    rows_total: j.rowsTotal,
    size_bytes: j.bytesWritten,
    files_included: j.filesIncluded,
    file_name: j.fileName,
    error: j.error,
    attempts: j.attempts,
    created_at: formatTimestamp(j.createdAt),
    started_at: j.startedAt ? formatTimestamp(j.startedAt) : null,
    completed_at: j.completedAt ? formatTimestamp(j.completedAt) : null,
    expires_at: j.expiresAt ? formatTimestamp(j.expiresAt) : null,
    download_url: j.downloadPath ?? null,
  };
}
