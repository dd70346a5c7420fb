/**
 * Verifiable exports and the offline verifier (issue #9, docs/exports.md), on PostgreSQL, in-process:
 * - what making a file verifiable costs an export: buildVerification (latest checkpoint, multiproof,
 *   consistency proofs) for every entry of the log (contiguous leaves: a tiny proof) and for one
 *   action's entries (scattered leaves: the worst realistic case), with the proof's size;
 * - the offline verifier's throughput (verifyExport on a JSONL export of the whole log, built in
 *   memory with the exporter's own line and trailer functions): entries/s, best of 3.
 * BENCH_EVIDENCE_EVENTS (default 300 000) entries, ingested with checkpoints in batches of 1000.
 * The database figures (reading the entries, buildVerification) are printed twice: right after ingest
 * as a user meets them (no VACUUM: this machine's PostgreSQL runs with autovacuum off), then after a
 * VACUUM ANALYZE run by hand. The offline verifier works on a file in memory (no database): once.
 */
import { appendEvents } from "../lib/audit/append-events.ts";
import { listEvents, type EventCursor } from "../lib/audit/query-events.ts";
import type { StoredEvent } from "../lib/audit/event-schema.ts";
import { openDatabase } from "../lib/db/open-database.ts";
import { runMigrations } from "../lib/db/run-migrations.ts";
import { buildVerification, jsonlTrailer } from "../lib/exports/build-verification.ts";
import { jsonlLines, verifiableJsonlEntry } from "../lib/exports/format-entries.ts";
import { generateSigner } from "../lib/integrity/signed-note.ts";
import { verifyExport } from "../lib/verifier/verify-export.ts";
import { benchDatabase, benchEvents, type BenchContext, type BenchRow } from "./bench-kit.mts";
import crypto from "node:crypto";

const TOTAL = Number(process.env.BENCH_EVIDENCE_EVENTS ?? 300_000);

export default async function evidence(ctx: BenchContext): Promise<BenchRow[]> {
  process.env.AUDIT_LOG_SIGNING_KEY ??= generateSigner("bench.example/log").skey;
  process.env.AUDIT_STATEMENT_TIMEOUT_MS ??= "0"; // background work (exports) runs without the request budget
  const scratch = await benchDatabase(ctx, "evidence");
  const db = await openDatabase({ url: scratch.url, poolSize: 4 });
  const rows: BenchRow[] = [];
  try {
    await runMigrations({ sql: db.sql, advisoryLock: true });
    const orgId = "org_bench_evidence";
    await db.sql.query(`INSERT INTO orgs (id, slug, name) VALUES ($1, 'evidence', 'evidence')`, [orgId]);
    const events = benchEvents(TOTAL);
    ctx.log(`ingesting ${events.length} events…`);
    for (let i = 0; i < events.length; i += 1000) await appendEvents({ sql: db.sql, orgId, events: events.slice(i, i + 1000) });
    let all: StoredEvent[] = [];
    let full: { ms: number; m: Awaited<ReturnType<typeof buildVerification>> } | undefined;
    for (const when of ["right after ingest", "after a manual VACUUM ANALYZE"]) {
      if (when !== "right after ingest") await db.sql.query(`VACUUM ANALYZE`);
      // Every entry, newest first, as an export reads them.
      all = [];
      let cursor: EventCursor | undefined;
      const r0 = performance.now();
      for (;;) {
        const batch = await listEvents({ sql: db.sql, orgId, filter: {}, limit: 5000, after: cursor });
        if (batch.length === 0) break;
        all.push(...batch);
        const last = batch[batch.length - 1]!;
        cursor = { timestamp: new Date(last.timestamp), seq: last.seq };
        if (batch.length < 5000) break;
      }
      const readMs = performance.now() - r0;
      const counts = new Map<string, number>();
      for (const e of all) counts.set(e.action, (counts.get(e.action) ?? 0) + 1);
      const [action, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!;

      ctx.log(`${when}: buildVerification: all entries, one action's entries…`);
      const time = async (seqs: number[]) => {
        const t0 = performance.now();
        const m = await buildVerification({ sql: db.sql, orgId, seqs });
        return { ms: performance.now() - t0, m };
      };
      await time([1]); // warm-up
      full = await time(all.map((e) => e.seq));
      const scattered = await time(all.filter((e) => e.action === action).map((e) => e.seq));
      const proofBytes = Buffer.byteLength(JSON.stringify(scattered.m.proof));
      rows.push(
        { metric: `reading all ${all.length} entries in pages of 5000 (${when})`, value: all.length / (readMs / 1000), unit: "entries/s" },
        { metric: `verification material for all ${all.length} entries (checkpoint, multiproof of ${full.m.proof.nodes.length} nodes) (${when})`, value: full.ms, unit: "ms" },
        { metric: `verification material for one action (${action}: ${n} scattered entries, ${scattered.m.proof.nodes.length} proof nodes) (${when})`, value: scattered.ms, unit: "ms" },
        { metric: `that multiproof's size (${action})`, value: proofBytes / 1024, unit: "KiB" },
      );
    }

    ctx.log("offline verifier on a JSONL export of the whole log…");
    const body = Buffer.from(jsonlLines(all, verifiableJsonlEntry), "utf8");
    const trailer = jsonlTrailer(full!.m, crypto.createHash("sha256").update(body).digest("hex"), all.length);
    const file = Buffer.concat([body, Buffer.from(trailer, "utf8")]);
    const runs: number[] = [];
    const cpuRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await verifyExport({ bytes: file, fileName: "bench.jsonl", key: full!.m.publicKey });
      const secs = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      if (!r.ok) throw new Error(`the bench export does not verify: ${r.problems[0]?.message}`);
      runs.push(r.entries / secs);
      cpuRuns.push(r.entries / ((cpu.user + cpu.system) / 1e6));
    }
    rows.push(
      { metric: `offline verifier, JSONL export of ${all.length} entries (${Math.round(file.length / 2 ** 20)} MiB), best of 3`, value: Math.max(...runs), unit: "entries/s" },
      { metric: "offline verifier, entries per second of its own CPU time (load-independent), best of 3", value: Math.max(...cpuRuns), unit: "entries/cpu-s" },
    );
    return rows;
  } finally {
    await db.close();
    await scratch.drop();
  }
}
