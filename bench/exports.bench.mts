/**
 * Export figures on PostgreSQL: a 1 000 000-event log export (JSONL, then CSV) run by the built
 * app's export worker — rows/s from request to completed, and the server's peak RSS growth while
 * it runs (sampled every 100 ms over the server's process tree) — then the signed download's rate.
 * Targets (issue #5): ≥ 50 000 rows/s, < 300 MB RSS growth.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import pg from "pg";
import { startAppServer } from "../tests/support/app-server.ts";
import { benchDatabase, type BenchContext, type BenchRow } from "./bench-kit.mts";

const TOTAL = Number(process.env.BENCH_EXPORT_EVENTS ?? 1_000_000);
const ROOT = `root_${crypto.randomBytes(12).toString("hex")}`;

/** RSS (bytes) of a process and all its descendants, from /proc. */
function treeRss(pid: number): number {
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    try {
      const status = fs.readFileSync(`/proc/${p}/status`, "utf8");
      const m = /VmRSS:\s+(\d+) kB/.exec(status);
      if (m) total += Number(m[1]) * 1024;
      for (const t of fs.readdirSync(`/proc/${p}/task`)) {
        const kids = fs.readFileSync(`/proc/${p}/task/${t}/children`, "utf8").trim();
        if (kids) stack.push(...kids.split(/\s+/).map(Number));
      }
    } catch {
      /* gone */
    }
  }
  return total;
}

