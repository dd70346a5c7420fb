import crypto from "node:crypto";
import { withAuditedChange } from "../audit/audit-change";
import type { Database } from "../db/open-database";
import { getExportConfig } from "./export-config";
import { JobLostError, resumeCursorOf, toJobView, type ExportJobRow } from "./export-jobs";
import type { EvidenceExportRequest, LogExportRequest } from "./export-schemas";
import { ChunkStore } from "./store-chunks";
import { writeEvidencePackage } from "./write-evidence-package";
import { writeLogExport } from "./write-log-export";

export const SYSTEM_ACTOR = { id: "audit-trail", type: "system" as const, name: "Audit Trail" };

export function newWorkerId(): string {
  return `worker_${process.pid}_${crypto.randomBytes(4).toString("hex")}`;
}

/**
 * Claims the oldest queued job, or a processing one whose worker stopped heart-beating (crashed
 * instance), with FOR UPDATE SKIP LOCKED: concurrent workers in any number of instances never
 * claim the same job. The claim bumps `attempts` and takes over `worker_id` (the fence).
 */
export async function claimExport(opts: { db: Database; workerId: string; staleMs?: number }): Promise<ExportJobRow | null> {
  const staleMs = opts.staleMs ?? getExportConfig().AUDIT_EXPORT_STALE_MS;
  const rows = await opts.db.sql.query<ExportJobRow>(
    // Inside COALESCE now() comes from a subselect (c.t): Citus refuses a non-IMMUTABLE function
    // there, even on a table kept on the coordinator.
    `UPDATE export_jobs j SET status = 'processing', worker_id = $1, heartbeat_at = now(), attempts = j.attempts + 1,
       started_at = coalesce(j.started_at, c.t)
     FROM (SELECT now() AS t) c
     WHERE j.id = (
       SELECT id FROM export_jobs
       WHERE status = 'queued' OR (status = 'processing' AND heartbeat_at < now() - ($2::int8 * interval '1 millisecond'))
       ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING j.*`,
    [opts.workerId, staleMs],
  );
  return rows[0] ?? null;
}

const FILE_TYPES = {
  jsonl: { ext: "jsonl", type: "application/x-ndjson; charset=utf-8" },
  csv: { ext: "csv", type: "text/csv; charset=utf-8; header=present" },
  zip: { ext: "zip", type: "application/zip" },
} as const;

function fileNameOf(job: ExportJobRow): string {
  const view = toJobView(job);
  const t = FILE_TYPES[view.format];
  if (view.kind === "evidence") {
    const r = view.request as EvidenceExportRequest;
    return `evidence-${r.framework}-${r.audit_period.from.slice(0, 10)}-to-${r.audit_period.to.slice(0, 10)}-${job.id}.${t.ext}`;
  }
  return `audit-logs-${job.id}.${t.ext}`;
}

/**
 * Runs a claimed job to the end: resumes a log export from its last stored chunk (its keyset
 * cursor), or starts an evidence package over; heart-beats while it works; completes, fails with
 * a reason, or stops quietly when the job was cancelled or taken over (JobLostError).
 */
