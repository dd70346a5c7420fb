/**
 * Embedded-store upkeep (issue #11 item 5), in-process on PGlite (no server, no HTTP: the list
 * figures are the route's own two queries — listEvents + countEvents, as GET /api/v1/audit/logs
 * runs them — without the ~1–3 ms of HTTP around them).
 *
 * BENCH_UPKEEP_EVENTS (default 300 000) demo-shaped events are appended through appendEvents in
 * batches of 1000 by 4 concurrent writers (PGlite queues them: one session), into two fresh data
 * directories:
 * - "service": the service's own maintenance runs during ingest exactly as start-service starts it
 *   (lib/db/maintain-tables.ts, default interval and spacing);
 * - "none": nothing runs (what every PGlite store got before: PGlite has no autovacuum).
 * Each is measured right after ingest, as a user sees it (no manual VACUUM): list p50/p95 over the
 * foundation bench's filter mix, an exact count of the busiest actor, data directory and WAL size.
 * Then "none" gets one full maintenance pass (every due step, then CHECKPOINT) and is measured
 * again: the figures after maintenance, and how long that pass holds the database.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { appendEvents } from "../lib/audit/append-events.ts";
import { countEvents, F, listEvents } from "../lib/audit/query-events.ts";
import type { EventInput } from "../lib/audit/event-schema.ts";
import { runMaintenanceStep, startTableMaintenance, type MaintenanceStep } from "../lib/db/maintain-tables.ts";
import { openDatabase, type Database } from "../lib/db/open-database.ts";
import { withoutQueryBudget } from "../lib/db/query-budget.ts";
import { runMigrations } from "../lib/db/run-migrations.ts";
import { ListQuerySchema } from "../lib/dialects/complianceagent/logs.types.ts";
import { toFilter } from "../lib/dialects/complianceagent/logs.ts";
import { parseQuery } from "../lib/http/query-params.ts";
import { LIST_QUERIES, benchEvents, percentile, type BenchContext, type BenchRow } from "./bench-kit.mts";

const TOTAL = Number(process.env.BENCH_UPKEEP_EVENTS ?? 300_000);
const BATCH = 1000;
const WRITERS = 4;
const ROUNDS = Number(process.env.BENCH_UPKEEP_ROUNDS ?? 15); // per list query


function dirBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += dirBytes(p);
    else if (e.isFile()) n += fs.statSync(p).size;
  }
  return n;
}
const mb = (b: number) => b / 2 ** 20;

async function ingest(db: Database, orgId: string, events: EventInput[]): Promise<number> {
  const batches: EventInput[][] = [];
  for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < batches.length) {
        await appendEvents({ sql: db.sql, orgId, events: batches[next++]! });
        // Requests reach the server through the event loop: let timers (the maintenance loop) run
        // between batches, as they do between HTTP requests. (Back-to-back awaits on PGlite never
        // leave the microtask queue, so without this no timer would fire during the whole ingest.)
        await new Promise((r) => setImmediate(r));
      }
    }),
  );
  return events.length / ((performance.now() - t0) / 1000);
}

interface Figures {
  p50: number;
  p95: number;
  perQuery: Map<string, number[]>;
  countMs: number;
  count: number;
  dataMb: number;
  walMb: number;
}

async function measure(db: Database, dir: string, orgId: string, busiest: string): Promise<Figures> {
  const one = async (q: string) => {
    const query = parseQuery(new URL(`http://bench/?${q}`), ListQuerySchema);
    const filter = toFilter(query);
    const s = performance.now();
    await Promise.all([
      listEvents({ sql: db.sql, orgId, filter, limit: query.limit, offset: (query.page - 1) * query.limit }),
      countEvents({ sql: db.sql, orgId, filter }),
    ]);
    return performance.now() - s;
  };
  // The first request of each query is timed too: "right after ingest" is what a user meets first.
  const times: number[] = [];
  const perQuery = new Map<string, number[]>();
  for (let i = 0; i < ROUNDS * LIST_QUERIES.length; i++) {
    const q = LIST_QUERIES[i % LIST_QUERIES.length]!;
    const ms = await one(q);
    times.push(ms);
    perQuery.set(q, [...(perQuery.get(q) ?? []), ms]);
  }
  const countTimes: number[] = [];
  let count = 0;
  for (let i = 0; i < 3; i++) {
    const s = performance.now();
    count = await countEvents({ sql: db.sql, orgId, filter: { where: F.actor(busiest) } });
    countTimes.push(performance.now() - s);
  }
  return {
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    perQuery,
    countMs: percentile(countTimes, 50),
    count,
    dataMb: mb(dirBytes(dir)),
    walMb: mb(dirBytes(path.join(dir, "pg_wal"))),
  };
}

function rows(label: string, f: Figures, target: boolean): BenchRow[] {
  return [
    {
      metric: `${label}: list p95 at ${TOTAL} events`,
      value: f.p95,
      unit: "ms",
      ...(target && { target: "≤ 100 ms", pass: f.p95 <= 100 }),
    },
    { metric: `${label}: list p50`, value: f.p50, unit: "ms" },
    { metric: `${label}: exact count of the busiest actor (${f.count} events)`, value: f.countMs, unit: "ms" },
    { metric: `${label}: data directory`, value: f.dataMb, unit: "MB" },
    { metric: `${label}: of which WAL`, value: f.walMb, unit: "MB" },
  ];
}

const stepSummary = (steps: readonly MaintenanceStep[]) => ({
  n: steps.length,
  totalMs: steps.reduce((a, s) => a + s.ms, 0),
  maxMs: steps.reduce((a, s) => Math.max(a, s.ms), 0),
  max: [...steps].sort((a, b) => b.ms - a.ms)[0],
});

export default async function upkeep(ctx: BenchContext): Promise<BenchRow[]> {
  const events = benchEvents(TOTAL);
  const byActor = new Map<string, number>();
  for (const e of events) byActor.set(e.actor.id, (byActor.get(e.actor.id) ?? 0) + 1);
  const busiest = [...byActor].sort((a, b) => b[1] - a[1])[0]![0];
  const out: BenchRow[] = [];

  // BENCH_UPKEEP_VARIANTS=service or =none runs one of them (e.g. two processes side by side).
  const only = process.env.BENCH_UPKEEP_VARIANTS?.split(",");
  for (const variant of (["service", "none"] as const).filter((v) => !only || only.includes(v))) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `audit-bench-upkeep-${variant}-`));
    const db = await openDatabase({ dataDir: dir });
    try {
      await withoutQueryBudget(async () => {
        await runMigrations({ sql: db.sql });
        const orgId = "org_bench_upkeep";
        await db.sql.query(`INSERT INTO orgs (id, slug, name) VALUES ($1, 'upkeep', 'upkeep')`, [orgId]);
        const upkeep = variant === "service" ? startTableMaintenance({ sql: db.sql, log: ctx.log }) : undefined;
        ctx.log(`${variant}: ingesting ${TOTAL} events (${WRITERS} writers, ${BATCH}/batch)…`);
        const rate = await ingest(db, orgId, events);
        ctx.log(`${variant}: ingest ${Math.round(rate)} events/s`);
        out.push({ metric: `${variant === "service" ? "with the service's maintenance" : "without maintenance"}: ingest`, value: rate, unit: "events/s" });
        if (upkeep) {
          const s = stepSummary(upkeep.steps);
          ctx.log(`service: ${s.n} maintenance steps during ingest, ${Math.round(s.totalMs)} ms in all, longest ${Math.round(s.maxMs)} ms (${s.max?.action} ${s.max?.table ?? ""})`);
          ctx.log(`service: steps ${upkeep.steps.map((x) => `${x.action}:${x.table?.replace("public.", "") ?? ""}:${Math.round(x.ms)}`).join(" ")}`);
          out.push({ metric: "maintenance steps during ingest", value: s.n, unit: "steps" });
          out.push({ metric: "maintenance: database time during ingest", value: s.totalMs, unit: "ms" });
          out.push({ metric: `maintenance: longest step (${s.max?.action} ${s.max?.table ?? ""})`, value: s.maxMs, unit: "ms" });
        }
        // Right after ingest, as a user sees it: no manual VACUUM. The service keeps its loop running.
        const label = variant === "service" ? "right after ingest, with the service's maintenance" : "right after ingest, without maintenance";
        const now = await measure(db, dir, orgId, busiest);
        for (const [q, ms] of now.perQuery) ctx.log(`${variant}: list ${q}: p50 ${percentile(ms, 50).toFixed(1)} ms, p95 ${percentile(ms, 95).toFixed(1)} ms`);
        out.push(...rows(label, now, true));
        upkeep?.stop();

        if (variant === "none") {
          // One full pass of what the service does, then a checkpoint: "after maintenance".
          const steps: MaintenanceStep[] = [];
          for (let s = await runMaintenanceStep(db.sql); s; s = await runMaintenanceStep(db.sql)) steps.push(s);
          const c0 = performance.now();
          await db.sql.exec("CHECKPOINT");
          steps.push({ action: "checkpoint", ms: performance.now() - c0 });
          const s = stepSummary(steps);
          ctx.log(`none: catch-up pass ${steps.map((x) => `${x.action}:${x.table?.replace("public.", "") ?? ""}:${Math.round(x.ms)}`).join(" ")}`);
          out.push({ metric: "catch-up maintenance pass at the end (all steps)", value: s.totalMs, unit: "ms" });
          out.push({ metric: `catch-up pass: longest step (${s.max?.action} ${s.max?.table ?? ""})`, value: s.maxMs, unit: "ms" });
          const after = await measure(db, dir, orgId, busiest);
          for (const [q, ms] of after.perQuery) ctx.log(`after maintenance: list ${q}: p50 ${percentile(ms, 50).toFixed(1)} ms, p95 ${percentile(ms, 95).toFixed(1)} ms`);
          out.push(...rows("after one maintenance pass", after, false));
        }
      });
    } finally {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}