/** CPU seconds (user + system) used so far by a process and its descendants (clock ticks of 1/100 s). */
function treeCpu(pid: number): number {
  let ticks = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
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

async function api(base: string, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: { "accept-encoding": "identity", authorization: `Bearer ${token}`, ...(body !== undefined && { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export default async function exportsBench(ctx: BenchContext): Promise<BenchRow[]> {
  const scratch = await benchDatabase(ctx, "exp");
  const url = scratch.url;
  const server = await startAppServer({ DATABASE_URL: url, AUDIT_ROOT_TOKEN: ROOT });
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const rows: BenchRow[] = [];
  try {
    // The org is made in SQL with an empty chain, so that the seeded rows can get their Merkle tree the
    // way the migration builds one for a chain that predates it (audit_merkle_backfill, tree size 0);
    // the first append after the seeding (the token's record) then signs a checkpoint over all of them.
    // Rows written straight into a chain whose tree already exists are refused by ingest (issue 9).
    const org = "org_bench_exports";
    await db.query(`INSERT INTO orgs (id, slug, name) VALUES ($1, 'bench', 'bench')`, [org]);
    await db.query(`INSERT INTO audit_chain_heads (org_id) VALUES ($1)`, [org]);

    // 1 M events written straight into the table (INSERT … SELECT, chained hashes; the export does not
    // verify). The table's own insert triggers (search vector, rollups) are paused for the seeding only.
    ctx.log(`seeding ${TOTAL} events with INSERT … SELECT…`);
    const triggers = (await db.query<{ tgname: string; tgenabled: string }>(`SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal AND tgtype & 4 = 4`)).rows;
    for (const t of triggers) await db.query(`ALTER TABLE audit_events DISABLE TRIGGER "${t.tgname}"`);
    const head = (await db.query<{ seq: string; hash: string | null }>(`SELECT seq::text, hash FROM audit_chain_heads WHERE org_id = $1`, [org])).rows[0]!;
    const base = Number(head.seq);
    const h = (expr: string) => `'sha256:' || encode(sha256(convert_to('bench-' || (${expr}), 'UTF8')), 'hex')`;
    const s0 = performance.now();
    for (let from = 1; from <= TOTAL; from += 100_000) {
      const to = Math.min(TOTAL, from + 99_999);
      await db.query(
        `INSERT INTO audit_events (org_id, seq, id, timestamp, received_at, actor_id, actor_type, actor_email, action, resource_type, resource_id,
           repository_id, repository_name, content, request_digest, hash, previous_hash)
         SELECT $1, $2::int8 + i, 'ev-' || i, ts, ts, 'user-' || (i % 50), 'user', 'user' || (i % 50) || '@example.com',
           (ARRAY['policy.update','user.login','scan.completed','issue.created','config.changed'])[1 + i % 5], 'policy', 'p-' || (i % 500),
           'repo_' || (i % 20), 'acme/repo-' || (i % 20),
           jsonb_build_object('id', 'ev-' || i, 'seq', $2::int8 + i, 'timestamp', to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
             'received_at', to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
             'actor', jsonb_build_object('id', 'user-' || (i % 50), 'type', 'user', 'email', 'user' || (i % 50) || '@example.com'),
             'action', (ARRAY['policy.update','user.login','scan.completed','issue.created','config.changed'])[1 + i % 5],
             'resource', jsonb_build_object('type', 'policy', 'id', 'p-' || (i % 500), 'name', 'Policy ' || (i % 500)),
             'repository', jsonb_build_object('id', 'repo_' || (i % 20), 'name', 'acme/repo-' || (i % 20)),
             'changes', jsonb_build_object('mode', jsonb_build_object('old', 'monitor', 'new', 'block')),
             'details', jsonb_build_object('ticket', 'SEC-' || i, 'note', 'benchmark event'),
             'ip_address', '203.0.113.' || (i % 250), 'request_id', 'req-' || i)::text,
           md5(i::text), ${h("i")}, CASE WHEN i = 1 THEN $3 ELSE ${h("i - 1")} END
         FROM generate_series($4::int8, $5::int8) AS i, LATERAL (SELECT timestamptz '2025-01-01T00:00:00Z' + i * interval '20 seconds' AS ts) t`,
        [org, base, head.hash, from, to],
      );
    }
    for (const t of triggers) await db.query(`ALTER TABLE audit_events ENABLE ${t.tgenabled === "A" ? "ALWAYS " : ""}TRIGGER "${t.tgname}"`);
    await db.query(`UPDATE audit_chain_heads SET seq = $2, hash = (SELECT hash FROM audit_events WHERE org_id = $1 AND seq = $2) WHERE org_id = $1`, [org, base + TOTAL]);
    await db.query(`SELECT audit_merkle_backfill($1)`, [org]);
    await db.query(`VACUUM ANALYZE audit_events`);
    const token = (await api(server.base, "POST", "/api/v1/admin/tokens", ROOT, { org: "bench", name: "bench", scopes: ["audit:read", "audit:write", "audit:export"] })).token as string;
    ctx.log(`seeded (and tree built) in ${((performance.now() - s0) / 1000).toFixed(1)} s`);

    for (const format of ["jsonl", "csv"] as const) {
      const baseline = treeRss(server.proc.pid!);
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, treeRss(server.proc.pid!))), 100);
      const cpu0 = treeCpu(server.proc.pid!);
      const t0 = performance.now();
      const created = await api(server.base, "POST", "/audit-logs/export", token, { format });
      const id = created.exportId as string;
      let st: Record<string, unknown>;
      for (;;) {
        st = await api(server.base, "GET", `/audit-logs/export/${id}`, token);
        if (st.status === "completed" || st.status === "failed") break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const secs = (performance.now() - t0) / 1000;
      const cpu = treeCpu(server.proc.pid!) - cpu0;
      clearInterval(sampler);
      if (st.status !== "completed") throw new Error(`export failed: ${JSON.stringify(st)}`);
      const n = st.rowCount as number;
      const growthMb = (peak - baseline) / 1024 / 1024;
      ctx.log(`${format}: ${n} rows in ${secs.toFixed(1)} s (server CPU ${cpu.toFixed(1)} s, load ${fs.readFileSync("/proc/loadavg", "utf8").split(" ")[0]}), ${(Number(st.sizeBytes) / 1e6).toFixed(0)} MB, RSS ${(baseline / 1e6).toFixed(0)} → peak ${(peak / 1e6).toFixed(0)} MB`);
      rows.push({ metric: `export ${format}, ${n} events: rows/s (request → completed)`, value: Math.round(n / secs), unit: "rows/s", target: "≥ 50 000", pass: n / secs >= 50_000 });
      rows.push({ metric: `export ${format}: rows per second of server CPU (independent of machine load)`, value: Math.round(n / cpu), unit: "rows/cpu-s" });
      rows.push({ metric: `export ${format}: server peak RSS growth`, value: Math.round(growthMb), unit: "MB", target: "< 300", pass: growthMb < 300 });
      rows.push({ metric: `export ${format}: file size`, value: Math.round(Number(st.sizeBytes) / 1e6), unit: "MB" });

      if (format === "jsonl") {
        const before = treeRss(server.proc.pid!);
        let dlPeak = before;
        const s2 = setInterval(() => (dlPeak = Math.max(dlPeak, treeRss(server.proc.pid!))), 100);
        const d0 = performance.now();
        const res = await fetch(st.downloadUrl as string, { headers: { "accept-encoding": "identity" } });
        let bytes = 0;
        let lines = 0;
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          bytes += chunk.byteLength;
          for (const b of chunk) if (b === 10) lines++;
        }
        const dsecs = (performance.now() - d0) / 1000;
        clearInterval(s2);
        // JSONL: one line per entry plus the verification trailer (docs/exports.md)
        if (lines !== n + 1) throw new Error(`downloaded ${lines} lines, expected ${n} entries + the verification trailer`);
        rows.push({ metric: "signed download of the JSONL file", value: Math.round(bytes / 1e6 / dsecs), unit: "MB/s" });
        rows.push({ metric: "download: server peak RSS growth", value: Math.round((dlPeak - before) / 1024 / 1024), unit: "MB", target: "< 300", pass: (dlPeak - before) / 1024 / 1024 < 300 });
      }
    }

    // Evidence package of the whole period (every section): a ZIP of events.jsonl + the section files.
    {
      const baseline = treeRss(server.proc.pid!);
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, treeRss(server.proc.pid!))), 100);
      const cpu0 = treeCpu(server.proc.pid!);
      const t0 = performance.now();
      const created = (await api(server.base, "POST", "/api/v1/audit/evidence/export", token, { format: "zip", framework: "soc2", audit_period: { from: "2024-12-01", to: "2026-12-31" } })) as { data: { job_id: string } };
      let st: { data: Record<string, unknown> };
      for (;;) {
        st = (await api(server.base, "GET", `/api/v1/audit/evidence/export/${created.data.job_id}`, token)) as { data: Record<string, unknown> };
        if (st.data.status === "completed" || st.data.status === "failed") break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const secs = (performance.now() - t0) / 1000;
      const cpu = treeCpu(server.proc.pid!) - cpu0;
      clearInterval(sampler);
      if (st.data.status !== "completed") throw new Error(`evidence export failed: ${JSON.stringify(st)}`);
      const growthMb = (peak - baseline) / 1024 / 1024;
      ctx.log(`evidence: ${TOTAL} events in ${secs.toFixed(1)} s (server CPU ${cpu.toFixed(1)} s), ${st.data.file_size_mb} MB zip, ${st.data.files_included} files, RSS growth ${growthMb.toFixed(0)} MB`);
      rows.push({ metric: `evidence package (soc2, all sections), ${TOTAL} events: events/s`, value: Math.round(TOTAL / secs), unit: "events/s" });
      rows.push({ metric: "evidence package: server peak RSS growth", value: Math.round(growthMb), unit: "MB", target: "< 300", pass: growthMb < 300 });
      rows.push({ metric: "evidence package: ZIP size", value: Number(st.data.file_size_mb), unit: "MB" });
    }
  } finally {
    await db.end();
    await server.stop();
    await scratch.drop();
  }
  return rows;
}
