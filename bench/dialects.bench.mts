/**
 * Dialect figures on PostgreSQL at 300 000 events: AMP deep offset pages (what GET /v1/audit_logs
 * runs: page + exact total + mapping) and full-text search (GET /api/v1/audit/search: match, rank,
 * total, headlines) p50/p95. Events are loaded with appendEvents in batches of 1000 (the ingest
 * path, including the search-vector trigger) into a scratch database, then measured in-process
 * through the same lib functions the routes call.
 */
import { toAmpFilter, toAmpList, AmpListQuery } from "../lib/dialects/amp/audit-logs.ts";
import { appendEvents } from "../lib/audit/append-events.ts";
import { countEvents, listEvents } from "../lib/audit/query-events.ts";
import { openDatabase } from "../lib/db/open-database.ts";
import { runMigrations } from "../lib/db/run-migrations.ts";
import { parseSearchQuery } from "../lib/search/parse-search-query.ts";
import { searchEvents } from "../lib/search/search-events.ts";
import { SearchQuery } from "../lib/search/search-schemas.ts";
import { benchEvents, benchDatabase, percentile, type BenchContext, type BenchRow } from "./bench-kit.mts";

const TOTAL = Number(process.env.BENCH_EVENTS ?? 300_000);

export default async function dialects(ctx: BenchContext): Promise<BenchRow[]> {
  const scratch = await benchDatabase(ctx, "dialects");
  const url = scratch.url;
  const db = await openDatabase({ url: url, poolSize: 4 });
  try {
    await runMigrations({ sql: db.sql, advisoryLock: true });
    const orgId = "org_bench";
    await db.prisma.org.create({ data: { id: orgId, slug: "bench", name: "Bench" } });

    const events = benchEvents(TOTAL);
    ctx.log(`appending ${events.length} events in batches of 1000…`);
    const t0 = performance.now();
    for (let i = 0; i < events.length; i += 1000) {
      await appendEvents({ sql: db.sql, orgId, events: events.slice(i, i + 1000) });
    }
    const loadSecs = (performance.now() - t0) / 1000;
    await db.sql.query(`VACUUM ANALYZE audit_events`);

    const time = async (fn: () => Promise<unknown>) => {
      const s = performance.now();
      await fn();
      return performance.now() - s;
    };

    // AMP: deep offset pages, as the route runs them (page and exact total in parallel, then mapping).
    const ampPage = async (qs: string) => {
      const u = new URL(`http://bench/v1/audit_logs?${qs}`);
      const q = AmpListQuery.parse(Object.fromEntries(u.searchParams));
      const filter = toAmpFilter(q);
      const [rows, total] = await Promise.all([
        listEvents({ sql: db.sql, orgId, filter, limit: q.limit, offset: q.offset }),
        countEvents({ sql: db.sql, orgId, filter }),
      ]);
      return JSON.stringify(toAmpList({ url: u, q, rows, total }));
    };
    const deep = [0.25, 0.5, 0.75, 0.99].map((f) => Math.floor((events.length * f) / 500) * 500);
    const ampQueries = [
      ...deep.map((o) => `offset=${o}`),
      ...deep.map((o) => `limit=100&offset=${Math.floor(o / 4)}&start_time=2015-10-01T00%3A00%3A00%2B00%3A00`),
      "event=login&offset=5000",
      "audit_log_type=repository&limit=500&offset=10000",
    ];
    for (const qs of ampQueries) await ampPage(qs); // warm-up
    const ampTimes: number[] = [];
    const deepTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      for (const qs of ampQueries) {
        const t = await time(() => ampPage(qs));
        ampTimes.push(t);
        if (qs.startsWith("offset=")) deepTimes.push(t);
      }
    }

    // Search: words, emails, ids, dotted actions, phrases, exclusions, OR; restricted fields and ranges.
    const sample = await db.sql.query<{ id: string; resource_id: string }>(`SELECT id, resource_id FROM audit_events ORDER BY random() LIMIT 20`);
    const searchQueries = [
      "q=alice@acme.com",
      "q=acme.com&fields=actor",
      "q=policy.update",
      "q=scan.completed+-alice",
      "q=%22Alice+Developer%22",
      "q=critical",
      "q=vulnerability+OR+secret",
      "q=bob&fields=actor&from=2025-01-01&to=2025-06-30",
      "q=api&fields=details",
      "q=repo_web&limit=50&page=3",
      ...sample.slice(0, 10).map((r) => `q=${encodeURIComponent(r.id)}`),
      ...sample.slice(10).map((r) => `q=${encodeURIComponent(r.resource_id)}`),
    ];
    const runSearch = async (qs: string) => {
      const q = SearchQuery.parse(Object.fromEntries(new URLSearchParams(qs)));
      const filter = { textSearch: parseSearchQuery(q.q, q.fields), ...(q.from && { from: new Date(q.from) }), ...(q.to && { to: new Date(q.to) }) };
      const r = await searchEvents({ sql: db.sql, orgId, filter, fields: q.fields, limit: q.limit, offset: (q.page - 1) * q.limit });
      return r.total;
    };
    const totals: Record<string, number> = {};
    for (const qs of searchQueries) totals[qs] = await runSearch(qs); // warm-up
    ctx.log(`search totals: ${Object.entries(totals).slice(0, 10).map(([k, v]) => `${k}→${v}`).join(", ")}`);
    const searchTimes: number[] = [];
    const perQuery: Record<string, number[]> = {};
    for (let i = 0; i < 5; i++) {
      for (const qs of searchQueries) {
        const t = await time(() => runSearch(qs));
        searchTimes.push(t);
        (perQuery[qs] ??= []).push(t);
      }
    }
    const worst = Object.entries(perQuery).map(([k, v]) => [k, percentile(v, 50)] as const).sort((a, b) => b[1] - a[1])[0]!;
    ctx.log(`slowest search (p50): ${worst[0]} ${worst[1].toFixed(1)} ms (${totals[worst[0]]} matches)`);

    return [
      { metric: `load via appendEvents (with search vector) ${events.length}`, value: events.length / loadSecs, unit: "events/s" },
      { metric: `AMP deep offset page p50 (500 rows, offset up to ${deep.at(-1)})`, value: percentile(deepTimes, 50), unit: "ms" },
      { metric: `AMP deep offset page p95 (500 rows, offset up to ${deep.at(-1)})`, value: percentile(deepTimes, 95), unit: "ms", target: "≤ 100 ms", pass: percentile(deepTimes, 95) <= 100 },
      { metric: "AMP pages p95 (deep, filtered, time-bounded mix)", value: percentile(ampTimes, 95), unit: "ms", target: "≤ 100 ms", pass: percentile(ampTimes, 95) <= 100 },
      { metric: `search p50 at ${events.length} events`, value: percentile(searchTimes, 50), unit: "ms" },
      { metric: `search p95 at ${events.length} events`, value: percentile(searchTimes, 95), unit: "ms", target: "≤ 200 ms", pass: percentile(searchTimes, 95) <= 200 },
    ];
  } finally {
    await db.close();
    await scratch.drop();
  }
}
