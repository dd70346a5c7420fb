/**
 * `npm run bench load` — the service under load on PostgreSQL (issue 10): autocannon for a fixed time
 * at a fixed concurrency against list, get, search and 100-event ingest, each on its own; prints
 * throughput, p50/p99 latency, non-2xx answers and errors, and the server's RSS before and after.
 * Targets: 0 non-2xx, p99 list ≤ 250 ms at 50 connections, RSS growth ≤ 100 MB over the run.
 *
 * Data: BENCH_LOAD_EVENTS (default 100 000) synthetic events in the read org, loaded with one
 * INSERT … SELECT through the real triggers (tests/support/bulk-events.ts); ingest writes into a
 * second org (fresh ids per request). Rate limiting is off (AUDIT_RATE_LIMIT=0).
 * Every scenario runs twice: right after the load, as a user meets it (no VACUUM: this machine's
 * PostgreSQL runs with autovacuum off), then after a VACUUM ANALYZE run by hand — both printed.
 * BENCH_LOAD_SECONDS (default 15) per scenario, BENCH_LOAD_CONNECTIONS (default 50), each after a
 * warm-up of BENCH_LOAD_WARMUP_SECONDS (default 3; 0 = none) at the same concurrency that is not counted.
 * The server is started as `npm start` starts it (scripts/start.mjs → scripts/serve.mjs);
 * BENCH_LOAD_LAUNCHER=next-start measures bare `next start`.
 * Memory: the server's RSS (process tree) before/after/peak, and its own process.memoryUsage()
 * (V8 heap used/total, external) sampled every second by bench/memory-sampler.cjs, per scenario.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { loadBulkEvents } from "../tests/support/bulk-events.ts";
import { appendEvents } from "../lib/audit/append-events.ts";
import { countTotal, forgetRememberedTotals } from "../lib/audit/count-events.ts";
import { countEvents } from "../lib/audit/query-events.ts";
import { queueAppends } from "../lib/audit/queue-appends.ts";
import { openDatabase } from "../lib/db/open-database.ts";
import { withQueryBudget } from "../lib/db/query-budget.ts";
import { api, benchDatabase, startAppServer, type BenchContext, type BenchRow } from "./bench-kit.mts";

const EVENTS = Number(process.env.BENCH_LOAD_EVENTS ?? 100_000);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 50);
const WARMUP_SECONDS = Number(process.env.BENCH_LOAD_WARMUP_SECONDS ?? 3);
const LAUNCHER = process.env.BENCH_LOAD_LAUNCHER === "next-start" ? "next-start" : "npm-start";
const ROOT = `root_${crypto.randomBytes(12).toString("hex")}`;

/** RSS of a process and its descendants (Linux /proc), in MB. */
function treeRssMb(pid: number): number {
  const children = new Map<number, number[]>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      /* gone */
    }
  }
  let kb = 0;
  const visit = (p: number) => {
    try {
      const m = fs.readFileSync(`/proc/${p}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
      kb += Number(m?.[1] ?? 0);
    } catch {
      /* gone */
    }
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return kb / 1024;
}

/** CPU seconds (user + system) of a process and its descendants so far (clock ticks of 1/100 s). */
function treeCpuSecs(pid: number): number {
  let ticks = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]);
      for (const t of fs.readdirSync(`/proc/${p}/task`)) {
        const kids = fs.readFileSync(`/proc/${p}/task/${t}/children`, "utf8").trim();
        if (kids) stack.push(...kids.split(/\s+/).map(Number));
      }
    } catch {
      /* gone */
    }
  }
  return ticks / 100;
}

/** CPU seconds so far of every PostgreSQL backend of this database (other than `client`'s own), by pid. */
async function backendCpu(client: pg.Client): Promise<Map<number, number>> {
  const pids = (await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows;
  return new Map(pids.map((r) => [r.pid, treeCpuSecs(r.pid)]));
}

function cpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let s = 0;
  for (const [pid, secs] of after) s += secs - (before.get(pid) ?? 0);
  return s;
}

interface Scenario {
  name: string;
  path: string;
  method?: "GET" | "POST";
  /** Builds each request's body (fresh ids per ingest request). */
  body?: () => string;
}

interface MemorySample {
  pid: number;
  t: number;
  gc?: boolean;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
}

/** The server's own latest memory sample (the process that samples the most memory: next start's server). */
function lastMemory(file: string, onlyAfterGc = false): MemorySample | undefined {
  let lines: string[];
  try {
    lines = fs.readFileSync(file, "utf8").trim().split("\n");
  } catch {
    return undefined;
  }
  const latest = new Map<number, MemorySample>();
  for (const l of lines) {
    try {
      const m = JSON.parse(l) as MemorySample;
      if (!onlyAfterGc || m.gc) latest.set(m.pid, m);
    } catch {
      /* a line being written */
    }
  }
  return [...latest.values()].sort((a, b) => b.rss - a.rss)[0];
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

export default async function load(ctx: BenchContext): Promise<BenchRow[]> {
  const scratch = await benchDatabase(ctx, "load");
  const memoryFile = path.join(os.tmpdir(), `bench-load-memory-${process.pid}.jsonl`);
  fs.rmSync(memoryFile, { force: true });
  const sampler = path.join(path.dirname(new URL(import.meta.url).pathname), "memory-sampler.cjs");
  const server = await startAppServer(
    {
    DATABASE_URL: scratch.url,
    AUDIT_ROOT_TOKEN: ROOT,
    AUDIT_RATE_LIMIT: "0",
    BENCH_MEMORY_FILE: memoryFile,
    // BENCH_LOAD_NODE_OPTIONS: extra options for the server only (e.g. --max-old-space-size=192 to see what a heap cap costs).
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} ${process.env.BENCH_LOAD_NODE_OPTIONS ?? ""} --require ${sampler}`.trim(),
    },
    // As production runs it: `npm start` (scripts/start.mjs → scripts/serve.mjs, with the launcher's
    // V8 heap settings); BENCH_LOAD_LAUNCHER=next-start measures bare `next start` instead.
    { launcher: LAUNCHER },
  );
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  const rows: BenchRow[] = [];
  try {
    for (const slug of ["load-read", "load-write"]) expect201(await api(server.base, "POST", "/api/v1/admin/orgs", ROOT, { slug }));
    const mint = async (org: string) =>
      (await api(server.base, "POST", "/api/v1/admin/tokens", ROOT, { org, name: "load", scopes: ["audit:read", "audit:write"] })).body!.token as string;
    const readToken = await mint("load-read");
    const writeToken = await mint("load-write");
    const orgId = (await client.query<{ id: string }>(`SELECT id FROM orgs WHERE slug = 'load-read'`)).rows[0]!.id;
    ctx.log(`loading ${EVENTS} events (INSERT … SELECT through the triggers)…`);
    const t0 = performance.now();
    await client.query("SET statement_timeout = 0");
    await loadBulkEvents({ sql: { query: async (text, params) => (await client.query(text, params as unknown[])).rows }, orgId, count: EVENTS, startSeq: 1_000_000 });
    ctx.log(`loaded in ${Math.round(performance.now() - t0)} ms (no VACUUM yet)`);

    let batch = 0;
    const scenarios: (Scenario & { token: string })[] = [
      { name: "list", path: "/api/v1/audit/logs?limit=50", token: readToken },
      { name: "get", path: `/api/v1/audit/logs/bulk-${1_000_000 + Math.floor(EVENTS / 2)}`, token: readToken },
      { name: "search", path: "/api/v1/audit/search?q=denied&limit=20", token: readToken },
      {
        name: "ingest 100",
        path: "/api/v1/audit/logs",
        method: "POST",
        token: writeToken,
        body: () => {
          const b = batch++;
          return JSON.stringify({
            events: Array.from({ length: 100 }, (_, i) => ({
              id: `load-${b}-${i}`,
              action: i % 2 ? "policy.update" : "user.login",
              actor: { id: `user-${i % 7}`, type: "user", email: `user${i % 7}@example.com` },
              resource: { type: "policy", id: `p-${i % 13}`, name: `Policy ${i % 13}` },
              details: { note: "load bench", batch: b },
            })),
          });
        },
      },
    ];
    // BENCH_LOAD_ONLY=list,get: only these scenarios (profiling one route); the default runs all four.
    const only = (process.env.BENCH_LOAD_ONLY ?? "").split(",").map((x) => x.trim()).filter(Boolean);
    if (only.length > 0) scenarios.splice(0, scenarios.length, ...scenarios.filter((s) => only.includes(s.name)));
    // Warm up every route once (first-request compilation, connections).
    for (const s of scenarios) await fetch(server.base + s.path, { method: s.method ?? "GET", headers: headersOf(s.token), body: s.body?.() });

    const rssBefore = treeRssMb(server.proc.pid!);
    const memBefore = lastMemory(memoryFile);
    let rssPeak = rssBefore;
    const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, treeRssMb(server.proc.pid!))), 1000);
    const memRow = (label: string) => {
      const m = lastMemory(memoryFile);
      const line = `${label}: RSS (tree) ${Math.round(treeRssMb(server.proc.pid!))} MB; server heap used ${m ? mb(m.heapUsed) : "?"} / total ${m ? mb(m.heapTotal) : "?"} MB, external ${m ? mb(m.external) : "?"} MB, own RSS ${m ? mb(m.rss) : "?"} MB`;
      ctx.log(line);
    };
    memRow("before the run");
    for (const phase of ["right after load (no VACUUM)", "after a manual VACUUM ANALYZE"]) {
      if (phase.startsWith("after")) {
        ctx.log("VACUUM ANALYZE (by hand)…");
        const v0 = performance.now();
        await client.query("VACUUM ANALYZE");
        ctx.log(`VACUUM ANALYZE took ${Math.round(performance.now() - v0)} ms`);
      }
      for (const s of scenarios) {
        ctx.log(`${phase} — ${s.name}: ${CONNECTIONS} connections for ${SECONDS} s… (load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")})`);
        // Warm-up at the same concurrency, not counted: a long-running server has compiled its hot
        // paths and sized its heap; without it the first scenario also measures JIT compilation.
        const cannon = (seconds: number) =>
          autocannon({
            url: server.base + s.path,
            method: s.method ?? "GET",
            connections: CONNECTIONS,
            duration: seconds,
            headers: headersOf(s.token),
            ...(s.body && { requests: [{ method: "POST" as const, setupRequest: (req: autocannon.Request) => ({ ...req, body: s.body!() }) }] }),
          });
        if (WARMUP_SECONDS > 0) await cannon(WARMUP_SECONDS);
        const cpu0 = treeCpuSecs(server.proc.pid!);
        const db0 = await backendCpu(client);
        const result = await cannon(SECONDS);
        const p50 = result.latency.p50;
        const p99 = result.latency.p99;
        const non2xx = result.non2xx + result.errors; // errors include timeouts
        // CPU per request (server process tree + its database backends): what a request costs,
        // whatever else the machine is doing — latencies on a loaded machine mostly measure the queue.
        const serverCpuMs = ((treeCpuSecs(server.proc.pid!) - cpu0) * 1000) / Math.max(1, result.requests.total);
        const dbCpuMs = (cpuSince(db0, await backendCpu(client)) * 1000) / Math.max(1, result.requests.total);
        ctx.log(`${phase} — ${s.name}: CPU per request: server ${serverCpuMs.toFixed(1)} ms, database ${dbCpuMs.toFixed(1)} ms`);
        ctx.log(`${phase} — ${s.name}: ${result.requests.average} req/s, p50 ${p50} ms, p99 ${p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`);
        memRow(`after ${s.name}`);
        const m = `${s.name} (${phase})`;
        rows.push({ metric: `${m}: throughput (${CONNECTIONS} conn, ${SECONDS} s)`, value: result.requests.average, unit: "req/s" });
        rows.push({ metric: `${m}: p50`, value: p50, unit: "ms" });
        rows.push({ metric: `${m}: p99`, value: p99, unit: "ms", ...(s.name === "list" && { target: "≤ 250 ms", pass: p99 <= 250 }) });
        rows.push({ metric: `${m}: non-2xx + errors (timeouts included) of ${result.requests.total}`, value: non2xx, unit: "", target: "0", pass: non2xx === 0 });
        rows.push({ metric: `${m}: CPU per request, server + database`, value: Math.round((serverCpuMs + dbCpuMs) * 10) / 10, unit: `ms (${serverCpuMs.toFixed(1)} + ${dbCpuMs.toFixed(1)})` });
      }
    }
    clearInterval(rssTimer);
    const rssAfter = treeRssMb(server.proc.pid!);
    const memAfter = lastMemory(memoryFile);
    rssPeak = Math.max(rssPeak, rssAfter);
    // Idle for a while: V8's memory reducer gives back heap it grew for the load (starts ~8 s after
    // allocation slows). What stays is what the process keeps.
    await new Promise((r) => setTimeout(r, 30_000));
    const rssSettled = treeRssMb(server.proc.pid!);
    const memSettled = lastMemory(memoryFile);
    memRow("30 s after the run");
    // A full GC in the server (bench/memory-sampler.cjs): heap used after it is what is really kept.
    fs.writeFileSync(`${memoryFile}.gc`, "");
    for (let i = 0; i < 10 && fs.existsSync(`${memoryFile}.gc`); i++) await new Promise((r) => setTimeout(r, 500));
    await new Promise((r) => setTimeout(r, 1500));
    const memGc = lastMemory(memoryFile, true);
    const rssGc = treeRssMb(server.proc.pid!);
    ctx.log(`after a forced full GC: RSS (tree) ${Math.round(rssGc)} MB; heap used ${memGc ? mb(memGc.heapUsed) : "?"} / total ${memGc ? mb(memGc.heapTotal) : "?"} MB`);
    rows.push({ metric: "server RSS before", value: rssBefore, unit: "MB" });
    rows.push({ metric: "server RSS after", value: rssAfter, unit: "MB" });
    rows.push({ metric: "server RSS peak during the run", value: rssPeak, unit: "MB" });
    rows.push({ metric: "server RSS growth (after − before)", value: rssAfter - rssBefore, unit: "MB", target: "≤ 100 MB", pass: rssAfter - rssBefore <= 100 });
    rows.push({ metric: "server RSS growth 30 s after the run (settled − before)", value: rssSettled - rssBefore, unit: "MB", target: "≤ 100 MB", pass: rssSettled - rssBefore <= 100 });
    if (memSettled) rows.push({ metric: "server V8 heap used / total 30 s after the run", value: mb(memSettled.heapUsed), unit: `MB / ${mb(memSettled.heapTotal)} MB` });
    if (memGc && memBefore) {
      rows.push({ metric: "server V8 heap used after a forced full GC (before the run: heap used)", value: mb(memGc.heapUsed), unit: `MB (${mb(memBefore.heapUsed)} MB)` });
      rows.push({ metric: "server RSS growth after a forced full GC", value: rssGc - rssBefore, unit: "MB" });
    }
    if (memBefore && memAfter) {
      rows.push({ metric: "server V8 heap used before → after", value: mb(memAfter.heapUsed - memBefore.heapUsed), unit: `MB (${mb(memBefore.heapUsed)} → ${mb(memAfter.heapUsed)})` });
      rows.push({ metric: "server V8 heap total before → after", value: mb(memAfter.heapTotal - memBefore.heapTotal), unit: `MB (${mb(memBefore.heapTotal)} → ${mb(memAfter.heapTotal)})` });
      rows.push({ metric: "server external memory before → after", value: mb(memAfter.external - memBefore.external), unit: `MB (${mb(memBefore.external)} → ${mb(memAfter.external)})` });
    }
    rows.push(...(await variants(ctx, scratch.url, orgId)));
    return rows;
  } finally {
    fs.rmSync(memoryFile, { force: true });
    fs.rmSync(`${memoryFile}.gc`, { force: true });
    await client.end();
    await server.stop();
    await scratch.drop();
  }
}

