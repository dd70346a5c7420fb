import { buildWhere, type EventFilter } from "../audit/query-events";
import type { CanonicalEvent } from "../audit/event-schema";
import type { SqlExecutor } from "../db/sql";
import type { SearchFields } from "./parse-search-query";

export interface SearchHit {
  event: CanonicalEvent;
  /** HTML-escaped text in which only <em>…</em> marks the hits. */
  highlight: string;
  /** Relevance in (0, 1]: ts_rank divided by the best rank among all matches. */
  score: number;
}

const START = "\uE000";
const STOP = "\uE001";
const HEADLINE_OPTIONS = `MaxWords=24, MinWords=8, ShortWord=1, MaxFragments=2, FragmentDelimiter=" … ", StartSel=${START}, StopSel=${STOP}`;
const PART: Record<SearchFields, string> = { all: "all", actor: "actor", details: "details" };

/** HTML-escapes in SQL, before ts_headline (which would otherwise read `<…>` as tags and drop them). */
const escapeHtmlSql = (t: string) =>
  `replace(replace(replace(replace(replace(${t}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;')`;

/**
 * Full-text search, ranked: the filter must carry `textSearch` (parseSearchQuery). The where
 * clause is the shared one (lib/audit/query-events.ts); ranks, totals and headlines are computed
 * here, headlines only for the returned page.
 */
export async function searchEvents(opts: {
  sql: SqlExecutor;
  orgId: string;
  filter: EventFilter & { textSearch: NonNullable<EventFilter["textSearch"]> };
  fields: SearchFields;
  limit: number;
  offset: number;
}): Promise<{ hits: SearchHit[]; total: number }> {
  const { where, params, tsquery } = buildWhere(opts.orgId, opts.filter);
  if (!tsquery) throw new Error("searchEvents needs filter.textSearch");
  const weight = opts.filter.textSearch.weight;
  const vector = weight ? `ts_filter(e.search_vector, '{${weight === "a" ? "a" : "b"}}')` : "e.search_vector";
  params.push(opts.limit, opts.offset, PART[opts.fields]);
  const [pLimit, pOffset, pPart] = [params.length - 2, params.length - 1, params.length];
  const rows = await opts.sql.query<{ content: string; rank: number; best: number; total: number; headline: string }>(
    `WITH m AS (
       SELECT e.seq, e.timestamp, ts_rank(${vector}, ${tsquery}) AS rank FROM audit_events e WHERE ${where}
     ), page AS (
       SELECT seq, timestamp, rank, max(rank) OVER () AS best, count(*) OVER () AS total
       FROM m ORDER BY rank DESC, timestamp DESC, seq DESC LIMIT $${pLimit} OFFSET $${pOffset}
     )
     SELECT e.content, p.rank::float8 AS rank, p.best::float8 AS best, p.total::int8 AS total,
       ts_headline('simple', ${escapeHtmlSql(`audit_search_text(e.content, $${pPart}::text)`)}, ${tsquery}, '${HEADLINE_OPTIONS}') AS headline
     FROM page p JOIN audit_events e ON e.org_id = $1 AND e.seq = p.seq
     ORDER BY p.rank DESC, p.timestamp DESC, p.seq DESC`,
    params,
  );
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && opts.offset > 0) {
    const { where: w, params: p } = buildWhere(opts.orgId, opts.filter);
    total = (await opts.sql.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM audit_events e WHERE ${w}`, p))[0]?.n ?? 0;
  }
  return {
    total,
    hits: rows.map((r) => ({
      event: JSON.parse(r.content) as CanonicalEvent,
      highlight: r.headline.replaceAll(START, "<em>").replaceAll(STOP, "</em>"),
      score: normaliseScore(r.rank, r.best),
    })),
  };
}

/** rank / best, rounded to 4 places, never 0 (a match always scores above nothing). */
export function normaliseScore(rank: number, best: number): number {
  if (!(best > 0)) return 1;
  return Math.min(1, Math.max(0.0001, Math.round((rank / best) * 10_000) / 10_000));
}
