import type { SqlExecutor, SqlParam } from "../db/sql";
import { AppError } from "../errors";
import { buildWhere, F } from "../audit/query-events";
import { buildPeriods, dateKey, DEFAULT_PERIODS, DEFAULT_TIME_ZONE, lastDay, periodsBack, sqlPeriodKey, type Interval, type Period } from "./periods";

export const METRICS = ["score", "issues", "fixes"] as const;
export type Metric = (typeof METRICS)[number];
export type Trend = "improving" | "declining" | "stable";

export interface HistoryPoint {
  period_start: string;
  period_end: string;
  value: number | null;
  change: number | null;
}

export interface HistoryResult {
  metric: Metric;
  interval: Interval;
  data_points: HistoryPoint[];
  summary: { start_value: number | null; end_value: number | null; total_change: number | null; trend: Trend };
}

export interface GetHistoryOptions {
  sql: SqlExecutor;
  orgId: string;
  metric: Metric;
  interval: Interval;
  framework?: string;
  repositoryId?: string;
  from?: Date;
  /** Exclusive upper bound. */
  to?: Date;
  now?: Date;
  /** IANA zone of the calendar periods (default UTC). */
  timeZone?: string;
}

/** At most this many periods per answer (e.g. ~2.7 years of days). */
export const MAX_PERIODS = 1000;

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Compliance history (docs/analytics.md). Periods are whole days, ISO weeks or calendar months of
 * `timeZone` (default UTC) covering [from, to). From the events:
 *   score  = details.score of the last scan.completed per repository in the period, carried
 *            forward while a repository has no newer scan, averaged over repositories;
 *   issues = issues open at the period's end (issue.created / issue.resolved by resource.id, over
 *            the whole history before that moment);
 *   fixes  = fix.applied events in the period.
 */
export async function getHistory(opts: GetHistoryOptions): Promise<HistoryResult> {
  const tz = opts.timeZone ?? DEFAULT_TIME_ZONE;
  const to = opts.to ?? opts.now ?? new Date();
  const from = opts.from ?? periodsBack(to, opts.interval, DEFAULT_PERIODS[opts.interval], tz);
  const periods = buildPeriods(from, to, opts.interval, MAX_PERIODS, tz);
  if (!periods) {
    throw new AppError("invalid_parameter", `from: the range spans more than ${MAX_PERIODS} ${opts.interval} periods; narrow it or use a longer interval`, { field: "from" });
  }
  if (periods.length === 0) throw new AppError("invalid_parameter", "from: the range is empty", { field: "from" });
  const values =
    opts.metric === "score" ? await scoreValues(opts, periods) : opts.metric === "issues" ? await openIssueValues(opts, periods) : await fixValues(opts, periods);

  const data_points: HistoryPoint[] = periods.map((p, i) => {
    const value = values[i] ?? null;
    const prev = i > 0 ? (values[i - 1] ?? null) : null;
    return { period_start: dateKey(p.start, tz), period_end: lastDay(p, tz), value, change: i === 0 || value === null || prev === null ? null : round(value - prev) };
  });
  const known = values.filter((v): v is number => v !== null);
  const start_value = known.length ? known[0]! : null;
  const end_value = known.length ? known[known.length - 1]! : null;
  const total_change = start_value === null || end_value === null ? null : round(end_value - start_value);
  return { metric: opts.metric, interval: opts.interval, data_points, summary: { start_value, end_value, total_change, trend: trendOf(opts.metric, total_change) } };
}

export function trendOf(metric: Metric, change: number | null): Trend {
  if (change === null || change === 0) return "stable";
  const better = metric === "issues" ? change < 0 : change > 0;
  return better ? "improving" : "declining";
}

function rangeOf(periods: Period[]) {
  return { start: periods[0]!.start, end: periods[periods.length - 1]!.end };
}

