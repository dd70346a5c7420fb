import { z } from "zod";

/* Pure schemas and defaults of the retention policy: shared by the API (lib/retention) and the
   settings page's form (components/analytics), so both validate the same way. */

/** The retention policy as the API shows it (seed "Get Retention Policy"). */
export interface RetentionPolicy {
  audit_logs: { retention_days: number; archive_after_days: number };
  scan_results: { retention_days: number; archive_after_days: number };
  evidence_exports: { retention_days: number };
}

export const DEFAULT_RETENTION_POLICY: RetentionPolicy = {
  audit_logs: { retention_days: 2555, archive_after_days: 365 },
  scan_results: { retention_days: 730, archive_after_days: 180 },
  evidence_exports: { retention_days: 30 },
};

const MAX_DAYS = 36_500;
const days = (name: string, min: number) =>
  z.number({ message: `${name} must be a whole number of days` }).int(`${name} must be a whole number of days`).min(min, `${name} must be at least ${min}`).max(MAX_DAYS, `${name} must be at most ${MAX_DAYS}`);

const tier = (minRetention: number) =>
  z
    .object({ retention_days: days("retention_days", minRetention).optional(), archive_after_days: days("archive_after_days", 0).optional() })
    .strict();

/**
 * PUT body: the policy object (or `{ "policy": {...} }`), any part of it; what is left out keeps
 * its current value. Audit logs are kept at least 30 days; archive_after_days ≤ retention_days.
 */
export const RetentionPolicyUpdateSchema = z
  .object({
    audit_logs: tier(30).optional(),
    scan_results: tier(1).optional(),
    evidence_exports: z.object({ retention_days: days("retention_days", 1).optional() }).strict().optional(),
  })
  .strict();
export type RetentionPolicyUpdate = z.infer<typeof RetentionPolicyUpdateSchema>;


/** The settings form: every field, as numbers; archive_after_days ≤ retention_days. */
export const RetentionPolicyFormSchema = z
  .object({
    audit_logs: z.object({ retention_days: days("retention_days", 30), archive_after_days: days("archive_after_days", 0) }),
    scan_results: z.object({ retention_days: days("retention_days", 1), archive_after_days: days("archive_after_days", 0) }),
    evidence_exports: z.object({ retention_days: days("retention_days", 1) }),
  })
  .superRefine((v, ctx) => {
    for (const k of ["audit_logs", "scan_results"] as const) {
      if (v[k].archive_after_days > v[k].retention_days) {
        ctx.addIssue({ code: "custom", path: [k, "archive_after_days"], message: `must not exceed retention_days (${v[k].retention_days})` });
      }
    }
  });
export type RetentionPolicyForm = z.infer<typeof RetentionPolicyFormSchema>;
