import type { SqlExecutor } from "../db/sql";
import { AppError } from "../errors";
import { formatTimestamp } from "../audit/format-timestamp";
import { countTotal } from "../audit/count-events";
import { F } from "../audit/filter-tree";
import { signDownloadPath } from "../exports/sign-download";
import { dateKey } from "./periods";
import { findCriterion, SOC2_CRITERIA_IDS, type EvidenceCategory } from "./soc2-criteria";

export interface EvidenceItem {
  id: string;
  type: string;
  title: string;
  description: string;
  event_types: string[];
  date_range: { from: string; to: string };
  record_count: number;
  artifacts: { name: string; url: string; format: "csv"; expires_at: string }[];
}

export interface Soc2Evidence {
  criteria: string;
  criteria_name: string;
  audit_period: { start: string; end: string };
  evidence_items: EvidenceItem[];
}

export const ARTIFACT_PATH = "/api/v1/audit/evidence/artifacts";
const SUBJECT_PREFIX = "soc2-evidence";

/** What a signed artifact link stands for: one category's events of one org in one period. */
export interface ArtifactSubject {
  orgId: string;
  criteria: string;
  type: string;
  from: Date;
  /** Exclusive. */
  to: Date;
}

export function encodeSubject(s: ArtifactSubject): string {
  return [SUBJECT_PREFIX, s.orgId, s.criteria, s.type, s.from.toISOString(), s.to.toISOString()].join("|");
}

/** Parses a subject (after its signature was checked) back into the org, criterion, category and period. */
export function decodeSubject(subject: string): { subject: ArtifactSubject; category: EvidenceCategory } {
  const parts = subject.split("|");
  const bad = () => new AppError("invalid_parameter", "subject: not an evidence artifact", { field: "subject" });
  if (parts.length !== 6 || parts[0] !== SUBJECT_PREFIX) throw bad();
  const [, orgId, criteria, type, from, to] = parts as [string, string, string, string, string, string];
  const category = findCriterion(criteria)?.categories.find((c) => c.type === type);
  if (!category) throw bad();
  return { subject: { orgId, criteria, type, from: new Date(from), to: new Date(to) }, category };
}

export function unknownCriteriaError(value: string): AppError {
  return new AppError("invalid_parameter", `criteria: unknown SOC 2 criteria "${value}"; known: ${SOC2_CRITERIA_IDS.join(", ")}`, {
    field: "criteria",
    details: { known_criteria: SOC2_CRITERIA_IDS },
  });
}

/**
 * SOC 2 evidence for one criterion over an audit period [from, to): one item per evidence
 * category of lib/analytics/soc2-criteria.ts, with the number of matching events and a CSV of
 * them behind an HMAC-signed link (the exports' signing key; works without a bearer header until
 * it expires).
 */
export async function collectSoc2Evidence(opts: {
  sql: SqlExecutor;
  orgId: string;
  criteria: string;
  from: Date;
  to: Date;
  linkTtlMs?: number;
  now?: Date;
}): Promise<Soc2Evidence> {
  const criterion = findCriterion(opts.criteria);
  if (!criterion) throw unknownCriteriaError(opts.criteria);
  const now = opts.now ?? new Date();
  const expiresAt = new Date(now.getTime() + (opts.linkTtlMs ?? 24 * 3_600_000));
  const lastDay = dateKey(new Date(opts.to.getTime() - 1));
  const items: EvidenceItem[] = [];
  for (const cat of criterion.categories) {
    const { count: record_count } = await countTotal({ sql: opts.sql, orgId: opts.orgId, filter: { where: F.in("action", ...cat.eventTypes), from: opts.from, to: opts.to }, policy: "exact" });
    const subject = encodeSubject({ orgId: opts.orgId, criteria: criterion.id, type: cat.type, from: opts.from, to: opts.to });
    const url = await signedArtifactUrl({ sql: opts.sql, subject, expiresAt });
    const slug = criterion.id.toLowerCase().replace(".", "_");
    items.push({
      id: `ev_${slug}_${cat.type}`,
      type: cat.type,
      title: cat.title,
      description: cat.description,
      event_types: [...cat.eventTypes],
      date_range: { from: dateKey(opts.from), to: lastDay },
      record_count,
      artifacts: [{ name: `${slug}_${cat.type}_${dateKey(opts.from)}_${lastDay}.csv`, url, format: "csv", expires_at: formatTimestamp(expiresAt) }],
    });
  }
  return { criteria: criterion.id, criteria_name: criterion.name, audit_period: { start: dateKey(opts.from), end: lastDay }, evidence_items: items };
}

/** Signs with the one signing function (lib/exports/sign-download.ts) and rewrites the path to ours. */
async function signedArtifactUrl(opts: { sql: SqlExecutor; subject: string; expiresAt: Date }): Promise<string> {
  const signed = new URL(await signDownloadPath({ sql: opts.sql, exportId: opts.subject, expiresAt: opts.expiresAt }), "http://x");
  const q = new URLSearchParams({ subject: opts.subject, expires: signed.searchParams.get("expires") ?? "", sig: signed.searchParams.get("sig") ?? "" });
  return `${ARTIFACT_PATH}?${q.toString()}`;
}
