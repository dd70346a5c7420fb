/**
 * Explorer figures on PostgreSQL at BENCH_EXPLORER_EVENTS events (default 50 000, demo-like): the
 * queries behind the first screen of /logs (first page + exact total, histogram, facets) and a deep
 * keyset page, called through the domain functions the explorer's routes call. The browser-side
 * figures (first rows ≤ 1.5 s, ≤ ~100 DOM rows over 10 000) are measured by e2e/explorer.spec.ts and
 * e2e/virtualization.spec.ts.
 */
import { appendEvents } from "../lib/audit/append-events.ts";
import { bucketEvents } from "../lib/audit/bucket-events.ts";
import { explorerFilter } from "../lib/audit/explorer-filter.ts";
import { facetEvents } from "../lib/audit/facet-events.ts";
import { countEvents, listEvents, type EventFilter } from "../lib/audit/query-events.ts";
import { openDatabase } from "../lib/db/open-database.ts";
import { runMigrations } from "../lib/db/run-migrations.ts";
import { benchEvents, benchDatabase, percentile, type BenchContext, type BenchRow } from "./bench-kit.mts";

const TOTAL = Number(process.env.BENCH_EXPLORER_EVENTS ?? 50_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const END = new Date(Date.UTC(2026, 0, 1));
const DAY = 86_400_000;

export default async function explorer(ctx: BenchContext): Promise<BenchRow[]> {
  const scratch = await benchDatabase(ctx, "explorer");
  const url = scratch.url;
  const db = await openDatabase({ url: url, poolSize: 4 });
  try {
    await runMigrations({ sql: db.sql, advisoryLock: true });
    const org = await db.prisma.org.create({ data: { id: "org_bench", slug: "bench", name: "bench" } });
    const events = benchEvents(TOTAL);
    events.sort((a, b) => Date.parse(a.timestamp!) - Date.parse(b.timestamp!));
    ctx.log(`loading ${events.length} events…`);
    for (let i = 0; i < events.length; i += 1000) await appendEvents({ sql: db.sql, orgId: org.id, events: events.slice(i, i + 1000) });
    await db.sql.query(`VACUUM ANALYZE audit_events`);

    const time = async (fn: () => Promise<unknown>) => {
      await fn();
      const ms: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await fn();
        ms.push(performance.now() - t);
      }
      return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
    };
    const from = new Date(END.getTime() - 30 * DAY).toISOString();
    const last30: EventFilter = explorerFilter({ from });
    const query: EventFilter = explorerFilter({ q: 'action:issue.* -action:issue.created repo:acme/web-app "PII"' });
    const firstScreen = (f: EventFilter) => () =>
      Promise.all([listEvents({ sql: db.sql, orgId: org.id, filter: f, limit: 101 }), countEvents({ sql: db.sql, orgId: org.id, filter: f }), bucketEvents({ sql: db.sql, orgId: org.id, filter: f })]);
    const page = await listEvents({ sql: db.sql, orgId: org.id, filter: {}, limit: 1, offset: 5000 });
    const cursor = { timestamp: new Date(page[0]!.timestamp), seq: page[0]!.seq };

    const rows: BenchRow[] = [];
    const add = (metric: string, r: { p50: number; p95: number }, target: number) => {
      rows.push({ metric: `${metric} p50`, value: r.p50, unit: "ms" });
      rows.push({ metric: `${metric} p95`, value: r.p95, unit: "ms", target: `≤ ${target} ms`, pass: r.p95 <= target });
    };
    add(`first screen, last 30 d (page + total + histogram), ${TOTAL} events`, await time(firstScreen(last30)), 300);
    add("first screen, all time", await time(firstScreen({})), 500);
    add("first screen, query box (prefix, exclusion, repo, free text)", await time(firstScreen(query)), 500);
    add("keyset page of 100 after 5 000 rows", await time(() => listEvents({ sql: db.sql, orgId: org.id, filter: {}, limit: 101, after: cursor })), 50);
    add("facets, last 30 d", await time(() => facetEvents({ sql: db.sql, orgId: org.id, filter: last30 })), 300);
    return rows;
  } finally {
    await db.close();
    await scratch.drop();
  }
}
