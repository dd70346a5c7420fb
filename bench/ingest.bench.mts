/**
 * npm run bench ingest (issue 11 item 4): HTTP batch ingest beside the database's own speed, in one run
 * on one scratch PostgreSQL database.
 *
 * - HTTP ingest: BENCH_INGEST_EVENTS (default 100 000) demo-shaped events, 1000 per request, 4
 *   clients, one org, through the built app (POST /api/v1/audit/logs).
 * - Raw: the same rows copied into a bare copy of audit_events (CREATE TABLE … (LIKE audit_events
 *   INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES): same columns and indexes, no
 *   triggers), by INSERT … SELECT — 4 clients × 1000 rows per statement (the ingest's shape: the
 *   ratio's reference) and one statement for all rows. The copy stores the rows' search vectors as
 *   they are (the database's own speed at storing these rows), so computing them is ingest's cost.
 * - Ratio HTTP ÷ raw (target ≥ 0.5).
 * - Where the rest goes: 20 batches of 1000 appended in-process (appendEvents, one client) on another
 *   org, each statement timed; milliseconds per batch of the JS preparation, the vectors (no lock),
 *   each locked statement, the commit; beside one client's HTTP request time for the same batches.
 * - Search lag: batches with a unique word, searched right after the 201 (target: found within 1 s).
 * - Multi-org: 8 orgs, 8 clients (one org each), the same events.
 * The load average is printed with the figures: on a shared machine they move with it.
 */
import crypto from "node:crypto";
import os from "node:os";
import pg from "pg";
import { appendPreparedInTx, computeSearchVectors, prepareAppend } from "../lib/audit/append-events.ts";
import type { EventInput } from "../lib/audit/event-schema.ts";
import { openDatabase } from "../lib/db/open-database.ts";
import type { SqlExecutor, SqlParam, Row } from "../lib/db/sql.ts";
import { api, startAppServer } from "../tests/support/app-server.ts";
import { benchDatabase, benchEvents, postmasterPid, treeCpuSeconds, type BenchContext, type BenchRow } from "./bench-kit.mts";

const TOTAL = Number(process.env.BENCH_INGEST_EVENTS ?? 100_000);
const BATCH = 1000;
const ROOT = `root_${crypto.randomBytes(12).toString("hex")}`;
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(" / ");

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** `clients` workers taking batches in turn; events/s. */
async function runClients<T>(items: T[], clients: number, work: (item: T, client: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      while (next < items.length) await work(items[next++]!, c);
    }),
  );
  return (performance.now() - t0) / 1000;
}

/** Refusals and connection errors met (each retried after a pause, as a producer would). */
const refused: string[] = [];

async function post(base: string, token: string, events: EventInput[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let problem: string;
    try {
      const r = await fetch(`${base}/api/v1/audit/logs`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ events }),
      });
      const text = await r.text();
      if (r.status === 201) return;
      problem = `${r.status}: ${text.slice(0, 200)}`;
    } catch (e) {
      problem = `connection: ${(e as Error).message} ${String((e as { cause?: unknown }).cause ?? "")}`.slice(0, 200);
    }
    refused.push(problem);
    if (attempt >= 5) throw new Error(`ingest refused 5 times, last: ${problem}`);
    await new Promise((res) => setTimeout(res, 500 * attempt));
  }
}

