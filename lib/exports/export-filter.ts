import { actionPattern } from "../audit/action-pattern";
import { AppError } from "../errors";
import { explorerFilter } from "../audit/explorer-filter";
import { parseTimeRange } from "../audit/time-bounds";
import type { EventFilter } from "../audit/query-events";
import type { EvidenceExportRequest, LogExportRequest, Section } from "./export-schemas";

/** The list filter a log export applies (same meaning as the AppSec+ list parameters). */
export function logExportFilter(r: LogExportRequest): EventFilter {
  const range = parseTimeRange({ from: r.from, to: r.to });
  // The explorer's query box, read exactly as the explorer reads it (a bad query is a 400 on `q`).
  const view = r.q ? explorerFilter({ q: r.q }) : {};
  const from = [range.from, view.from].filter((d): d is Date => !!d).sort((a, b) => b.getTime() - a.getTime())[0];
  const to = [range.to, view.to].filter((d): d is Date => !!d).sort((a, b) => a.getTime() - b.getTime())[0];
  const f: EventFilter = { ...view, from, to };
  if (r.actorId) f.actorId = r.actorId;
  if (r.actor) f.actor = r.actor;
  if (r.resourceType) f.resourceType = r.resourceType;
  if (r.resourceId) f.resourceId = r.resourceId;
  if (r.repositoryId) f.repositoryId = r.repositoryId;
  const actions = actionPattern(r.action, { list: true });
  if (actions.actionAnyOf && f.actionAnyOf) {
    // Two "any of" action sets would have to hold together; refuse rather than drop one (an export must never hold more than asked).
    throw new AppError("invalid_parameter", "action: a list mixing names and prefix.* patterns cannot be combined with action: terms in q; put them in q", { field: "action" });
  }
  return { ...f, ...actions };
}

/** The period and repositories of an evidence package. A plain-date `to` covers the whole day. */
export function evidenceFilter(r: EvidenceExportRequest): EventFilter {
  const range = parseTimeRange(r.audit_period, { from: "audit_period.from", to: "audit_period.to" });
  return { ...range, ...(r.repository_ids.length ? { repositoryIds: r.repository_ids } : {}) };
}

/** Which actions make up each section of an evidence package (by action prefix). */
export const SECTION_ACTIONS: Record<Exclude<Section, "compliance_reports">, string[]> = {
  scan_results: ["scan."],
  issue_history: ["issue."],
  fix_records: ["fix."],
  access_logs: ["access.", "user.login", "user.logout", "user.signin", "auth.", "session.", "token.", "member."],
  configuration_history: ["config.", "policy.", "settings.", "retention.", "repository.", "integration."],
};

export const SECTION_DESCRIPTIONS: Record<Section, string> = {
  compliance_reports: "Summary for the framework: entries per section, per action and per repository, scan scores, and the integrity check.",
  scan_results: "Compliance scans started and completed (scan.*), one canonical entry per line.",
  issue_history: "Issues created, updated and resolved (issue.*).",
  fix_records: "Fixes generated and applied (fix.*).",
  access_logs: "Sign-ins, access grants and revocations, tokens and sessions (access.*, user.login, auth.*, session.*, token.*).",
  configuration_history: "Configuration and policy changes with before/after values (config.*, policy.*, settings.*, retention.*).",
};

/** Which sections cover which controls of each framework (for the auditor's orientation). */
export const FRAMEWORK_CONTROLS: Record<string, Partial<Record<Section, string[]>>> = {
  soc2: { access_logs: ["CC6.1", "CC6.2", "CC6.3"], configuration_history: ["CC8.1"], scan_results: ["CC7.1"], issue_history: ["CC7.2", "CC7.3"], fix_records: ["CC7.4"] },
  iso27001: { access_logs: ["A.5.15", "A.8.5"], configuration_history: ["A.8.9", "A.8.32"], scan_results: ["A.8.8"], issue_history: ["A.5.24"], fix_records: ["A.8.8"] },
  gdpr: { access_logs: ["Art. 32(1)(b)"], configuration_history: ["Art. 25"], issue_history: ["Art. 33"], fix_records: ["Art. 32(1)(d)"] },
  hipaa: { access_logs: ["164.312(b)", "164.308(a)(4)"], configuration_history: ["164.308(a)(1)(ii)(D)"], scan_results: ["164.308(a)(8)"], issue_history: ["164.308(a)(6)"] },
  pci_dss: { access_logs: ["10.2.1", "7.2"], configuration_history: ["10.2.2", "6.5"], scan_results: ["11.3"], fix_records: ["6.3.3"] },
  nist_csf: { access_logs: ["PR.AA"], configuration_history: ["PR.PS"], scan_results: ["ID.RA"], issue_history: ["RS.MA"], fix_records: ["RS.MI"] },
};
