import type { SqlExecutor, SqlParam } from "../db/sql";
import { conjuncts } from "./filter-tree";
import { buildWhere, resolveFilter, type EventFilter } from "./query-events";
import { ceilUtcDay, floorUtcDay, utcDateText } from "./time-bounds";

/**
 * How totals are counted — one policy for every dialect (issue 11 item 5: a total over a large,
 * unselective filter must not cost a full count on every page). docs/api.md "Totals" says which
 * answer uses which policy and why.
 *
 * - `bounded` (explorer, search): the newest matches are walked in index order up to `cap` + 1; an
 *   exact total up to `cap`, beyond it `{count: cap, exact: false}` ("more than", `X-Total-Relation:
 *   gte` / `total_exact: false`). Bounded work for any filter.
 * - `exact` (ComplianceAgent and AMP lists — offset paging, where a client computes its pages from
 *   `total` and AMP's `links.next` depends on it —, SOC 2 evidence record counts): always exact,
 *   found the cheapest of these ways, in order:
 *   1. the process remembers the last exact total of this (org, filter) together with the org's
 *      newest seq it covered; the next request counts only the matching entries appended since
 *      (`seq > remembered`, the primary key's range, at most `REMEMBERED_SPAN` seqs of it: after more,
 *      e.g. a bulk load, the total is found afresh by 2–4) and adds them. Entries are append-only and seqs
 *      are handed out under the chain-head lock, committed in order, so the entries up to a seq that
 *      one statement sees never change — except by retention, which removes the oldest entries and
 *      records a chain cut: a changed oldest seq or cut makes the remembered total stale (recounted).
 *   2. the bounded walk above: ≤ `EXACT_WALK_CAP` matches is exact already.
 *   3. filters made only of actions (exact or prefix), actor type and a time range are summed from
 *      the rollups ingest keeps in the same transaction (monthly rows for whole months, daily rows for
 *      whole days, the entries themselves for the partial days at the edges).
 *   4. otherwise one full count (remembered for 1.).
 *   Remembered totals are bounded (`REMEMBERED_TOTALS`, least recently used out).
 */
export const EXACT_WALK_CAP = 10_000;
export const REMEMBERED_TOTALS = 1_000;
/**
 * A remembered total is topped up only while at most this many entries were appended to the org
 * since (its top-up reads at most this many rows of the primary key); beyond, it is recounted.
 */
export const REMEMBERED_SPAN = 50_000;

export type TotalPolicy = "exact" | "bounded";

export interface EventTotal {
  count: number;
  /** false: more than `count` entries match (bounded policy only). */
  exact: boolean;
  /** How it was found (tests and benches look at it). */
  source: "none" | "walk" | "remembered" | "rollups" | "count";
}

export interface CountTotalOptions {
  sql: SqlExecutor;
  orgId: string;
  filter: EventFilter;
  policy: TotalPolicy;
  /** Bounded policy: exact up to this many (default EXACT_WALK_CAP). */
  cap?: number;
  /** Exact policy: top up a remembered total across at most this many seqs (default REMEMBERED_SPAN). */
  rememberedSpan?: number;
}

