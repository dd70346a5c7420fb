import { z } from "zod";
import type { Actor } from "../audit/event-schema";

export const EXPORT_STATUSES = ["queued", "processing", "completed", "failed", "cancelled", "expired"] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];
export type ExportKind = "logs" | "evidence";
export type ExportFormat = "jsonl" | "csv" | "zip";

const str = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `at most ${max} characters`);

/**
 * AppSec+ `POST /audit-logs/export`: format, from, to, plus the list filters of ListAuditLogs
 * (actorId, resourceType, action) and a few of ours (resourceId, repositoryId, actor).
 */
export const LogExportRequestSchema = z
  .object({
    format: z.enum(["jsonl", "csv"], { message: "must be jsonl or csv" }),
    from: z.string().max(64).optional(),
    to: z.string().max(64).optional(),
    actorId: str(256).optional(),
    actor: str(320).optional(),
    resourceType: str(256).optional(),
    resourceId: str(256).optional(),
    repositoryId: str(256).optional(),
    /** One action, a comma-separated list, or a `prefix.*` pattern. */
    action: str(512).optional(),
    /** The explorer's query box (`actor:alice action:policy.* -type:user "text"`), so "Export this view" exports that view. */
    q: z.string().trim().max(2000, "at most 2000 characters").optional(),
  })
  .strict();
export type LogExportRequest = z.infer<typeof LogExportRequestSchema>;

export const FRAMEWORKS = ["soc2", "iso27001", "gdpr", "hipaa", "pci_dss", "nist_csf"] as const;
export const SECTIONS = ["compliance_reports", "scan_results", "issue_history", "fix_records", "access_logs", "configuration_history"] as const;
export type Section = (typeof SECTIONS)[number];

/** ComplianceAgent `POST /api/v1/audit/evidence/export`. */
export const EvidenceExportRequestSchema = z
  .object({
    format: z.literal("zip", { message: 'must be "zip"' }).default("zip"),
    framework: z.enum(FRAMEWORKS, { message: `must be one of ${FRAMEWORKS.join(", ")}` }),
    audit_period: z.object({ from: z.string().min(1).max(64), to: z.string().min(1).max(64) }).strict(),
    include: z
      .array(z.enum(SECTIONS, { message: `must be one of ${SECTIONS.join(", ")}` }))
      .max(SECTIONS.length)
      .default([...SECTIONS])
      .transform((a) => (a.length ? [...new Set(a)] : [...SECTIONS])),
    repository_ids: z.array(str(256)).max(1000).default([]),
  })
  .strict();
export type EvidenceExportRequest = z.infer<typeof EvidenceExportRequestSchema>;

/** An export job as the domain returns it. */
export interface ExportJobView {
  id: string;
  orgId: string;
  kind: ExportKind;
  format: ExportFormat;
  status: ExportStatus;
  request: LogExportRequest | EvidenceExportRequest;
  requestedBy: Actor;
  rowsTotal: number | null;
  rowsWritten: number;
  bytesWritten: number;
  filesIncluded: number | null;
  fileName: string | null;
  contentType: string | null;
  error: string | null;
  attempts: number;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  expiresAt: Date | null;
  /** 0..1 */
  progress: number;
}

/** Which sections cover which controls of each framework (for the auditor's orientation). */
export const FRAMEWORK_CONTROLS: Record<string, Partial<Record<(typeof SECTIONS)[number], string[]>>> = {
  soc2: { access_logs: ["CC6.1", "CC6.2", "CC6.3"], configuration_history: ["CC8.1"], scan_results: ["CC7.1"], issue_history: ["CC7.2", "CC7.3"], fix_records: ["CC7.4"] },
  iso27001: { access_logs: ["A.5.15", "A.8.5"], configuration_history: ["A.8.9", "A.8.32"], scan_results: ["A.8.8"], issue_history: ["A.5.24"], fix_records: ["A.8.8"] },
  gdpr: { access_logs: ["Art. 32(1)(b)"], configuration_history: ["Art. 25"], issue_history: ["Art. 33"], fix_records: ["Art. 32(1)(d)"] },
  hipaa: { access_logs: ["164.312(b)", "164.308(a)(4)"], configuration_history: ["164.308(a)(1)(ii)(D)"], scan_results: ["164.308(a)(8)"], issue_history: ["164.308(a)(6)"] },
  pci_dss: { access_logs: ["10.2.1", "7.2"], configuration_history: ["10.2.2", "6.5"], scan_results: ["11.3"], fix_records: ["6.3.3"] },
  nist_csf: { access_logs: ["PR.AA"], configuration_history: ["PR.PS"], scan_results: ["ID.RA"], issue_history: ["RS.MA"], fix_records: ["RS.MI"] },
};
