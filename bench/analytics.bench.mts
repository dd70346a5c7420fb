/**
 * Analytics figures on PostgreSQL at 300 000 events (BENCH_EVENTS): history (score / issues /
 * fixes) and statistics p95, called through the domain functions the routes call. Events are the
 * demo generator's (six years of scans, issues, fixes, sign-ins), loaded with appendEvents in
 * batches of 1000 straight into a scratch database — so ingest also pays for the rollup trigger.
 */
import { appendEvents } from "../lib/audit/append-events.ts";
import { getHistory, type GetHistoryOptions } from "../lib/analytics/get-history.ts";
import { getStatistics } from "../lib/analytics/get-statistics.ts";
import { openDatabase } from "../lib/db/open-database.ts";
import { runMigrations } from "../lib/db/run-migrations.ts";
import { benchEvents, benchDatabase, percentile, type BenchContext, type BenchRow } from "./bench-kit.mts";

const TOTAL = Number(process.env.BENCH_EVENTS ?? 300_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const END = new Date(Date.UTC(2026, 0, 1));
const DAY = 86_400_000;

export default async function analytics(ctx: BenchContext): Promise<BenchRow[]> {
  const scratch = await benchDatabase(ctx, "analytics");
  const url = scratch.url;
  const db = await openDatabase({ url: url, poolSize: 4 });
  try {
    await runMigrations({ sql: db.sql, advisoryLock: true });
    const org = await db.prisma.org.create({ data: { id: "org_bench", slug: "bench", name: "bench" } });

    const events = benchEvents(TOTAL);
    // Oldest first, as a real log grows.
    events.sort((a, b) => Date.parse(a.timestamp!) - Date.parse(b.timestamp!));
    ctx.log(`loading ${events.length} events with appendEvents in batches of 1000…`);
    const t0 = performance.now();
    for (let i = 0; i < events.length; i += 1000) {
      await appendEvents({ sql: db.sql, orgId: org.id, events: events.slice(i, i + 1000) });
    }
    const loadSecs = (performance.now() - t0) / 1000;
    await db.sql.query(`VACUUM ANALYZE audit_events`);
    await db.sql.query(`VACUUM ANALYZE audit_daily_rollups`);
    const rollupRows = (await db.sql.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM audit_daily_rollups`))[0]!.n;
    ctx.log(`loaded in ${loadSecs.toFixed(1)} s; ${rollupRows} rollup rows`);

    const time = async (fn: () => Promise<unknown>) => {
      await fn(); // warm
      const ms: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const s = performance.now();
        await fn();
        ms.push(performance.now() - s);
      }
      return percentile(ms, 95);
    };
    const base = { sql: db.sql, orgId: org.id, now: END, to: END };
    const h = (o: Partial<GetHistoryOptions>) => () => getHistory({ ...base, metric: "score", interval: "week", ...o });
    const historyCases: [string, () => Promise<unknown>][] = [
      ["history score/week (12 weeks, all repos)", h({})],
      ["history score/week framework=soc2 repo=repo_web", h({ framework: "soc2", repositoryId: "repo_web" })],
      ["history score/month (6 years)", h({ interval: "month", from: new Date(END.getTime() - 6 * 365 * DAY) })],
      ["history issues/week (12 weeks)", h({ metric: "issues" })],
      ["history issues/month (6 years)", h({ metric: "issues", interval: "month", from: new Date(END.getTime() - 6 * 365 * DAY) })],
      ["history fixes/day (30 days)", h({ metric: "fixes", interval: "day" })],
      ["history fixes/month (6 years)", h({ metric: "fixes", interval: "month", from: new Date(END.getTime() - 6 * 365 * DAY) })],
    ];
    const statsCases: [string, () => Promise<unknown>][] = [
      ["statistics (all time)", () => getStatistics({ sql: db.sql, orgId: org.id })],
      ["statistics (last 90 days, partial-day edges)", () => getStatistics({ sql: db.sql, orgId: org.id, from: new Date(END.getTime() - 90 * DAY + 3_600_000 * 7), to: new Date(END.getTime() - 3_600_000 * 5) })],
      ["statistics (one day, from events)", () => getStatistics({ sql: db.sql, orgId: org.id, from: new Date(END.getTime() - DAY + 60_000), to: new Date(END.getTime() - 60_000) })],
    ];
    const rows: BenchRow[] = [{ metric: `load ${events.length} events (appendEvents ×1000, with rollup trigger)`, value: Math.round(events.length / loadSecs), unit: "events/s" }];
    let worstHistory = 0;
    for (const [label, fn] of historyCases) {
      const p95 = await time(fn);
      worstHistory = Math.max(worstHistory, p95);
      rows.push({ metric: `${label} p95`, value: Math.round(p95 * 10) / 10, unit: "ms", target: "≤ 200 ms", pass: p95 <= 200 });
    }
    let worstStats = 0;
    for (const [label, fn] of statsCases) {
      const p95 = await time(fn);
      worstStats = Math.max(worstStats, p95);
      rows.push({ metric: `${label} p95`, value: Math.round(p95 * 10) / 10, unit: "ms", target: "≤ 200 ms", pass: p95 <= 200 });
    }
    rows.push({ metric: `history p95 (worst case above, ${TOTAL} events)`, value: Math.round(worstHistory * 10) / 10, unit: "ms", target: "≤ 200 ms", pass: worstHistory <= 200 });
    rows.push({ metric: `statistics p95 (worst case above, ${TOTAL} events)`, value: Math.round(worstStats * 10) / 10, unit: "ms", target: "≤ 200 ms", pass: worstStats <= 200 });
    return rows;
  } finally {
    await db.close();
    await scratch.drop();
  }
}
