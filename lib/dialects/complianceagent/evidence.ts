/** ComplianceAgent shapes of an evidence package job ("Export Evidence Package", "Get Export Status"). */
import { formatTimestamp } from "../../audit/format-timestamp";
import type { EvidenceEstimate } from "../../exports/create-export";
import type { ExportJobView } from "../../exports/export-schemas";
import type { ExportWithLink } from "../../exports/get-export";
import type { EvidenceCreatedData, EvidenceStatusData } from "./evidence.types";

const status = (s: ExportJobView["status"]) => (s === "queued" ? "processing" : s);
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 100) / 100;

export const toEvidenceCreated = (e: EvidenceEstimate): EvidenceCreatedData => ({
  job_id: e.job.id,
  status: status(e.job.status),
  estimated_size_mb: e.estimatedSizeMb,
  estimated_completion: formatTimestamp(e.estimatedCompletion),
});

export function toEvidenceStatus(j: ExportWithLink, origin: string): EvidenceStatusData {
  return {
    job_id: j.id,
    status: status(j.status),
    download_url: j.downloadPath ? new URL(j.downloadPath, origin).toString() : null,
    expires_at: j.expiresAt ? formatTimestamp(j.expiresAt) : null,
    file_size_mb: j.status === "completed" ? mb(j.bytesWritten) : null,
    files_included: j.filesIncluded,
    created_at: formatTimestamp(j.createdAt),
    completed_at: j.completedAt ? formatTimestamp(j.completedAt) : null,
    progress: Math.round(j.progress * 1000) / 1000,
    ...(j.error && { error: j.error }),
  };
}
