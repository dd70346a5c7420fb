import type { Actor } from "../audit/event-schema";
import { withAuditedChange, type AuditTx } from "../audit/audit-change";
import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import { DEFAULT_RETENTION_POLICY, RetentionPolicyUpdateSchema, type RetentionPolicy, type RetentionPolicyUpdate } from "./retention-schema";

export { DEFAULT_RETENTION_POLICY, RetentionPolicyUpdateSchema, type RetentionPolicy, type RetentionPolicyUpdate };

export function parseRetentionPolicyUpdate(body: unknown): RetentionPolicyUpdate {
  const inner = body && typeof body === "object" && !Array.isArray(body) && "policy" in body && Object.keys(body).length === 1 ? (body as { policy: unknown }).policy : body;
  return RetentionPolicyUpdateSchema.parse(inner);
}

export async function getRetentionPolicy(opts: { db: Database | AuditTx; orgId: string }): Promise<RetentionPolicy> {
  const row = await opts.db.prisma.retentionPolicy.findUnique({ where: { orgId: opts.orgId } });
  if (!row) return structuredClone(DEFAULT_RETENTION_POLICY);
  return {
    audit_logs: { retention_days: row.auditLogsRetentionDays, archive_after_days: row.auditLogsArchiveAfterDays },
    scan_results: { retention_days: row.scanResultsRetentionDays, archive_after_days: row.scanResultsArchiveAfterDays },
    evidence_exports: { retention_days: row.evidenceExportsRetentionDays },
  };
}

function merge(old: RetentionPolicy, u: RetentionPolicyUpdate): RetentionPolicy {
  return {
    audit_logs: { ...old.audit_logs, ...stripUndefined(u.audit_logs) },
    scan_results: { ...old.scan_results, ...stripUndefined(u.scan_results) },
    evidence_exports: { ...old.evidence_exports, ...stripUndefined(u.evidence_exports) },
  };
}

function stripUndefined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Field paths and values that differ: `{ "audit_logs.retention_days": { old: 2555, new: 400 } }`. */
export function policyChanges(a: RetentionPolicy, b: RetentionPolicy): Record<string, { old: number; new: number }> {
  const out: Record<string, { old: number; new: number }> = {};
  for (const section of Object.keys(a) as (keyof RetentionPolicy)[]) {
    const sa = a[section] as Record<string, number>;
    const sb = b[section] as Record<string, number>;
    for (const k of Object.keys(sa)) if (sa[k] !== sb[k]) out[`${section}.${k}`] = { old: sa[k]!, new: sb[k]! };
  }
  return out;
}

/**
 * Changes the policy (validated: archive_after_days ≤ retention_days, nothing changes on error) and
 * records `retention.policy_updated` with the old and new values in the org's audit log.
 */
export async function updateRetentionPolicy(opts: { db: Database; orgId: string; update: RetentionPolicyUpdate; actor: Actor }): Promise<{ policy: RetentionPolicy; changes: Record<string, { old: number; new: number }> }> {
  // Read, check, write and record in one transaction; concurrent updates of one org's policy queue
  // on its org row (NO KEY UPDATE: inserts referencing the org are not blocked), so the recorded
  // `old` values are the ones really replaced.
  return withAuditedChange({ db: opts.db, orgId: opts.orgId }, async (tx) => {
    await tx.sql.query(`SELECT id FROM orgs WHERE id = $1 FOR NO KEY UPDATE`, [opts.orgId]);
    const old = await getRetentionPolicy({ db: tx, orgId: opts.orgId });
    const next = merge(old, opts.update);
    for (const section of ["audit_logs", "scan_results"] as const) {
      if (next[section].archive_after_days > next[section].retention_days) {
        throw new AppError("validation_failed", `${section}.archive_after_days: must not exceed ${section}.retention_days (${next[section].retention_days})`, {
          field: `${section}.archive_after_days`,
        });
      }
    }
    const changes = policyChanges(old, next);
    if (Object.keys(changes).length === 0) return { value: { policy: next, changes }, events: [] };
    const data = {
      auditLogsRetentionDays: next.audit_logs.retention_days,
      auditLogsArchiveAfterDays: next.audit_logs.archive_after_days,
      scanResultsRetentionDays: next.scan_results.retention_days,
      scanResultsArchiveAfterDays: next.scan_results.archive_after_days,
      evidenceExportsRetentionDays: next.evidence_exports.retention_days,
      updatedAt: new Date(),
      updatedBy: opts.actor.email ?? opts.actor.id,
    };
    await tx.prisma.retentionPolicy.upsert({ where: { orgId: opts.orgId }, create: { orgId: opts.orgId, ...data }, update: data });
    return {
      value: { policy: next, changes },
      events: [{ actor: opts.actor, action: "retention.policy_updated", resource: { type: "retention_policy", id: opts.orgId, name: "Retention policy" }, changes }],
    };
  });
}
