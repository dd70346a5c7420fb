import { actionPattern } from "../audit/action-pattern";
import { explorerFilter } from "../audit/explorer-filter";
import { parseTimeRange } from "../audit/time-bounds";
import { F, type EventFilter } from "../audit/query-events";
import type { EvidenceExportRequest, LogExportRequest, Section } from "./export-schemas";

/** The list filter a log export applies (same meaning as the AppSec+ list parameters, plus the explorer's query language in `q`). */
export function logExportFilter(r: LogExportRequest): EventFilter {
  const range = parseTimeRange({ from: r.from, to: r.to });
  // The explorer's query box, read exactly as the explorer reads it (a bad query is a 400 on `q`); the narrower bound wins.
  const view = r.q ? explorerFilter({ q: r.q }) : {};
  const from = [range.from, view.from].filter((d): d is Date => !!d).sort((a, b) => b.getTime() - a.getTime())[0];
  const to = [range.to, view.to].filter((d): d is Date => !!d).sort((a, b) => a.getTime() - b.getTime())[0];
  const where = F.and(
    view.where,
    F.eq("actor.id", r.actorId),
    r.actor === undefined ? undefined : F.actor(r.actor),
    F.eq("resource.type", r.resourceType),
    F.eq("resource.id", r.resourceId),
    F.eq("repository.id", r.repositoryId),
    actionPattern(r.action, { list: true }),
  );
  return { where: where.op === "and" && where.nodes.length === 0 ? undefined : where, from, to };
}

/** The period and repositories of an evidence package. A plain-date `to` covers the whole day. */
export function evidenceFilter(r: EvidenceExportRequest): EventFilter {
  const range = parseTimeRange(r.audit_period, { from: "audit_period.from", to: "audit_period.to" });
  return { ...range, ...(r.repository_ids.length ? { where: F.in("repository.id", ...r.repository_ids) } : {}) };
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

/** Declared in export-schemas.ts (the browser reads it too); re-exported here for the writers. */
export { FRAMEWORK_CONTROLS } from "./export-schemas";
