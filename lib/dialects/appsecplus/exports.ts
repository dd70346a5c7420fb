/** AppSec+ shapes of an export job (ExportAuditLogs / GetAuditLogExport), plus our progress fields. */
import { formatTimestamp } from "../../audit/format-timestamp";
import { AppError } from "../../errors";
import type { ExportJobView } from "../../exports/export-schemas";
import type { ExportWithLink } from "../../exports/get-export";
import type { LogExportCreated, LogExportStatus } from "./exports.types";

/** AppSec+ knows processing, completed and failed; queued is still "processing" to its clients. */
const appSecStatus = (s: ExportJobView["status"]) => (s === "queued" ? "processing" : s);

export const toCreatedExport = (j: ExportJobView): LogExportCreated => ({ exportId: j.id, status: appSecStatus(j.status), createdAt: formatTimestamp(j.createdAt) });

export function toExportStatus(j: ExportWithLink, origin: string): LogExportStatus {
  // A log export (getExport with kind "logs") is never a ZIP; an evidence package is not served here.
  if (j.format === "zip") throw new AppError("not_found", `export "${j.id}" not found`, { field: "exportId" });
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
