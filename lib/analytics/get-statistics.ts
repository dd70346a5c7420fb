import type { SqlExecutor, SqlParam } from "../db/sql";
import { formatTimestamp } from "../audit/format-timestamp";
import { ceilUtcDay, floorUtcDay } from "../audit/time-bounds";
import { dateKey } from "./periods";

export interface StatisticsResult {
  period: { from: string | null; to: string };
  total_events: number;
  events_by_type: Record<string, number>;
  /** By repository name; events without a repository are not listed here. */
  events_by_repository: Record<string, number>;
  events_by_actor_type: Record<string, number>;
  /** actor = email, else name, else id; the 10 most active, most first (ties by name). */
  top_actors: { actor: string; event_count: number }[];
}

export interface GetStatisticsOptions {
  sql: SqlExecutor;
  orgId: string;
  from?: Date;
  /** Exclusive upper bound. */
  to?: Date;
  now?: Date;
  topActors?: number;
}

/**
 * Statistics over [from, to). Whole UTC months are read from the monthly rollups, whole days at
 * the edges of those from the daily rollups (both kept by triggers at insert and delete), and only
 * the partial days at either end of the range from the events themselves. So the cost grows with
 * the number of months/days and distinct (action, repository, actor) per period, not with events.
 */
export async function getStatistics(opts: GetStatisticsOptions): Promise<StatisticsResult> {
  const params: SqlParam[] = [opts.orgId];
  const p = (v: SqlParam) => {
    params.push(v);
    return `$${params.length}`;
  };
  const { from, to } = opts;
  // Whole months from monthly rollups, whole days from daily rollups, partial days from events.
  const d1 = from ? ceilUtcDay(from) : undefined;
  const d2 = to ? floorUtcDay(to) : undefined;
  const parts: string[] = [];
  const rawRanges: string[] = [];
  if (d1 && d2 && d1.getTime() >= d2.getTime()) {
    rawRanges.push(`(e.timestamp >= ${p(from!)} AND e.timestamp < ${p(to!)})`);
  } else {
    if (from && d1 && from.getTime() < d1.getTime()) rawRanges.push(`(e.timestamp >= ${p(from)} AND e.timestamp < ${p(d1)})`);
    if (to && d2 && d2.getTime() < to.getTime()) rawRanges.push(`(e.timestamp >= ${p(d2)} AND e.timestamp < ${p(to)})`);
    const m1 = d1 ? ceilMonth(d1) : undefined;
    const m2 = d2 ? monthStart(d2) : undefined;
    const rollup = (table: string, col: string, lo?: Date, hi?: Date) => {
      const w = [`r.org_id = $1`];
      if (lo) w.push(`r.${col} >= ${p(dateKey(lo))}::date`);
      if (hi) w.push(`r.${col} < ${p(dateKey(hi))}::date`);
      parts.push(`SELECT r.action, r.repository_name, r.actor_type, r.actor_key, r.event_count AS n FROM ${table} r WHERE ${w.join(" AND ")}`);
    };
    if (!m1 || !m2 || m1.getTime() < m2.getTime()) {
      if (d1 && m1 && d1.getTime() < m1.getTime()) rollup("audit_daily_rollups", "day", d1, m1);
      rollup("audit_monthly_rollups", "month", m1, m2);
      if (d2 && m2 && m2.getTime() < d2.getTime()) rollup("audit_daily_rollups", "day", m2, d2);
    } else {
      rollup("audit_daily_rollups", "day", d1, d2);
    }
  }
  if (rawRanges.length) {
    parts.push(`SELECT e.action, coalesce(e.repository_name, '') AS repository_name, e.actor_type,
      coalesce(e.actor_email, e.content::jsonb #>> '{actor,name}', e.actor_id) AS actor_key, 1::int8 AS n
    FROM audit_events e WHERE e.org_id = $1 AND (${rawRanges.join(" OR ")})`);
  }
  const src = parts.join("\n    UNION ALL\n    ");

  const limit = opts.topActors ?? 10;
  const [groups, top, first] = await Promise.all([
    opts.sql.query<{ action: string | null; repository_name: string | null; actor_type: string | null; g: number; n: number }>(
      `SELECT action, repository_name, actor_type, GROUPING(action, repository_name, actor_type)::int4 AS g, sum(n)::int8 AS n
       FROM (${src}) s GROUP BY GROUPING SETS ((action), (repository_name), (actor_type), ())`,
      params,
    ),
    opts.sql.query<{ actor_key: string; n: number }>(
      `SELECT actor_key, sum(n)::int8 AS n FROM (${src}) s GROUP BY actor_key ORDER BY n DESC, actor_key LIMIT ${Math.max(1, Math.min(100, limit))}`,
      params,
    ),
    // Without `from`, the period starts at the day of the oldest event.
    from ? Promise.resolve([]) : opts.sql.query<{ d: string | null }>(`SELECT to_char(day, 'YYYY-MM-DD') AS d FROM audit_daily_rollups WHERE org_id = $1 ORDER BY day LIMIT 1`, [opts.orgId]),
  ]);
  const oldest = first[0]?.d ? new Date(`${first[0].d}T00:00:00Z`) : undefined;

  const byCount = (entries: [string, number][]) => Object.fromEntries(entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  const types: [string, number][] = [];
  const repos: [string, number][] = [];
  const actorTypes: [string, number][] = [];
  let total = 0;
  for (const r of groups) {
    const n = Number(r.n);
    if (r.g === 3 && r.action !== null) types.push([r.action, n]);
    else if (r.g === 5 && r.repository_name) repos.push([r.repository_name, n]);
    else if (r.g === 6 && r.actor_type !== null) actorTypes.push([r.actor_type, n]);
    else if (r.g === 7) total = n;
  }
  return {
    period: { from: from ? formatTimestamp(from) : oldest ? formatTimestamp(oldest) : null, to: formatTimestamp(secondFloor(new Date((to ?? opts.now ?? new Date()).getTime() - (to ? 1 : 0)))) },
    total_events: total,
    events_by_type: byCount(types),
    events_by_repository: byCount(repos),
    events_by_actor_type: byCount(actorTypes),
    top_actors: top.map((r) => ({ actor: r.actor_key, event_count: Number(r.n) })),
  };
}

/** The first instant of the UTC month at or after `d`. */
function ceilMonth(d: Date): Date {
  const start = monthStart(d);
  return start.getTime() === d.getTime() ? d : new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

function monthStart(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}

function secondFloor(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}
