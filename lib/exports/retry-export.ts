import type { Actor } from "../audit/event-schema";
import { withAuditedChange } from "../audit/audit-change";
import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import { selectJob, toJobView } from "./export-jobs";
import type { ExportJobView } from "./export-schemas";
import { kickExportWorker } from "./start-export-worker";

/** Queues a failed, cancelled or expired export again, from the start, with the same request. */
export async function retryExport(opts: { db: Database; orgId: string; id: string; actor: Actor }): Promise<ExportJobView> {
  const { sql } = opts.db;
  const row = await selectJob(sql, opts.id, opts.orgId);
  if (!row) throw new AppError("not_found", `export "${opts.id}" not found`, { field: "exportId" });
  const retried = await withAuditedChange({ db: opts.db, orgId: opts.orgId }, async (tx) => {
    const u = await tx.sql.query(
      `UPDATE export_jobs SET status = 'queued', rows_written = 0, bytes_written = 0, chunks_written = 0, resume_cursor = NULL,
         files_included = NULL, error = NULL, attempts = 0, worker_id = NULL, heartbeat_at = NULL, started_at = NULL,
         completed_at = NULL, expires_at = NULL, file_name = NULL, content_type = NULL
       WHERE id = $1 AND org_id = $2 AND status IN ('failed', 'cancelled', 'expired') RETURNING id`,
      [opts.id, opts.orgId],
    );
    if (u.length === 0) throw new AppError("conflict", `export "${opts.id}" is ${row.status}: only failed, cancelled or expired exports can be retried`);
    await tx.sql.query(`DELETE FROM export_chunks WHERE job_id = $1`, [opts.id]);
    return {
      value: (await selectJob(tx.sql, opts.id))!,
      events: [{ actor: opts.actor, action: "export.retried", resource: { type: "export", id: opts.id } }],
    };
  });
  kickExportWorker();
  return toJobView(retried);
}
