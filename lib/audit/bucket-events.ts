import type { SqlExecutor } from "../db/sql";
import { EVENT_FIELDS, fieldSpec, type EventFieldName } from "./event-fields";
import { fieldsOf } from "./filter-tree";
import { buildWhere, newestMatches, resolveFilter, type EventFilter } from "./query-events";
import { ceilUtcDay, floorUtcDay, utcDateText } from "./time-bounds";

/**
 * A histogram whose filter needs more than one column's (org, column, timestamp) index holds (two
 * fields, actor id or email, content members, free words…) counts the newest HISTOGRAM_SAMPLE matches only (bounded work, issue 10);
 * it then says `complete: false` and from when it counts (`counted_from`).
 */
export const HISTOGRAM_SAMPLE = 100_000;
/**
 * The sample when the filter tests a member of the content (no copied column: changed:<field>,
 * resource_name: wildcards, has:…): walking the newest matches parses each candidate entry's content
 * (text → jsonb), ~10× the cost of a column test (changed:mode over 100 000 matches took ~7 s under
 * load), so fewer entries keep the histogram within the statement budget; it says `complete: false`.
 */
export const HISTOGRAM_PARSED_SAMPLE = 20_000;
/**
 * A filter on one copied column with an (org, column, timestamp) index (action, actor type, outcome,
 * repository id, …; the registry's `column.indexed`) is counted in full by an index-only scan of that
 * index (all the conditions the filter tree writes on it — values, negations, presence — are on the
 * column alone): `repo:acme/repo_1*` (a fifth of the org) took a Seq Scan as a 100 000-match sample.
 */
function countedByIndex(fields: string[]): boolean {
  if (fields.length === 0) return true;
  if (fields.length > 1 || !(fields[0]! in EVENT_FIELDS)) return false;
  const column = fieldSpec(fields[0] as EventFieldName).column;
  return !!column?.indexed && column.name !== "timestamp";
}

const STEPS_S = [60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400, 7 * 86_400, 30 * 86_400];

export interface EventBuckets {
  /** Bucket width in milliseconds (buckets start on multiples of it since 2000-01-01T00:00Z). */
  interval_ms: number;
  from: string | null;
  to: string | null;
  buckets: { start: string; count: number }[];
  /** false: more than HISTOGRAM_SAMPLE entries match a filter the indexes cannot count alone; only the newest are counted. */
  complete: boolean;
  /** With complete: false, the oldest timestamp counted (buckets before it are not counted). */
  counted_from?: string;
}

/**
 * Events per time bucket for the explorer's histogram: the filter's range (or, without one, the
 * span of the matching entries) cut into at most `maxBuckets` equal buckets. Empty buckets are
 * included so the chart's x axis is true to time.
 */
