import type { Actor } from "../audit/event-schema";
import type { SqlExecutor } from "../db/sql";
import type { EventCursor } from "../audit/query-events";
import type { EvidenceExportRequest, ExportFormat, ExportJobView, ExportKind, ExportStatus, LogExportRequest } from "./export-schemas";

/** A row of export_jobs as raw SQL returns it. */
export interface ExportJobRow {
  id: string;
  org_id: string;
  kind: string;
  format: string;
  status: string;
  request: unknown;
  requested_by: unknown;
  rows_total: number | null;
  rows_written: number;
  bytes_written: number | string;
  chunks_written: number;
  resume_cursor: unknown;
  files_included: number | null;
  file_name: string | null;
  content_type: string | null;
  error: string | null;
  attempts: number;
  worker_id: string | null;
  heartbeat_at: Date | null;
  retention_days: number;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  expires_at: Date | null;
  [k: string]: unknown;
}

const asJson = <T>(v: unknown): T => (typeof v === "string" ? (JSON.parse(v) as T) : (v as T));

export function toJobView(r: ExportJobRow): ExportJobView {
  const status = r.status as ExportStatus;
  const total = r.rows_total;
  const progress = status === "completed" ? 1 : total ? Math.min(0.99, r.rows_written / total) : 0;
  return {
    id: r.id,
    orgId: r.org_id,
    kind: r.kind as ExportKind,
    format: r.format as ExportFormat,
    status,
    request: asJson<LogExportRequest | EvidenceExportRequest>(r.request),
    requestedBy: asJson<Actor>(r.requested_by),
    rowsTotal: total,
    rowsWritten: r.rows_written,
    bytesWritten: Number(r.bytes_written),
    filesIncluded: r.files_included,
    fileName: r.file_name,
    contentType: r.content_type,
    error: r.error,
    attempts: r.attempts,
    createdAt: r.created_at,
    startedAt: r.started_at,
    completedAt: r.completed_at,
    expiresAt: r.expires_at,
    progress,
  };
}

export function resumeCursorOf(r: ExportJobRow): EventCursor | undefined {
  const c = asJson<{ timestamp: string; seq: number } | null>(r.resume_cursor);
  return c ? { timestamp: new Date(c.timestamp), seq: c.seq } : undefined;
}

export async function selectJob(sql: SqlExecutor, id: string, orgId?: string): Promise<ExportJobRow | null> {
  const rows = orgId
    ? await sql.query<ExportJobRow>(`SELECT * FROM export_jobs WHERE id = $1 AND org_id = $2`, [id, orgId])
    : await sql.query<ExportJobRow>(`SELECT * FROM export_jobs WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** Thrown inside a worker when the job is no longer its own (cancelled, or taken over after a stall). */
export class JobLostError extends Error {
  constructor(readonly jobId: string) {
    super(`export ${jobId} is no longer held by this worker`);
    this.name = "JobLostError";
  }
}
