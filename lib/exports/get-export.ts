import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import { selectJob, toJobView, type ExportJobRow } from "./export-jobs";
import type { ExportJobView, ExportKind } from "./export-schemas";
import { signDownloadPath } from "./sign-download";

export interface ExportWithLink extends ExportJobView {
  /** Signed, expiring path (relative to the service's origin); null until completed. */
  downloadPath: string | null;
}

async function withLink(db: Database, job: ExportJobView): Promise<ExportWithLink> {
  const ready = job.status === "completed" && job.expiresAt && job.expiresAt.getTime() > Date.now();
  return { ...job, downloadPath: ready ? await signDownloadPath({ sql: db.sql, exportId: job.id, expiresAt: job.expiresAt! }) : null };
}

/** One export of the org; another org's export is 404, like a missing one. */
export async function getExport(opts: { db: Database; orgId: string; id: string; kind?: ExportKind }): Promise<ExportWithLink> {
  const row = await selectJob(opts.db.sql, opts.id, opts.orgId);
  if (!row || (opts.kind && row.kind !== opts.kind)) throw new AppError("not_found", `export "${opts.id}" not found`, { field: "exportId" });
  return withLink(opts.db, toJobView(row));
}

/** The org's exports, newest first (the export center's table). */
export async function listExports(opts: { db: Database; orgId: string; limit: number }): Promise<ExportWithLink[]> {
  const rows = await opts.db.sql.query<ExportJobRow>(`SELECT * FROM export_jobs WHERE org_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, [
    opts.orgId,
    opts.limit,
  ]);
  return Promise.all(rows.map((r) => withLink(opts.db, toJobView(r))));
}