export async function bucketEvents(opts: { sql: SqlExecutor; orgId: string; filter: EventFilter; maxBuckets?: number }): Promise<EventBuckets> {
  const max = opts.maxBuckets ?? 120;
  const resolved = await resolveFilter(opts.sql, opts.orgId, opts.filter);
  if (!resolved) return { interval_ms: 3_600_000, from: opts.filter.from?.toISOString() ?? null, to: opts.filter.to?.toISOString() ?? null, buckets: [], complete: true };
  opts = { ...opts, filter: resolved };
  let { from, to } = opts.filter;
  if (!from || !to) {
    const { where, params } = buildWhere(opts.orgId, opts.filter);
    const [span] = await opts.sql.query<{ lo: Date | null; hi: Date | null }>(`SELECT min(e.timestamp) AS lo, max(e.timestamp) AS hi FROM audit_events e WHERE ${where}`, params);
    if (!span?.lo || !span.hi) return { interval_ms: 3_600_000, from: from?.toISOString() ?? null, to: to?.toISOString() ?? null, buckets: [], complete: true };
    from ??= new Date(span.lo);
    to ??= new Date(new Date(span.hi).getTime() + 1);
  }
  const spanS = Math.max(1, (to.getTime() - from.getTime()) / 1000);
  const step = STEPS_S.find((s) => spanS / s <= max) ?? STEPS_S[STEPS_S.length - 1]!;
  const indexOnly = !opts.filter.textSearch && countedByIndex([...fieldsOf(opts.filter.where)]);
  let rows: { t: Date; n: number; oldest?: Date | null; sampled?: number }[];
  let complete = true;
  let countedFrom: string | undefined;
  const wholeDays = matchesEverything(opts.filter) && step % 86_400 === 0 ? utcWholeDays(from, to) : null;
  if (wholeDays) {
    rows = await bucketFromRollups({ sql: opts.sql, orgId: opts.orgId, stepS: step, from, to, ...wholeDays });
  } else if (indexOnly) {
    const { where, params } = buildWhere(opts.orgId, { ...opts.filter, from, to });
    params.push(`${step} seconds`);
    rows = await opts.sql.query<{ t: Date; n: number }>(
      `SELECT date_bin($${params.length}::interval, e.timestamp, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS t, count(*)::int8 AS n
       FROM audit_events e WHERE ${where} GROUP BY 1 ORDER BY 1`,
      params,
    );
  } else {
    const parses = [...fieldsOf(opts.filter.where)].some((f) => f in EVENT_FIELDS && !fieldSpec(f as EventFieldName).column);
    const limit = parses ? HISTOGRAM_PARSED_SAMPLE : HISTOGRAM_SAMPLE;
    const sample = await newestMatches({ sql: opts.sql, orgId: opts.orgId, filter: { ...opts.filter, from, to }, columns: "e.timestamp", limit });
    if (!sample) return { interval_ms: step * 1000, from: from.toISOString(), to: to.toISOString(), buckets: [], complete: true };
    sample.params.push(`${step} seconds`);
    rows = await opts.sql.query<{ t: Date; n: number; oldest: Date | null; sampled: number }>(
      `SELECT date_bin($${sample.params.length}::interval, s.timestamp, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS t, count(*)::int8 AS n,
              min(min(s.timestamp)) OVER () AS oldest, sum(count(*)) OVER ()::int8 AS sampled
       FROM (${sample.sql}) s GROUP BY 1 ORDER BY 1`,
      sample.params,
    );
    if (rows[0] && Number(rows[0].sampled) >= limit) {
      complete = false;
      countedFrom = new Date(rows[0].oldest!).toISOString();
    }
  }
  const stepMs = step * 1000;
  const counts = new Map(rows.map((r) => [new Date(r.t).getTime(), Number(r.n)]));
  const epoch = Date.UTC(2000, 0, 1);
  const first = epoch + Math.floor((from.getTime() - epoch) / stepMs) * stepMs;
  const buckets: EventBuckets["buckets"] = [];
  for (let t = first; t < to.getTime() && buckets.length <= max + 1; t += stepMs) buckets.push({ start: new Date(t).toISOString(), count: counts.get(t) ?? 0 });
  return { interval_ms: stepMs, from: from.toISOString(), to: to.toISOString(), buckets, complete, ...(countedFrom && { counted_from: countedFrom }) };
}

/** No condition but the time range: every entry of the org in it counts. */
function matchesEverything(f: EventFilter): boolean {
  return !f.textSearch && (!f.where || (f.where.op === "const" && f.where.value));
}

/** The whole UTC days inside [from, to): [firstDay, endDay) as midnights, or null when there is none. */
function utcWholeDays(from: Date, to: Date): { firstDay: Date; endDay: Date } | null {
  const firstDay = ceilUtcDay(from);
  const endDay = floorUtcDay(to);
  return firstDay.getTime() < endDay.getTime() ? { firstDay, endDay } : null;
}

/**
 * Issue 11 (the histogram over an org's whole history at 10 M entries took 5 s, a count of every
 * entry): with no filter and buckets of whole days (every UTC day then lies in one bucket: they start
 * on multiples of the step since 2000-01-01T00:00Z), whole days are summed from the daily rollups
 * (exact: kept by the same transaction at insert and at purge, as statistics read them) and only the
 * partial days at the edges of [from, to) are counted from the entries.
 */
async function bucketFromRollups(o: { sql: SqlExecutor; orgId: string; stepS: number; from: Date; to: Date; firstDay: Date; endDay: Date }) {
  return o.sql.query<{ t: Date; n: number }>(
    `SELECT t, sum(n)::int8 AS n FROM (
       SELECT date_bin($2::interval, r.day::timestamp AT TIME ZONE 'UTC', TIMESTAMPTZ '2000-01-01 00:00:00+00') AS t, sum(r.event_count) AS n
         FROM audit_daily_rollups r WHERE r.org_id = $1 AND r.day >= $3::date AND r.day < $4::date GROUP BY 1
       UNION ALL
       SELECT date_bin($2::interval, e.timestamp, TIMESTAMPTZ '2000-01-01 00:00:00+00'), count(*)
         FROM audit_events e
        WHERE e.org_id = $1 AND ((e.timestamp >= $5 AND e.timestamp < $6) OR (e.timestamp >= $7 AND e.timestamp < $8))
        GROUP BY 1
     ) x GROUP BY t ORDER BY t`,
    [o.orgId, `${o.stepS} seconds`, utcDateText(o.firstDay), utcDateText(o.endDay), o.from, o.firstDay, o.endDay, o.to],
  );
}
