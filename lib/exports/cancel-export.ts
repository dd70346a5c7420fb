import type { Actor } from "../audit/event-schema";
import { withAuditedChange } from "../audit/audit-change";
import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import { selectJob, toJobView } from "./export-jobs";
import type { ExportJobView } from "./export-schemas";

/**
 * Cancels a queued or running export. The running worker notices at its next chunk or heartbeat
 * (its fenced update finds the job no longer processing) and stops; the stored bytes are deleted.
 */
export async function cancelExport(opts: { db: Database; orgId: string; id: string; actor: Actor }): Promise<ExportJobView> {
  const { sql } = opts.db;
  const row = await selectJob(sql, opts.id, opts.orgId);
  if (!row) throw new AppError("not_found", `export "${opts.id}" not found`, { field: "exportId" });
  const updated = await withAuditedChange({ db: opts.db, orgId: opts.orgId }, async (tx) => {
    const done = await tx.sql.query(
      `UPDATE export_jobs SET status = 'cancelled', worker_id = NULL, completed_at = now(), error = 'cancelled'
       WHERE id = $1 AND org_id = $2 AND status IN ('queued', 'processing') RETURNING id`,
      [opts.id, opts.orgId],
    );
    if (done.length === 0) throw new AppError("conflict", `export "${opts.id}" is ${row.status}: only queued or processing exports can be cancelled`);
    await tx.sql.query(`DELETE FROM export_chunks WHERE job_id = $1`, [opts.id]);
    return {
      value: (await selectJob(tx.sql, opts.id))!,
      events: [{ actor: opts.actor, action: "export.cancelled", resource: { type: "export", id: opts.id } }],
    };
  });
  return toJobView(updated);
}
