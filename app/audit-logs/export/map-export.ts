/** AppSec+ shapes of an export job (ExportAuditLogs / GetAuditLogExport), plus our progress fields. */
import { formatTimestamp } from "@/lib/audit/format-timestamp";
import type { ExportWithLink } from "@/lib/exports/get-export";
import type { ExportJobView } from "@/lib/exports/export-schemas";

/** AppSec+ knows processing, completed and failed; queued is still "processing" to its clients. */
const appSecStatus = (s: ExportJobView["status"]) => (s === "queued" ? "processing" : s);

export const toCreatedExport = (j: ExportJobView) => ({ exportId: j.id, status: appSecStatus(j.status), createdAt: formatTimestamp(j.createdAt) });

export function toExportStatus(j: ExportWithLink, origin: string) {
  return {
    exportId: j.id,
    status: appSecStatus(j.status),
    downloadUrl: j.downloadPath ? new URL(j.downloadPath, origin).toString() : null,
    expiresAt: j.expiresAt ? formatTimestamp(j.expiresAt) : null,
    format: j.format,
    progress: Math.round(j.progress * 1000) / 1000,
    rowCount: j.rowsWritten,
    rowsTotal: j.rowsTotal,
    sizeBytes: j.bytesWritten,
    createdAt: formatTimestamp(j.createdAt),
    completedAt: j.completedAt ? formatTimestamp(j.completedAt) : null,
    ...(j.error && { error: j.error }),
  };
}