export async function runExport(opts: { db: Database; job: ExportJobRow; workerId: string; log?: (line: string) => void }): Promise<"completed" | "failed" | "lost"> {
  const { db, job, workerId } = opts;
  const { sql } = db;
  const cfg = getExportConfig();
  const log = opts.log ?? (() => undefined);
  const view = toJobView(job);

  const fail = async (reason: string) => {
    await sql.query(`UPDATE export_jobs SET status = 'failed', error = $3, worker_id = NULL, completed_at = now() WHERE id = $1 AND worker_id = $2`, [
      job.id,
      workerId,
      reason.slice(0, 1000),
    ]);
    await sql.query(`DELETE FROM export_chunks WHERE job_id = $1`, [job.id]);
    log(`[exports] ${job.id} failed: ${reason}`);
  };

  if (job.attempts > cfg.AUDIT_EXPORT_MAX_ATTEMPTS) {
    await fail(`stopped after ${cfg.AUDIT_EXPORT_MAX_ATTEMPTS} attempts: the worker running it stopped responding each time`);
    return "failed";
  }

  const cursor = view.kind === "logs" ? resumeCursorOf(job) : undefined;
  const resume = cursor !== undefined && job.chunks_written > 0;
  if (resume) {
    await sql.query(`DELETE FROM export_chunks WHERE job_id = $1 AND idx >= $2`, [job.id, job.chunks_written]);
    log(`[exports] ${job.id}: resuming after row ${job.rows_written} (attempt ${job.attempts})`);
  } else {
    await sql.transaction(async (tx) => {
      await tx.query(`DELETE FROM export_chunks WHERE job_id = $1`, [job.id]);
      await tx.query(
        `UPDATE export_jobs SET rows_written = 0, bytes_written = 0, chunks_written = 0, resume_cursor = NULL WHERE id = $1 AND worker_id = $2`,
        [job.id, workerId],
      );
    });
  }
  const store = new ChunkStore({
    sql,
    jobId: job.id,
    workerId,
    start: resume ? { chunks: job.chunks_written, bytes: Number(job.bytes_written), rows: job.rows_written } : undefined,
  });

  const abort = new AbortController();
  const beat = setInterval(() => {
    sql
      .query(`UPDATE export_jobs SET heartbeat_at = now() WHERE id = $1 AND worker_id = $2 AND status = 'processing' RETURNING id`, [job.id, workerId])
      .then((r) => {
        if (r.length === 0) abort.abort();
      })
      .catch(() => undefined);
  }, cfg.AUDIT_EXPORT_HEARTBEAT_MS);
  beat.unref?.();

  try {
    let filesIncluded = 1;
    /** The checkpoint size the file's verification material is for (earlier sizes get consistency proofs in later packages). */
    let treeSize: number | undefined;
    if (view.kind === "logs") {
      ({ treeSize } = await writeLogExport({
        sql,
        orgId: job.org_id,
        jobId: job.id,
        request: view.request as LogExportRequest,
        store,
        resumeFrom: resume ? cursor : undefined,
        batchRows: cfg.AUDIT_EXPORT_BATCH_ROWS,
        batchDelayMs: cfg.AUDIT_EXPORT_BATCH_DELAY_MS,
        signal: abort.signal,
      }));
    } else {
      const org = (await sql.query<{ slug: string }>(`SELECT slug FROM orgs WHERE id = $1`, [job.org_id]))[0];
      const r = await writeEvidencePackage({
        sql,
        orgId: job.org_id,
        orgSlug: org?.slug ?? job.org_id,
        jobId: job.id,
        request: view.request as EvidenceExportRequest,
        store,
        batchRows: cfg.AUDIT_EXPORT_BATCH_ROWS,
        batchDelayMs: cfg.AUDIT_EXPORT_BATCH_DELAY_MS,
        signal: abort.signal,
      });
      filesIncluded = r.filesIncluded;
      treeSize = r.treeSize;
    }
    const t = FILE_TYPES[view.format];
    // The completion and its `export.completed` record commit together (nothing when the job is no
    // longer ours: the fenced update matches no row and JobLostError rolls the transaction back).
    await withAuditedChange({ db, orgId: job.org_id }, async (tx) => {
      // retention_days comes from the claimed row (set once, at creation) as a parameter: Citus
      // refuses a STABLE function (timestamptz + interval) applied to a column in an UPDATE.
      const done = await tx.sql.query(
        `UPDATE export_jobs SET status = 'completed', completed_at = now(), expires_at = now() + make_interval(days => $6::int4),
           file_name = $3, content_type = $4, files_included = $5, worker_id = NULL, heartbeat_at = now()
         WHERE id = $1 AND worker_id = $2 AND status = 'processing' RETURNING id`,
        [job.id, workerId, fileNameOf(job), t.type, filesIncluded, Number(job.retention_days)],
      );
      if (done.length === 0) throw new JobLostError(job.id);
      return {
        value: null,
        events: [
          {
            actor: SYSTEM_ACTOR,
            action: "export.completed",
            resource: { type: view.kind === "evidence" ? "evidence_package" : "export", id: job.id },
            details: { kind: view.kind, format: view.format, rows: store.rows, bytes: store.bytes, files: filesIncluded, attempts: job.attempts, ...(treeSize !== undefined && { tree_size: treeSize }) },
          },
        ],
      };
    });
    log(`[exports] ${job.id} completed: ${store.rows} rows, ${store.bytes} bytes`);
    return "completed";
  } catch (e) {
    if (e instanceof JobLostError || abort.signal.aborted) {
      log(`[exports] ${job.id}: no longer ours (cancelled or taken over); stopped`);
      return "lost";
    }
    await fail(e instanceof Error ? e.message : String(e));
    return "failed";
  } finally {
    clearInterval(beat);
  }
}

/** Claims and runs one job, if any (tests and the worker loop). */
export async function runNextExport(opts: { db: Database; workerId?: string; staleMs?: number; log?: (line: string) => void }): Promise<string | null> {
  const workerId = opts.workerId ?? newWorkerId();
  const job = await claimExport({ db: opts.db, workerId, staleMs: opts.staleMs });
  if (!job) return null;
  await runExport({ db: opts.db, job, workerId, log: opts.log });
  return job.id;
}
