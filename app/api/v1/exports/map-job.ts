/** The export center's view of a job (GET /api/v1/exports and the cancel/retry answers). */
import { formatTimestamp } from "@/lib/audit/format-timestamp";
import type { ExportJobView } from "@/lib/exports/export-schemas";

export function toJobJson(j: ExportJobView & { downloadPath?: string | null }) {
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