export default async function ingest(ctx: BenchContext): Promise<BenchRow[]> {
  const scratch = await benchDatabase(ctx, "ingest");
  // Started as production starts it (`npm start`: scripts/start.mjs, its V8 and allocator settings).
  const server = await startAppServer({ DATABASE_URL: scratch.url, AUDIT_ROOT_TOKEN: ROOT, AUDIT_RATE_LIMIT: "0" }, { launcher: "npm-start" });
  const db = new pg.Client({ connectionString: scratch.url });
  await db.connect();
  const rows: BenchRow[] = [];
  try {
    const mint = async (slug: string) => {
      await api(server.base, "POST", "/api/v1/admin/orgs", ROOT, { slug });
      return (await api(server.base, "POST", "/api/v1/admin/tokens", ROOT, { org: slug, name: "bench", scopes: ["audit:read", "audit:write"] })).body!.token as string;
    };
    const token = await mint("bench");
    const events = benchEvents(TOTAL);
    const batches = chunks(events, BATCH);

    // 1. HTTP ingest, one org, 4 clients.
    ctx.log(`HTTP ingest: ${events.length} events, ${batches.length} batches of ${BATCH}, 4 clients, one org (load ${load()})…`);
    // CPU used meanwhile by the app server's processes and by the PostgreSQL server (all its
    // processes: backends, WAL writer, checkpointer), when it runs on this host.
    const pgPid = await postmasterPid((q) => db.query(q));
    const cpu = () => ({ server: treeCpuSeconds(server.proc.pid!), db: pgPid === null ? null : treeCpuSeconds(pgPid) });
    const cpu0 = cpu();
    const httpSecs = await runClients(batches, 4, (b) => post(server.base, token, b));
    const cpu1 = cpu();
    const httpRate = events.length / httpSecs;
    /** CPU milliseconds per 1000 rows between two readings, or null. */
    const per1000 = (a: number | null, b: number | null, n: number) => (a === null || b === null ? null : ((b - a) * 1000 * 1000) / n);
    const httpDbCpu = per1000(cpu0.db, cpu1.db, events.length);
    const httpServerCpu = per1000(cpu0.server, cpu1.server, events.length);
    ctx.log(`HTTP ingest: ${Math.round(httpRate)} events/s; CPU per 1000 events: app server ${httpServerCpu?.toFixed(0) ?? "n/a"} ms, PostgreSQL ${httpDbCpu?.toFixed(0) ?? "n/a"} ms (load ${load()})`);

    // 2. Raw INSERT … SELECT of the same rows into a bare copy (no triggers), same run.
    const [{ id: orgId }] = (await db.query<{ id: string }>(`SELECT id FROM orgs WHERE slug = 'bench'`)).rows as [{ id: string }];
    const cols = (await db.query<{ c: string }>(`SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'audit_events' ORDER BY ordinal_position`)).rows.map((r) => `"${r.c}"`);
    const bare = async () => {
      await db.query(`DROP TABLE IF EXISTS audit_events_bare`);
      await db.query(`CREATE TABLE audit_events_bare (LIKE audit_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`);
    };
    await bare();
    const [{ max }] = (await db.query<{ max: number }>(`SELECT max(seq)::int8 AS max FROM audit_events WHERE org_id = $1`, [orgId])).rows as [{ max: number }];
    const ranges = Array.from({ length: Math.ceil(Number(max) / BATCH) }, (_, i) => i * BATCH + 1);
    const pool = new pg.Pool({ connectionString: scratch.url, max: 4 });
    const rawCpu0 = cpu().db;
    const raw4Secs = await runClients(ranges, 4, async (from) => {
      await pool.query(`INSERT INTO audit_events_bare SELECT ${cols.join(", ")} FROM audit_events WHERE org_id = $1 AND seq BETWEEN $2 AND $3`, [orgId, from, from + BATCH - 1]);
    });
    const rawDbCpu = per1000(rawCpu0, cpu().db, Number(max));
    await pool.end();
    const raw4Rate = Number(max) / raw4Secs;
    await bare();
    const r0 = performance.now();
    const copied = await db.query(`INSERT INTO audit_events_bare SELECT ${cols.join(", ")} FROM audit_events WHERE org_id = $1`, [orgId]);
    const raw1Rate = (copied.rowCount ?? 0) / ((performance.now() - r0) / 1000);
    await db.query(`DROP TABLE audit_events_bare`);
    ctx.log(`raw INSERT … SELECT into a bare copy: ${Math.round(raw4Rate)} rows/s (4 clients × 1000; PostgreSQL CPU ${rawDbCpu?.toFixed(0) ?? "n/a"} ms per 1000 rows), ${Math.round(raw1Rate)} rows/s (one statement) (load ${load()})`);

    // 3. Search lag: a unique word per batch, searched right after the 201.
    const lags: number[] = [];
    for (let i = 0; i < 5; i++) {
      const word = `probe${crypto.randomBytes(5).toString("hex")}`;
      const b = benchEvents(BATCH).map((e, j) => ({ ...e, id: `lag-${i}-${j}`, details: { ...e.details, note: j === 500 ? word : "x" } }));
      await post(server.base, token, b);
      const s = performance.now();
      for (;;) {
        const r = await api(server.base, "GET", `/api/v1/audit/search?q=${word}`, token);
        const found = ((r.body?.data?.results as unknown[] | undefined) ?? []).length > 0;
        if (found || performance.now() - s > 5000) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      lags.push(performance.now() - s);
    }

    // 4. Where the time goes: in-process appends of 20 batches on another org, each statement timed.
    const breakdown = new Map<string, number>();
    const add = (k: string, ms: number) => breakdown.set(k, (breakdown.get(k) ?? 0) + ms);
    const label = (text: string) => {
      const t = text.replace(/\s+/g, " ").trim();
      if (t.includes("audit_search_vector(c)")) return "vectors left to SQL, and the JS check (before the lock)";
      if (/^INSERT INTO audit_chain_heads|FOR UPDATE|pg_advisory_xact_lock/.test(t)) return "append lock and chain-head lock";
      if (t.startsWith("SELECT id, request_digest")) return "known ids (duplicates)";
      if (t.startsWith("INSERT INTO audit_events ")) return "INSERT audit_events";
      if (t.includes("audit_analytics_add")) return "analytics side tables";
      if (t.startsWith("UPDATE audit_chain_heads")) return "chain head update";
      if (t.includes("audit_column_attestations") || t.includes("record_send")) return "column attestation";
      return "checkpoint (Merkle nodes, signature)";
    };
    await api(server.base, "POST", "/api/v1/admin/orgs", ROOT, { slug: "bench-breakdown" });
    const [{ id: bdOrg }] = (await db.query<{ id: string }>(`SELECT id FROM orgs WHERE slug = 'bench-breakdown'`)).rows as [{ id: string }];
    const local = await openDatabase({ url: scratch.url, poolSize: 2 });
    const sample = chunks(benchEvents(20 * BATCH).map((e) => ({ ...e, id: `bd-${e.id}` })), BATCH);
    const timed = (tx: SqlExecutor): SqlExecutor => ({
      query: async <T extends Row>(text: string, params?: readonly SqlParam[]) => {
        const s = performance.now();
        try {
          return await tx.query<T>(text, params);
        } finally {
          add(label(text), performance.now() - s);
        }
      },
    });
    const sum = () => [...breakdown.values()].reduce((a, v) => a + v, 0);
    let inProcess = 0;
    for (const b of sample) {
      const t0 = performance.now();
      const before = sum();
      const prepared = prepareAppend({ events: b });
      add("JS: canonical JSON, digests, columns, search vectors (before the lock)", performance.now() - t0);
      await local.sql.transaction(async (tx) => {
        await computeSearchVectors(timed(tx), prepared);
        const tl = performance.now();
        const sqlBefore = sum();
        await appendPreparedInTx({ tx: timed(tx), orgId: bdOrg, batches: [prepared] });
        add("JS under the lock (seq, chain hashes, Merkle, signing)", performance.now() - tl - (sum() - sqlBefore));
      });
      const all = performance.now() - t0;
      add("BEGIN + COMMIT", all - (sum() - before));
      inProcess += all;
    }
    await local.close();
    // HTTP, one client, the same shape of batches (fresh ids): per request.
    const httpOne = chunks(benchEvents(10 * BATCH).map((e) => ({ ...e, id: `one-${e.id}` })), BATCH);
    const oneSecs = await runClients(httpOne, 1, (b) => post(server.base, token, b));
    const perBatch = (ms: number) => ms / sample.length;
    ctx.log(`per batch of ${BATCH} (in-process, one client; total ${perBatch(inProcess).toFixed(1)} ms; one HTTP client: ${((oneSecs * 1000) / httpOne.length).toFixed(1)} ms per request):`);
    for (const [k, v] of [...breakdown].sort((a, b) => b[1] - a[1])) ctx.log(`  ${perBatch(v).toFixed(1).padStart(7)} ms  ${k}`);

    // 5. Multi-org: 8 orgs, 8 clients, one org each.
    const tokens = await Promise.all(Array.from({ length: 8 }, (_, i) => mint(`multi-${i}`)));
    const multiBatches = chunks(events, BATCH);
    const perOrg = Array.from({ length: 8 }, (_, i) => multiBatches.filter((_, j) => j % 8 === i));
    const m0 = performance.now();
    await Promise.all(perOrg.map(async (list, i) => {
      for (const b of list) await post(server.base, tokens[i]!, b);
    }));
    const multiRate = events.length / ((performance.now() - m0) / 1000);
    ctx.log(`multi-org: ${Math.round(multiRate)} events/s (8 orgs, 8 clients) (load ${load()})`);

    const ratio = httpRate / raw4Rate;
    rows.push(
      { metric: `HTTP batch ingest (${BATCH}/batch, 4 clients, one org, ${events.length} events)`, value: httpRate, unit: "events/s" },
      { metric: "raw INSERT … SELECT, bare copy (4 clients × 1000 rows)", value: raw4Rate, unit: "rows/s" },
      { metric: "raw INSERT … SELECT, bare copy (one statement)", value: raw1Rate, unit: "rows/s" },
      { metric: "ingest ÷ raw (4 clients × 1000)", value: ratio, unit: "×", target: "≥ 0.5", pass: ratio >= 0.5 },
      { metric: "ingest ÷ raw (one statement)", value: httpRate / raw1Rate, unit: "×" },
      { metric: "multi-org HTTP ingest (8 orgs, 8 clients)", value: multiRate, unit: "events/s" },
      // Where the CPU goes (this machine's cores are shared by the app server, PostgreSQL and the
      // bench): the ceiling is cores ÷ (app + database CPU per event), whatever the lock does.
      ...(httpServerCpu !== null ? [{ metric: "CPU per 1000 events, app server (HTTP ingest)", value: httpServerCpu, unit: "ms" }] : []),
      ...(httpDbCpu !== null ? [{ metric: "CPU per 1000 events, PostgreSQL (HTTP ingest)", value: httpDbCpu, unit: "ms" }] : []),
      ...(rawDbCpu !== null ? [{ metric: "CPU per 1000 rows, PostgreSQL (raw, 4 clients)", value: rawDbCpu, unit: "ms" }] : []),
      ...(httpServerCpu !== null && httpDbCpu !== null
        ? [{ metric: `ceiling on ${os.cpus().length} cores at that CPU per event (cores ÷ (app + database))`, value: (os.cpus().length * 1000 * 1000) / (httpServerCpu + httpDbCpu), unit: "events/s" }]
        : []),
      { metric: `ingest requests refused or cut and retried${refused.length ? ` (first: ${refused[0]})` : ""}`, value: refused.length, unit: "" },
      { metric: "search lag after the 201 (max of 5)", value: Math.max(...lags), unit: "ms", target: "≤ 1000 ms", pass: Math.max(...lags) <= 1000 },
      ...[...breakdown].sort((a, b) => b[1] - a[1]).map(([k, v]) => ({ metric: `per batch: ${k}`, value: perBatch(v), unit: "ms" })),
      { metric: "per batch: one HTTP client, whole request", value: (oneSecs * 1000) / httpOne.length, unit: "ms" },
      { metric: `load average (1/5/15 min) at the end: ${load()}`, value: os.loadavg()[0]!, unit: "" },
    );
    return rows;
  } finally {
    await db.end();
    await server.stop();
    await scratch.drop();
  }
}