export async function countTotal(opts: CountTotalOptions): Promise<EventTotal> {
  const filter = await resolveFilter(opts.sql, opts.orgId, opts.filter);
  if (!filter) return { count: 0, exact: true, source: "none" };
  if (opts.policy === "bounded") return walk(opts.sql, opts.orgId, filter, opts.cap ?? EXACT_WALK_CAP);

  const key = `${opts.orgId}\u0000${stableKey(filter)}`;
  const cache = rememberedTotals();
  const known = cache.get(key);
  if (known) {
    const { where, params } = buildWhere(opts.orgId, filter);
    const span = opts.rememberedSpan ?? REMEMBERED_SPAN;
    params.push(known.seq, known.seq + span);
    // The entries appended since, counted only within REMEMBERED_SPAN seqs of the remembered one (a
    // primary-key range: bounded work); when more were appended (a bulk load, a long quiet spell),
    // the remembered total is dropped and the total found afresh below.
    const [row] = await opts.sql.query<Snapshot & { added: number }>(
      `SELECT ${SNAPSHOT}, (SELECT count(*)::int8 FROM audit_events e WHERE ${where} AND e.seq > $${params.length - 1} AND e.seq <= $${params.length}) AS added`,
      params,
    );
    if (row && row.base === known.base && Number(row.head) <= known.seq + span) {
      const count = known.count + Number(row.added);
      remember(key, { seq: Number(row.head), base: row.base, count });
      return { count, exact: true, source: "remembered" };
    }
    cache.delete(key);
  }

  const walked = await walk(opts.sql, opts.orgId, filter, EXACT_WALK_CAP);
  if (walked.exact) return walked;

  const rollup = rollupQuery(filter);
  const { where, params } = buildWhere(opts.orgId, filter);
  let text: string;
  let source: EventTotal["source"];
  if (rollup) {
    // One statement, one snapshot: the rollups and the edge counts agree with the remembered seq.
    // (Without edges the where clause is not used: only the org's parameter stays.)
    if (!rollup.usesWhere) params.length = 1;
    const base = params.length;
    params.push(...rollup.params);
    text = `SELECT ${SNAPSHOT}, (${rollup.sql(base, where)})::int8 AS n`;
    source = "rollups";
  } else {
    text = `SELECT ${SNAPSHOT}, (SELECT count(*)::int8 FROM audit_events e WHERE ${where}) AS n`;
    source = "count";
  }
  const [row] = await opts.sql.query<Snapshot & { n: number }>(text, params);
  const count = Number(row?.n ?? 0);
  if (row) remember(key, { seq: Number(row.head), base: row.base, count });
  return { count, exact: true, source };
}

/** The org's newest seq, and what retention changes (oldest seq, chain cuts) — `$1` is the org. */
const SNAPSHOT = `(SELECT coalesce(max(seq), 0) FROM audit_events WHERE org_id = $1)::int8 AS head,
  concat((SELECT min(seq) FROM audit_events WHERE org_id = $1), '/', (SELECT count(*) || ':' || coalesce(max(cut_seq), 0) FROM audit_chain_cuts WHERE org_id = $1)) AS base`;

type Snapshot = {
  head: number;
  base: string;
};

async function walk(sql: SqlExecutor, orgId: string, filter: EventFilter, cap: number): Promise<EventTotal> {
  const { where, params } = buildWhere(orgId, filter);
  params.push(cap + 1);
  // In index order (a bare LIMIT lets the planner pick a Seq Scan).
  const rows = await sql.query<{ n: number }>(
    `SELECT count(*)::int8 AS n FROM (SELECT 1 FROM audit_events e WHERE ${where} ORDER BY e.timestamp DESC, e.seq DESC LIMIT $${params.length}) s`,
    params,
  );
  const n = Number(rows[0]?.n ?? 0);
  return n > cap ? { count: cap, exact: false, source: "walk" } : { count: n, exact: true, source: "walk" };
}

// ---------------------------------------------------------------------------------------------
// Rollups: events per (org, UTC day | month, action, repository name, actor type, actor key).

/**
 * The part of a (resolved) filter the rollups can answer: conjuncts on the action (names; wildcards
 * are resolved to names by then) and on the actor type, plus the time range. Any other condition (or
 * a future field) → null: no rollups.
 */
function rollupShape(f: EventFilter): { actions?: string[]; actorType?: string } | null {
  if (f.textSearch) return null;
  const out: { actions?: string[]; actorType?: string } = {};
  for (const c of conjuncts(f.where)) {
    const arms = c.op === "or" ? c.nodes : [c];
    if (arms.every((a) => a.op === "in" && a.field === "action")) {
      const names = arms.flatMap((a) => (a.op === "in" ? a.values : []));
      out.actions = out.actions ? out.actions.filter((x) => names.includes(x)) : names;
    } else if (c.op === "in" && c.field === "actor.type" && c.values.length === 1 && out.actorType === undefined) {
      out.actorType = c.values[0];
    } else return null;
  }
  return out;
}

const floorMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
const ceilMonth = (d: Date) => {
  const f = floorMonth(d);
  return f.getTime() === d.getTime() ? f : new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
};

/**
 * The rollup sum for a filter rollupShape accepts, as a scalar subquery: `sql(base, where)`
 * numbers its own parameters after `base` (the where clause's) and counts the partial days at the
 * edges from the entries with `where` (which holds the filter's own time bounds) narrowed to them.
 */