async function scoreValues(opts: GetHistoryOptions, periods: Period[]): Promise<(number | null)[]> {
  const { start, end } = rangeOf(periods);
  // audit_scan_scores: details.score of every scan.completed, extracted at insert (trigger).
  const params: SqlParam[] = [opts.orgId, start, end];
  const extra: string[] = [];
  if (opts.repositoryId !== undefined) {
    params.push(opts.repositoryId);
    extra.push(`repository_id = $${params.length}`);
  }
  if (opts.framework !== undefined) {
    params.push(opts.framework);
    extra.push(`framework = $${params.length}`);
  }
  const and = extra.map((x) => ` AND ${x}`).join("");
  // The last scan per repository and period…
  const inRange = opts.sql.query<{ repo: string; bucket: string; score: number }>(
    `SELECT DISTINCT ON (repository_id, bucket) repository_id AS repo, bucket, score
     FROM (SELECT repository_id, "timestamp", seq, score, ${sqlPeriodKey('"timestamp"', opts.interval, opts.timeZone)} AS bucket
           FROM audit_scan_scores WHERE org_id = $1 AND "timestamp" >= $2 AND "timestamp" < $3${and}) x
     ORDER BY repository_id, bucket, "timestamp" DESC, seq DESC`,
    params,
  );
  // …and each repository's last scan before the range (one index probe per repository).
  const repos =
    opts.repositoryId !== undefined
      ? `SELECT $4::text AS r`
      : `WITH RECURSIVE rs AS (
           SELECT min(repository_id) AS r FROM audit_scan_scores WHERE org_id = $1
           UNION ALL
           SELECT (SELECT min(repository_id) FROM audit_scan_scores WHERE org_id = $1 AND repository_id > rs.r) FROM rs WHERE rs.r IS NOT NULL
         ) SELECT r FROM rs WHERE r IS NOT NULL`;
  const before = opts.sql.query<{ repo: string; score: number }>(
    `SELECT repos.r AS repo, s.score FROM (${repos}) repos
     CROSS JOIN LATERAL (SELECT score FROM audit_scan_scores
       WHERE org_id = $1 AND repository_id = repos.r AND "timestamp" < LEAST($2::timestamptz, $3::timestamptz)${and}
       ORDER BY "timestamp" DESC, seq DESC LIMIT 1) s`,
    params,
  );
  const [rows, initial] = await Promise.all([inRange, before]);
  const byRepo = new Map<string, Map<string, number>>();
  const current = new Map<string, number>();
  for (const r of initial) current.set(r.repo, Number(r.score));
  for (const r of rows) {
    let m = byRepo.get(r.repo);
    if (!m) byRepo.set(r.repo, (m = new Map()));
    m.set(r.bucket, Number(r.score));
  }
  return periods.map((p) => {
    const key = dateKey(p.start, opts.timeZone);
    for (const [repo, m] of byRepo) {
      const v = m.get(key);
      if (v !== undefined) current.set(repo, v);
    }
    if (current.size === 0) return null;
    let sum = 0;
    for (const v of current.values()) sum += v;
    return round(sum / current.size);
  });
}

async function openIssueValues(opts: GetHistoryOptions, periods: Period[]): Promise<number[]> {
  const { start, end } = rangeOf(periods);
  // audit_issue_events: issue.created (opened) / issue.resolved, extracted at insert (trigger), each
  // with its effect on the open count given the issue's earlier events (+1, -1 or 0).
  const params: SqlParam[] = [opts.orgId, start, end];
  let and = "";
  if (opts.repositoryId !== undefined) {
    params.push(opts.repositoryId);
    and += ` AND repository_id = $${params.length}`;
  }
  if (opts.framework !== undefined) {
    params.push(opts.framework);
    and += ` AND framework = $${params.length}`;
  }
  // Each event's effect on the open count (+1 opens, -1 resolves) is kept in `delta` by the trigger.
  const rows = await opts.sql.query<{ bucket: string; delta: number }>(
    `SELECT CASE WHEN "timestamp" < $2 THEN '' ELSE ${sqlPeriodKey('"timestamp"', opts.interval, opts.timeZone)} END AS bucket, sum(delta)::int8 AS delta
     FROM audit_issue_events WHERE org_id = $1 AND "timestamp" < $3 AND delta <> 0${and}
     GROUP BY 1`,
    params,
  );
  const deltas = new Map(rows.map((r) => [r.bucket, Number(r.delta)]));
  let open = deltas.get("") ?? 0;
  return periods.map((p) => (open += deltas.get(dateKey(p.start, opts.timeZone)) ?? 0));
}

async function fixValues(opts: GetHistoryOptions, periods: Period[]): Promise<number[]> {
  const { start, end } = rangeOf(periods);
  const { where, params } = buildWhere(opts.orgId, { where: F.and(F.in("action", "fix.applied"), F.eq("repository.id", opts.repositoryId), F.eq("details.framework", opts.framework)), from: start, to: end });
  const rows = await opts.sql.query<{ bucket: string; n: number }>(
    `SELECT ${sqlPeriodKey("e.timestamp", opts.interval, opts.timeZone)} AS bucket, count(*)::int8 AS n FROM audit_events e WHERE ${where} GROUP BY 1`,
    params,
  );
  const counts = new Map(rows.map((r) => [r.bucket, Number(r.n)]));
  return periods.map((p) => counts.get(dateKey(p.start, opts.timeZone)) ?? 0);
}
