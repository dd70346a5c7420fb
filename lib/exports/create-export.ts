import crypto from "node:crypto";
import type { Actor, EventInput } from "../audit/event-schema";
import { buildWhere, type EventFilter } from "../audit/query-events";
import { withAuditedChange } from "../audit/audit-change";
import type { Database } from "../db/open-database";
import type { SqlExecutor } from "../db/sql";
import { getExportConfig } from "./export-config";
import { requireRepositories } from "./export-repositories";
import { evidenceFilter, logExportFilter } from "./export-filter";
import { selectJob, toJobView } from "./export-jobs";
import type { EvidenceExportRequest, ExportJobView, LogExportRequest } from "./export-schemas";
import { getEvidenceRetentionDays } from "./get-retention-days";
import { kickExportWorker } from "./start-export-worker";

export function newExportId(kind: "logs" | "evidence"): string {
  return `${kind === "logs" ? "exp" : "export"}_${crypto.randomBytes(10).toString("hex")}`;
}

/** Rows and average stored size of a filter's events (for estimates). */
export async function measureEvents(opts: { sql: SqlExecutor; orgId: string; filter: EventFilter }): Promise<{ rows: number; avgBytes: number }> {
  const { where, params } = buildWhere(opts.orgId, opts.filter);
  const r = await opts.sql.query<{ n: number; avg: number | string | null }>(
    `SELECT count(*)::int8 AS n, avg(octet_length(e.content))::float8 AS avg FROM audit_events e WHERE ${where}`,
    params,
  );
  return { rows: r[0]?.n ?? 0, avgBytes: Number(r[0]?.avg ?? 0) };
}

/** Queues the job and appends its `export.requested` record in one transaction; wakes the worker after COMMIT. */
async function insertJob(opts: {
  db: Database;
  orgId: string;
  id: string;
  kind: "logs" | "evidence";
  format: string;
  request: LogExportRequest | EvidenceExportRequest;
  actor: Actor;
  rowsTotal: number;
  retentionDays: number;
  event: EventInput;
}): Promise<ExportJobView> {
  const row = await withAuditedChange({ db: opts.db, orgId: opts.orgId }, async (tx) => {
    await tx.sql.query(
      `INSERT INTO export_jobs (id, org_id, kind, format, status, request, requested_by, rows_total, retention_days)
       VALUES ($1, $2, $3, $4, 'queued', $5::jsonb, $6::jsonb, $7, $8)`,
      [opts.id, opts.orgId, opts.kind, opts.format, JSON.stringify(opts.request), JSON.stringify(opts.actor), opts.rowsTotal, opts.retentionDays],
    );
    return { value: (await selectJob(tx.sql, opts.id))!, events: [opts.event] };
  });
  kickExportWorker();
  return toJobView(row);
}

/** AppSec+ log export: validates the filter (a bad one changes nothing), queues the job, audits the request. */
export async function createLogExport(opts: { db: Database; orgId: string; actor: Actor; request: LogExportRequest }): Promise<ExportJobView> {
  const filter = logExportFilter(opts.request);
  await requireRepositories({ sql: opts.db.sql, orgId: opts.orgId, ids: opts.request.repositoryId ? [opts.request.repositoryId] : [], field: () => "repositoryId" });
  const { rows } = await measureEvents({ sql: opts.db.sql, orgId: opts.orgId, filter });
  const id = newExportId("logs");
  const retentionDays = Math.max(1, Math.ceil(getExportConfig().AUDIT_EXPORT_LINK_HOURS / 24));
  return insertJob({
    ...opts,
    id,
    kind: "logs",
    format: opts.request.format,
    rowsTotal: rows,
    retentionDays,
    event: {
      actor: opts.actor,
      action: "export.requested",
      resource: { type: "export", id },
      details: { kind: "logs", format: opts.request.format, filter: { ...opts.request }, rows_estimated: rows },
    },
  });
}

export interface EvidenceEstimate {
  job: ExportJobView;
  estimatedSizeMb: number;
  estimatedCompletion: Date;
}

/** ComplianceAgent evidence package: queues the ZIP job, with a size and time estimate. */
export async function createEvidenceExport(opts: { db: Database; orgId: string; actor: Actor; request: EvidenceExportRequest }): Promise<EvidenceEstimate> {
  const filter = evidenceFilter(opts.request);
  await requireRepositories({ sql: opts.db.sql, orgId: opts.orgId, ids: opts.request.repository_ids, field: (i) => `repository_ids[${i}]` });
  const { rows, avgBytes } = await measureEvents({ sql: opts.db.sql, orgId: opts.orgId, filter });
  const id = newExportId("evidence");
  const retentionDays = await getEvidenceRetentionDays({ db: opts.db, orgId: opts.orgId });
  // Every event goes into events.jsonl and (mostly) once more into its section; zip deflates JSON ~5×.
  const sections = opts.request.include.filter((s) => s !== "compliance_reports").length;
  const job = await insertJob({
    ...opts,
    id,
    kind: "evidence",
    format: "zip",
    rowsTotal: rows * (1 + Math.min(1, sections)),
    retentionDays,
    event: {
      actor: opts.actor,
      action: "export.requested",
      resource: { type: "evidence_package", id },
      details: { kind: "evidence", format: "zip", framework: opts.request.framework, audit_period: opts.request.audit_period, include: opts.request.include, repository_ids: opts.request.repository_ids, rows_estimated: rows },
    },
  });
  const estimatedSizeMb = Math.round(((rows * (avgBytes + 120) * 2) / 5 / 1024 / 1024) * 100) / 100;
  return { job, estimatedSizeMb, estimatedCompletion: new Date(Date.now() + 2000 + (rows * 2 * 1000) / 40_000) };
}
