import { z } from "zod";
import { withAuditedChange } from "../audit/audit-change";
import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import { selectJob, toJobView } from "./export-jobs";
import { ExpiredError, verifyDownloadSignature } from "./sign-download";

const Ip = z.union([z.ipv4(), z.ipv6()]);

export interface ExportDownload {
  fileName: string;
  contentType: string;
  size: number;
  body: ReadableStream<Uint8Array>;
  /** Writes the `export.downloaded` audit event; call it only once the response is built. */
  recordDownload(): Promise<void>;
}

/**
 * A signed download: checks the link (403 bad signature, 410 expired), then streams the stored
 * chunks one at a time from the database (any instance can serve any export); the caller audits
 * the download with `recordDownload()` once its response exists.
 */
export async function readExportFile(opts: {
  db: Database;
  id: string;
  expires?: string | null;
  sig?: string | null;
  ip?: string | null;
  userAgent?: string | null;
}): Promise<ExportDownload> {
  const { sql } = opts.db;
  await verifyDownloadSignature({ sql, exportId: opts.id, expires: opts.expires, sig: opts.sig });
  const row = await selectJob(sql, opts.id);
  if (!row) throw new AppError("not_found", `export "${opts.id}" not found`);
  const job = toJobView(row);
  if (job.status === "expired" || (job.expiresAt && job.expiresAt.getTime() <= Date.now())) throw new ExpiredError("this export has expired and its file was deleted");
  if (job.status !== "completed") throw new AppError("conflict", `export "${opts.id}" is ${job.status}, not completed`);
  const ip = opts.ip?.split(",")[0]?.trim();
  // Recorded by the caller once the response is built (recordDownload): a download that cannot be
  // served leaves no "export.downloaded" behind. No state changes on a download: the record is the
  // whole write (its own transaction).
  const recordDownload = async () => {
    await withAuditedChange({ db: opts.db, orgId: job.orgId }, async () => ({
      value: null,
      events: [{
        actor: { id: "signed-link", type: "system", name: "signed download link" },
        action: "export.downloaded",
        resource: { type: job.kind === "evidence" ? "evidence_package" : "export", id: job.id },
        details: { requested_by: job.requestedBy.email ?? job.requestedBy.id, rows: job.rowsWritten, bytes: job.bytesWritten, format: job.format },
        ...(ip && Ip.safeParse(ip).success && { ip_address: ip }),
        ...(opts.userAgent && { user_agent: opts.userAgent.slice(0, 1024) }),
      }],
    }));
  };
  const chunks = row.chunks_written;
  let idx = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (idx >= chunks) {
        controller.close();
        return;
      }
      const r = await sql.query<{ data: Uint8Array }>(`SELECT data FROM export_chunks WHERE job_id = $1 AND idx = $2`, [job.id, idx]);
      if (!r[0]) {
        controller.error(new Error(`export ${job.id}: chunk ${idx} is missing`));
        return;
      }
      idx++;
      controller.enqueue(new Uint8Array(r[0].data));
    },
  });
  return { fileName: row.file_name ?? `${job.id}.${job.format}`, contentType: row.content_type ?? "application/octet-stream", size: job.bytesWritten, body, recordDownload };
}
