import { countTotal } from "../audit/count-events";
import { buildWhere, type EventFilter } from "../audit/query-events";
import type { CanonicalEvent } from "../audit/event-schema";
import type { SqlExecutor } from "../db/sql";
import type { SearchFields } from "./parse-search-query";

export interface SearchHit {
  event: CanonicalEvent;
  /** HTML-escaped text in which only <em>…</em> marks the hits. */
  highlight: string;
  /** Relevance in (0, 1]: ts_rank divided by the best rank among the ranked (newest RANK_WINDOW) matches. */
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
 * How many matches are ranked: the newest RANK_WINDOW. Ranking every match of a word found in
 * most entries would read most of the table; the newest matches are what an investigator looks
 * at. Pages past the window continue with the older matches, newest first, so paging never
 * repeats or skips an entry. `total` always counts every match.
 */
export const RANK_WINDOW = 1000;

/**
 * `total` is exact up to this many matches; beyond, it is this number and the answer says so
 * (`totalExact: false`, header `X-Total-Relation: gte`), as search engines do. Counting every
 * match of a word found in most entries would visit most of the table. As many as the ranked
 * window (issue 11, `npm run bench scale`): up to 10 000 the count of a word in 10 % of the entries
 * read every match (a bitmap scan + sort: 0.9–1.2 s at 400 000 entries in the org, growing with
 * it), where walking the newest 1 001 in index order costs what the ranked page costs.
 */
export const EXACT_TOTAL_LIMIT = RANK_WINDOW;

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
  exactTotalLimit?: number;
}): Promise<{ hits: SearchHit[]; total: number; totalExact: boolean }> {
  const { where, params, tsquery } = buildWhere(opts.orgId, opts.filter);
  if (!tsquery) throw new Error("searchEvents needs filter.textSearch");
  const end = Math.max(RANK_WINDOW, opts.offset + opts.limit);
  params.push(end, RANK_WINDOW, opts.limit, opts.offset, PART[opts.fields], opts.filter.textSearch.original ?? opts.filter.textSearch.query);
  const [pEnd, pWindow, pLimit, pOffset, pPart, pOriginal] = [params.length - 5, params.length - 4, params.length - 3, params.length - 2, params.length - 1, params.length];
  // Highlights mark whole tokens as typed (alice@example.com) as well as the split words.
  const headlineQuery = `(websearch_to_tsquery('simple', $${pOriginal}::text) || ${tsquery})`;
  // The page and the total run side by side (two connections on PostgreSQL); the total is the
  // bounded one of lib/audit/count-events.ts.
  const cap = opts.exactTotalLimit ?? EXACT_TOTAL_LIMIT;
  const [rows, counted] = await Promise.all([
    opts.sql.query<{ content: string; rank: number; best: number; headline: string }>(
      `WITH c AS (
         SELECT e.seq, e.timestamp, e.search_vector, row_number() OVER (ORDER BY e.timestamp DESC, e.seq DESC) AS pos
         FROM audit_events e WHERE ${where}
         ORDER BY e.timestamp DESC, e.seq DESC LIMIT $${pEnd}
       ), m AS (
         SELECT c.seq, c.timestamp, ts_rank(c.search_vector, ${tsquery}) AS rank, c.pos > $${pWindow} AS late FROM c
       ), page AS (
         SELECT seq, timestamp, rank, late, max(rank) FILTER (WHERE NOT late) OVER () AS best
         FROM m ORDER BY late, (CASE WHEN late THEN 0 ELSE rank END) DESC, timestamp DESC, seq DESC
         LIMIT $${pLimit} OFFSET $${pOffset}
       )
       SELECT e.content, p.rank::float8 AS rank, p.best::float8 AS best,
         ts_headline('simple', ${escapeHtmlSql(`audit_search_text(e.content, $${pPart}::text)`)}, ${headlineQuery}, '${HEADLINE_OPTIONS}') AS headline
       FROM page p JOIN audit_events e ON e.org_id = $1 AND e.seq = p.seq
       ORDER BY p.late, (CASE WHEN p.late THEN 0 ELSE p.rank END) DESC, p.timestamp DESC, p.seq DESC`,
      params,
    ),
    countTotal({ sql: opts.sql, orgId: opts.orgId, filter: opts.filter, policy: "bounded", cap }),
  ]);
  return {
    total: counted.count,
    totalExact: counted.exact,
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