function rollupQuery(f: EventFilter): { params: SqlParam[]; usesWhere: boolean; sql: (base: number, where: string) => string } | null {
  const shape = rollupShape(f);
  if (!shape) return null;
  const params: SqlParam[] = [];
  /** Pushes a parameter; returns its placeholder for a given base. */
  const param = (value: SqlParam) => {
    params.push(value);
    const i = params.length;
    return (base: number) => `$${base + i}`;
  };
  const conds: ((base: number) => string)[] = [];
  if (shape.actions) {
    const p = param(shape.actions);
    conds.push((b) => `r.action = ANY(${p(b)}::text[])`);
  }
  if (shape.actorType !== undefined) {
    const p = param(shape.actorType);
    conds.push((b) => `r.actor_type = ${p(b)}`);
  }

  // Whole days [lo, hi) from the rollups (whole months of it from the monthly ones); the entries
  // inside [from, to) but outside [lo, hi) are counted one by one.
  const lo = f.from ? ceilUtcDay(f.from) : undefined;
  const hi = f.to ? floorUtcDay(f.to) : undefined;
  if (lo && hi && lo.getTime() >= hi.getTime()) return null; // within about a day: a plain count is cheap
  const mlo = lo ? ceilMonth(lo) : undefined;
  const mhi = hi ? floorMonth(hi) : undefined;
  const ranges: { table: "audit_monthly_rollups" | "audit_daily_rollups"; col: "month" | "day"; a?: Date; b?: Date }[] = [];
  if (!mlo || !mhi || mlo.getTime() < mhi.getTime()) {
    ranges.push({ table: "audit_monthly_rollups", col: "month", a: mlo, b: mhi });
    if (lo && mlo && lo.getTime() < mlo.getTime()) ranges.push({ table: "audit_daily_rollups", col: "day", a: lo, b: mlo });
    if (hi && mhi && mhi.getTime() < hi.getTime()) ranges.push({ table: "audit_daily_rollups", col: "day", a: mhi, b: hi });
  } else {
    ranges.push({ table: "audit_daily_rollups", col: "day", a: lo, b: hi });
  }
  const parts: ((base: number, where: string) => string)[] = [];
  for (const r of ranges) {
    const a = r.a && param(utcDateText(r.a));
    const b = r.b && param(utcDateText(r.b));
    parts.push((base) => {
      const w = ["r.org_id = $1", ...conds.map((c) => c(base))];
      if (a) w.push(`r.${r.col} >= ${a(base)}::date`);
      if (b) w.push(`r.${r.col} < ${b(base)}::date`);
      return `(SELECT coalesce(sum(r.event_count), 0) FROM ${r.table} r WHERE ${w.join(" AND ")})`;
    });
  }
  // Edges [from, lo) and [to's day, to), from the entries: `where` holds from/to itself.
  if (f.from && lo && f.from.getTime() < lo.getTime()) {
    const p = param(lo);
    parts.push((base, where) => `(SELECT count(*) FROM audit_events e WHERE ${where} AND e.timestamp < ${p(base)})`);
  }
  if (f.to && hi && hi.getTime() < f.to.getTime()) {
    const p = param(hi);
    parts.push((base, where) => `(SELECT count(*) FROM audit_events e WHERE ${where} AND e.timestamp >= ${p(base)})`);
  }
  const usesWhere = parts.length > ranges.length;
  return { params, usesWhere, sql: (base, where) => parts.map((p) => p(base, where)).join(" + ") };
}

// ---------------------------------------------------------------------------------------------

interface Remembered {
  seq: number;
  base: string;
  count: number;
}

/** Per process (on globalThis: Next.js bundles each route separately), least recently used out. */
const KEY = Symbol.for("audit-trail.remembered-totals");
function rememberedTotals(): Map<string, Remembered> {
  const g = globalThis as { [KEY]?: Map<string, Remembered> };
  return (g[KEY] ??= new Map());
}

function remember(key: string, value: Remembered): void {
  const cache = rememberedTotals();
  cache.delete(key);
  cache.set(key, value);
  while (cache.size > REMEMBERED_TOTALS) cache.delete(cache.keys().next().value!);
}

/** Forget every remembered total (tests). */
export function forgetRememberedTotals(): void {
  rememberedTotals().clear();
}

/** A key for a filter that does not depend on the order its members were set in. */
function stableKey(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  // Arrays in a filter are sets (AND/OR operands, values): their order does not change the answer.
  if (Array.isArray(value)) return `[${value.map(stableKey).sort().join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableKey(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