function headersOf(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, "content-type": "application/json" };
}

function expect201(r: { status: number }): void {
  if (r.status !== 201) throw new Error(`bootstrap answered ${r.status}`);
}

/**
 * The changes compared side by side in the same run (in this process, same database, same load):
 * the list's exact total counted in full on every page (before) vs the counting policy
 * (lib/audit/count-events.ts: rollups first, then remembered + the entries appended since), and 50
 * concurrent 100-event appends into one org, each its own transaction waiting on the chain-head lock
 * under the 5 s budget (before) vs the per-org queue with group commit (lib/audit/queue-appends.ts).
 */
async function variants(ctx: BenchContext, url: string, readOrgId: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const db = await openDatabase({ url, poolSize: 10 });
  try {
    const time = async (fn: () => Promise<unknown>, runs = 10) => {
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await fn();
        ms.push(performance.now() - t0);
      }
      return ms.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
    };
    const full = await time(() => countEvents({ sql: db.sql, orgId: readOrgId, filter: {} }));
    forgetRememberedTotals();
    const first = await time(async () => {
      forgetRememberedTotals();
      return countTotal({ sql: db.sql, orgId: readOrgId, filter: {}, policy: "exact" });
    });
    const remembered = await time(() => countTotal({ sql: db.sql, orgId: readOrgId, filter: {}, policy: "exact" }));
    ctx.log(`list total, median of 10: full count ${full.toFixed(1)} ms; policy, first page (rollups) ${first.toFixed(1)} ms; next pages (remembered) ${remembered.toFixed(1)} ms (load average ${os.loadavg()[0]!.toFixed(1)})`);
    rows.push(
      { metric: `variant: unfiltered exact total, full count(*) on every page (before)`, value: Math.round(full * 10) / 10, unit: "ms" },
      { metric: `variant: unfiltered exact total, counting policy, first page (rollups)`, value: Math.round(first * 10) / 10, unit: "ms" },
      { metric: `variant: unfiltered exact total, counting policy, next pages (remembered)`, value: Math.round(remembered * 10) / 10, unit: "ms" },
    );

    for (const mode of ["direct", "queued"] as const) {
      const orgId = `org_variant_${mode}`;
      await db.sql.query(`INSERT INTO orgs (id, slug, name) VALUES ($1, $2, $2)`, [orgId, `variant-${mode}`]);
      let ok = 0;
      let failed = 0;
      const t0 = performance.now();
      const CONCURRENCY = 50;
      const PER_CLIENT = 4;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, c) => {
          for (let k = 0; k < PER_CLIENT; k++) {
            const events = Array.from({ length: 100 }, (_, i) => ({
              id: `v-${c}-${k}-${i}`,
              action: i % 2 ? "policy.update" : "user.login",
              actor: { id: `user-${i % 7}`, type: "user" as const, email: `user${i % 7}@example.com` },
              resource: { type: "policy", id: `p-${i % 13}` },
            }));
            try {
              await withQueryBudget({}, () => (mode === "direct" ? appendEvents({ sql: db.sql, orgId, events }) : queueAppends({ sql: db.sql, orgId, events })));
              ok++;
            } catch {
              failed++;
            }
          }
        }),
      );
      const secs = (performance.now() - t0) / 1000;
      ctx.log(`ingest variant ${mode}: ${ok} ok, ${failed} failed of ${ok + failed} in ${secs.toFixed(1)} s (load average ${os.loadavg()[0]!.toFixed(1)})`);
      rows.push(
        { metric: `variant: 50 concurrent clients × 4 appends of 100 into one org, ${mode === "direct" ? "each its own transaction (before)" : "per-org queue + group commit"}: failed`, value: failed, unit: `of ${ok + failed}`, target: "0", pass: failed === 0 },
        { metric: `variant: same, ${mode}: events/s`, value: Math.round((ok * 100) / secs), unit: "events/s" },
      );
    }
  } finally {
    await db.close();
  }
  return rows;
}
