/**
 * Foundation figures on PostgreSQL: HTTP batch ingest beside a raw INSERT … SELECT into a copy of
 * the same table (same indexes, same rows), list and get latency at 300 000 events, verify rate.
 */
import crypto from "node:crypto";
import pg from "pg";
import { api, startAppServer } from "../tests/support/app-server.ts";
import { LIST_QUERIES, benchDatabase, benchEvents, percentile, type BenchContext, type BenchRow } from "./bench-kit.mts";

const TOTAL = Number(process.env.BENCH_EVENTS ?? 300_000);
const ROOT = `root_${crypto.randomBytes(12).toString("hex")}`;

export default async function foundation(ctx: BenchContext): Promise<BenchRow[]> {
  const scratch = await benchDatabase(ctx, "foundation");
  const url = scratch.url;
  const server = await startAppServer({ DATABASE_URL: url, AUDIT_ROOT_TOKEN: ROOT, AUDIT_RATE_LIMIT: "0" });
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await api(server.base, "POST", "/api/v1/admin/orgs", ROOT, { slug: "bench" });
    const token = (await api(server.base, "POST", "/api/v1/admin/tokens", ROOT, { org: "bench", name: "bench", scopes: ["audit:read", "audit:write"] })).body!.token as string;

    // Realistic events: the demo generator, repeated with fresh ids until TOTAL.
    const events = benchEvents(TOTAL);
    const batches: (typeof events)[] = [];
    for (let i = 0; i < events.length; i += 1000) batches.push(events.slice(i, i + 1000));
    ctx.log(`ingesting ${events.length} events over HTTP in ${batches.length} batches of 1000 (4 clients)…`);
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < batches.length) {
          const b = batches[next++]!;
          const r = await fetch(`${server.base}/api/v1/audit/logs`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify({ events: b }),
          });
          if (r.status !== 201) throw new Error(`ingest answered ${r.status}: ${await r.text()}`);
        }
      }),
    );
    const ingestSecs = (performance.now() - t0) / 1000;
    const ingestRate = events.length / ingestSecs;

    // Raw: the same rows, copied with one INSERT … SELECT into a copy of the table. Twice: a bare copy
    // (same columns and indexes, no triggers), and the same table as it really is (plus its insert
    // triggers: the full-text vector and the analytics rollups are part of every insert's cost).
    const rawCopy = async (withTriggers: boolean) => {
      await db.query(`CREATE TABLE audit_events_raw (LIKE audit_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`);
      if (withTriggers) {
        const defs = await db.query<{ def: string }>(
          `SELECT pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal AND (tgtype & 4) = 4`,
        ); // (tgtype & 4): INSERT triggers
        for (const { def } of defs.rows) await db.query(def.replace(/ ON (public\.)?audit_events /, " ON audit_events_raw ").replace(/TRIGGER (\w+)/, "TRIGGER $1_raw"));
      }
      // The copy goes to another org, so that the triggers' side tables (keyed by org) take new rows.
      await db.query(`INSERT INTO orgs (id, slug, name) VALUES ('org_raw', 'bench-raw', 'raw') ON CONFLICT DO NOTHING`);
      const cols = (await db.query<{ c: string }>(
        `SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'audit_events' ORDER BY ordinal_position`,
      )).rows.map(({ c }) => (c === "org_id" ? `'org_raw'` : `"${c}"`));
      const r0 = performance.now();
      const copied = await db.query(`INSERT INTO audit_events_raw SELECT ${cols.join(", ")} FROM audit_events`);
      const secs = (performance.now() - r0) / 1000;
      await db.query(`DROP TABLE audit_events_raw`);
      return (copied.rowCount ?? 0) / secs;
    };
    const rawPlain = await rawCopy(false);
    const rawRate = await rawCopy(true);
    await db.query(`VACUUM ANALYZE audit_events`);

    // List latency: the filters an auditor uses, over HTTP, at TOTAL events.
    const ids = (await db.query<{ id: string }>(`SELECT id FROM audit_events ORDER BY random() LIMIT 500`)).rows.map((r) => r.id);
    const listQueries = LIST_QUERIES;
    const timeIt = async (path: string) => {
      const s = performance.now();
      const r = await fetch(`${server.base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`${path} answered ${r.status}`);
      return performance.now() - s;
    };
    for (const q of listQueries) await timeIt(`/api/v1/audit/logs?${q}`); // warm-up
    const listTimes: number[] = [];
    const perQuery = new Map<string, number[]>();
    for (let i = 0; i < 210; i++) {
      const q = listQueries[i % listQueries.length]!;
      const ms = await timeIt(`/api/v1/audit/logs?${q}`);
      listTimes.push(ms);
      perQuery.set(q, [...(perQuery.get(q) ?? []), ms]);
    }
    for (const [q, ms] of perQuery) ctx.log(`list ${q}: p50 ${percentile(ms, 50).toFixed(1)} ms, p95 ${percentile(ms, 95).toFixed(1)} ms`);
    const getTimes: number[] = [];
    for (const id of ids) getTimes.push(await timeIt(`/api/v1/audit/logs/${encodeURIComponent(id)}`));

    // Verify the whole chain.
    const v0 = performance.now();
    const v = await api(server.base, "POST", "/api/v1/audit/verify", token);
    const verifySecs = (performance.now() - v0) / 1000;
    const checked = v.body!.data!.logs_checked as number;
    if (!v.body!.data!.verified) throw new Error("verify failed on the bench chain");

    return [
      { metric: "HTTP batch ingest (1000/batch, 4 clients)", value: ingestRate, unit: "events/s" },
      { metric: "raw INSERT … SELECT, bare copy (no triggers)", value: rawPlain, unit: "rows/s" },
      { metric: "raw INSERT … SELECT, same table (its insert triggers)", value: rawRate, unit: "rows/s" },
      { metric: "ingest ÷ raw (same table)", value: ingestRate / rawRate, unit: "×", target: "≥ 0.5", pass: ingestRate / rawRate >= 0.5 },
      { metric: "ingest ÷ raw (bare copy)", value: ingestRate / rawPlain, unit: "×" },
      { metric: `list p50 at ${events.length} events`, value: percentile(listTimes, 50), unit: "ms" },
      { metric: `list p95 at ${events.length} events`, value: percentile(listTimes, 95), unit: "ms", target: "≤ 50 ms", pass: percentile(listTimes, 95) <= 50 },
      { metric: "get p50", value: percentile(getTimes, 50), unit: "ms" },
      { metric: "get p95", value: percentile(getTimes, 95), unit: "ms", target: "≤ 20 ms", pass: percentile(getTimes, 95) <= 20 },
      { metric: `verify (${checked} entries)`, value: checked / verifySecs, unit: "entries/s", target: "≥ 200 000/s", pass: checked / verifySecs >= 200_000 },
    ];
  } finally {
    await db.end();
    await server.stop();
    await scratch.drop();
  }
}
