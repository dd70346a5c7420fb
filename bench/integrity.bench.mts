/**
 * Verifiable-log figures on PostgreSQL (issue #9), in-process (no server: these are the costs the
 * ingest transaction and the proof functions add, without HTTP):
 * - checkpoint cost per batch of 1000: signCheckpoint alone inside an ingest transaction (tree
 *   extension, stored subtrees, Ed25519, the writes), rolled back; and its CPU part;
 * - ingest rate with and without checkpoints in the same run (alternating rounds into separate
 *   orgs; AUDIT_BENCH_SKIP_CHECKPOINTS=1 switches signCheckpoint off for the "without" rounds), for
 *   batches of 1000 and for one-event requests (the case that decides "every batch" vs "every N ms");
 * - inclusion and consistency proof latency and verify entries/s at BENCH_INTEGRITY_EVENTS (300 000)
 *   entries, first right after ingest (no VACUUM), then after a VACUUM ANALYZE run by hand (both printed).
 *
 * Extending it: add a phase function taking the `Phase` context (the database, the big org with
 * TOTAL entries signed in batches of 1000) and push its rows in the default export.
 */
import os from "node:os";
import { appendEvents } from "../lib/audit/append-events.ts";
import { verifyChain } from "../lib/audit/verify-chain.ts";
import { VERIFY_PARALLEL_POSTGRES } from "../lib/audit/verify-and-record.ts";
import { canonicalJson } from "../lib/audit/canonical-json.ts";
import type { EventInput } from "../lib/audit/event-schema.ts";
import { openDatabase, type Database } from "../lib/db/open-database.ts";
import { withoutQueryBudget } from "../lib/db/query-budget.ts";
import { runMigrations } from "../lib/db/run-migrations.ts";
import { formatCheckpoint } from "../lib/integrity/checkpoint.ts";
import { loadLogSigner } from "../lib/integrity/load-log-signer.ts";
import { extendFrontierByContents, frontierRoot } from "../lib/integrity/merkle.ts";
import { proveConsistency } from "../lib/integrity/prove-consistency.ts";
import { proveInclusion } from "../lib/integrity/prove-inclusion.ts";
import { CHAIN_HEAD_TREE_COLUMNS, signCheckpoint } from "../lib/integrity/sign-checkpoint.ts";
import { isStoredLevel } from "../lib/integrity/tree-storage.ts";
import { generateSigner, signNote } from "../lib/integrity/signed-note.ts";
import { benchDatabase, benchEvents, percentile, type BenchContext, type BenchRow } from "./bench-kit.mts";

const TOTAL = Number(process.env.BENCH_INTEGRITY_EVENTS ?? 300_000);
const BATCH = 1000;

export interface Phase {
  ctx: BenchContext;
  db: Database;
  /** The org holding TOTAL entries, ingested with checkpoints in batches of BATCH. */
  bigOrg: string;
  total: number;
}

async function createOrg(db: Database, slug: string): Promise<string> {
  const id = `org_bench_${slug}`;
  await db.sql.query(`INSERT INTO orgs (id, slug, name) VALUES ($1, $2, $2)`, [id, slug]);
  return id;
}

const withCheckpoints = async <T,>(on: boolean, fn: () => Promise<T>): Promise<T> => {
  if (on) delete process.env.AUDIT_BENCH_SKIP_CHECKPOINTS;
  else process.env.AUDIT_BENCH_SKIP_CHECKPOINTS = "1";
  try {
    return await fn();
  } finally {
    delete process.env.AUDIT_BENCH_SKIP_CHECKPOINTS;
  }
};

/** Appends `batches` to one org with `writers` concurrent writers; returns seconds. */
async function ingest(db: Database, orgId: string, batches: EventInput[][], writers: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < batches.length) await appendEvents({ sql: db.sql, orgId, events: batches[next++]! });
    }),
  );
  return (performance.now() - t0) / 1000;
}

const chunk = <T,>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));

/** Ingest with and without checkpoints, alternating rounds so that drift hits both alike; also builds the big org. */
async function ingestPhase(ctx: BenchContext, db: Database, events: EventInput[]): Promise<{ rows: BenchRow[]; bigOrg: string }> {
  const bigOrg = await createOrg(db, "big");
  const plainOrg = await createOrg(db, "plain");
  const rounds = 6;
  const per = Math.ceil(events.length / rounds);
  let on = 0;
  let off = 0;
  let nOn = 0;
  let nOff = 0;
  for (let r = 0; r < rounds; r++) {
    const slice = events.slice(r * per, (r + 1) * per);
    const batches = chunk(slice, BATCH);
    on += await withCheckpoints(true, () => ingest(db, bigOrg, batches, 2));
    nOn += slice.length;
    // a third of the same events again (fresh ids) into the org without checkpoints (enough for a rate)
    const copies = batches.slice(0, Math.ceil(batches.length / 3)).map((b) => b.map((e) => ({ ...e, id: `p-${e.id}` })));
    off += await withCheckpoints(false, () => ingest(db, plainOrg, copies, 2));
    nOff += copies.reduce((n, b) => n + b.length, 0);
    ctx.log(`round ${r + 1}/${rounds}: ${nOn} events with checkpoints, ${nOff} without`);
  }
  // One-event requests (the service's own records, single-event ingest): where per-transaction cost shows.
  const singles = events.slice(0, 2000);
  const sOn = await createOrg(db, "single-on");
  const sOff = await createOrg(db, "single-off");
  let singleOn = 0;
  let singleOff = 0;
  for (let r = 0; r < 4; r++) {
    const part = singles.slice(r * 500, (r + 1) * 500).map((e) => [e]);
    singleOn += await withCheckpoints(true, () => ingest(db, sOn, part, 4));
    singleOff += await withCheckpoints(false, () => ingest(db, sOff, part, 4));
  }
  const rateOn = nOn / on;
  const rateOff = nOff / off;
  return {
    bigOrg,
    rows: [
      { metric: `ingest, batches of ${BATCH}, with checkpoints (in-process, 2 writers)`, value: rateOn, unit: "events/s" },
      { metric: `ingest, batches of ${BATCH}, without checkpoints (same run)`, value: rateOff, unit: "events/s" },
      { metric: "ingest with ÷ without checkpoints (batches)", value: rateOn / rateOff, unit: "×", target: "≥ 0.8", pass: rateOn / rateOff >= 0.8 },
      { metric: "ingest, one-event requests, with checkpoints (4 writers)", value: singles.length / singleOn, unit: "requests/s" },
      { metric: "ingest, one-event requests, without checkpoints", value: singles.length / singleOff, unit: "requests/s" },
    ],
  };
}

/**
 * signCheckpoint alone for a batch of 1000 inside a real ingest transaction (then rolled back), the
 * chain-head lock taken first as ingest takes it. Two ways, alternating batch by batch: with the
 * tree state the lock query read (`tree`: checks + writes in one statement) and without (one read
 * of its own first).
 */
async function checkpointCostPhase(p: Phase, events: EventInput[]): Promise<BenchRow[]> {
  const contents = chunk(events.slice(0, 40 * BATCH), BATCH).map((b, i) =>
    b.map((e, j) => canonicalJson({ ...e, seq: p.total + i * BATCH + j + 1, received_at: "2026-01-01T00:00:00Z" })),
  );
  const ROLLBACK = new Error("rollback");
  const wall = { tree: [] as number[], read: [] as number[] };
  const nodeCpu = { tree: [] as number[], read: [] as number[] };
  for (const batch of contents) {
    for (const way of ["tree", "read"] as const) {
      await p.db.sql
        .transaction(async (tx) => {
          const head = (await tx.query<{ seq: number; tree_size: number; frontier: Uint8Array | null }>(
            `SELECT seq, ${CHAIN_HEAD_TREE_COLUMNS} FROM audit_chain_heads WHERE org_id = $1 FOR UPDATE`,
            [p.bigOrg],
          ))[0]!;
          const tree = way === "tree" ? { size: Number(head.tree_size), frontier: head.frontier } : undefined;
          const t0 = performance.now();
          const c0 = process.cpuUsage();
          await signCheckpoint({ tx, orgId: p.bigOrg, headSeq: Number(head.seq), contents: batch, tree });
          const c = process.cpuUsage(c0);
          wall[way].push((performance.now() - t0) * 1000);
          nodeCpu[way].push(c.user + c.system);
          throw ROLLBACK;
        })
        .catch((e: unknown) => {
          if (e !== ROLLBACK) throw e;
        });
    }
  }
  // The CPU part: 1000 leaf hashes, the frontier, one Ed25519 signature.
  const signer = loadLogSigner().signer;
  const cpu: number[] = [];
  let frontier: Uint8Array[] = [];
  let size = 0;
  for (const batch of contents) {
    const c0 = process.cpuUsage();
    const x = extendFrontierByContents({ frontier, size, contents: batch, keepLevel: isStoredLevel });
    signNote({ text: formatCheckpoint({ origin: "bench/x", size: x.size, rootHash: frontierRoot(x.frontier) }), signer });
    const c = process.cpuUsage(c0);
    cpu.push(c.user + c.system);
    frontier = x.frontier;
    size = x.size;
  }
  return [
    { metric: `checkpoint per batch of ${BATCH} (signCheckpoint in the ingest transaction, tree state from the lock: 1 statement), p50`, value: percentile(wall.tree, 50), unit: "µs" },
    { metric: `checkpoint per batch of ${BATCH}, tree state from the lock, p95`, value: percentile(wall.tree, 95), unit: "µs", target: "≤ 5 000 µs", pass: percentile(wall.tree, 95) <= 5000 },
    { metric: `checkpoint per batch of ${BATCH}, tree state read by signCheckpoint (2 statements), p50 / p95`, value: percentile(wall.read, 50), unit: `µs / ${Math.round(percentile(wall.read, 95))} µs` },
    { metric: `checkpoint per batch of ${BATCH}: CPU time of this process (load-independent), p50`, value: percentile(nodeCpu.tree, 50), unit: "µs" },
    { metric: `of which 1000 leaf hashes + frontier + Ed25519 (CPU time), p50`, value: percentile(cpu, 50), unit: "µs" },
  ];
}

/** Inclusion proofs (random entries; latest and older checkpoints) and consistency proofs (random checkpoint pairs). */
async function proofPhase(p: Phase): Promise<BenchRow[]> {
  const sizes = (await p.db.sql.query<{ tree_size: number }>(`SELECT tree_size FROM audit_checkpoints WHERE org_id = $1 ORDER BY tree_size`, [p.bigOrg])).map((r) => Number(r.tree_size));
  const latest = sizes[sizes.length - 1]!;
  let seed = 42;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const inclusion: number[] = [];
  const consistency: number[] = [];
  for (let i = 0; i < 520; i++) {
    const size = i % 2 ? latest : sizes[rnd(sizes.length)]!;
    const seq = rnd(size) + 1;
    const t0 = performance.now();
    await proveInclusion({ sql: p.db.sql, orgId: p.bigOrg, seq, treeSize: size });
    if (i >= 20) inclusion.push(performance.now() - t0);
  }
  for (let i = 0; i < 520; i++) {
    const a = sizes[rnd(sizes.length)]!;
    const b = sizes[rnd(sizes.length)]!;
    const t0 = performance.now();
    await proveConsistency({ sql: p.db.sql, orgId: p.bigOrg, first: Math.min(a, b), second: Math.max(a, b) });
    if (i >= 20) consistency.push(performance.now() - t0);
  }
  const nodes = (await p.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_merkle_nodes WHERE org_id = $1`, [p.bigOrg]))[0]!.n;
  return [
    { metric: `stored subtree rows at ${p.total} entries`, value: nodes, unit: "rows" },
    { metric: `inclusion proof p50 at ${p.total} entries (in-process)`, value: percentile(inclusion, 50), unit: "ms" },
    { metric: `inclusion proof p95 at ${p.total} entries`, value: percentile(inclusion, 95), unit: "ms", target: "≤ 20 ms", pass: percentile(inclusion, 95) <= 20 },
    { metric: `consistency proof p50 at ${p.total} entries`, value: percentile(consistency, 50), unit: "ms" },
    { metric: `consistency proof p95 at ${p.total} entries`, value: percentile(consistency, 95), unit: "ms", target: "≤ 20 ms", pass: percentile(consistency, 95) <= 20 },
  ];
}

/**
 * POST /api/v1/audit/verify's work, in-process, as the API runs it on PostgreSQL (VERIFY_PARALLEL_POSTGRES
 * more connections on the same snapshot): the whole log of the big org (chain, copied columns against the
 * attestations, the Merkle tree against every checkpoint). The first run checks every signature
 * (cold); later runs find the notes they saw in the process's cache: best of three of those. Then
 * one `deep` run (every attestation digest recomputed).
 */
async function verifyPhase(p: Phase): Promise<BenchRow[]> {
  const once = async (deep: boolean) => {
    const t0 = performance.now();
    const v = await verifyChain({ sql: p.db.sql, orgId: p.bigOrg, filter: {}, parallel: VERIFY_PARALLEL_POSTGRES, deep });
    const secs = (performance.now() - t0) / 1000;
    if (!v.verified) throw new Error(`verify failed on the bench log: ${v.problems[0]?.message}`);
    if (v.log.checkpoints_checked === 0 || v.log.unattested_entries !== 0) throw new Error("verify checked no checkpoint or found unattested entries");
    return { rate: v.logs_checked / secs, n: v.logs_checked, checkpoints: v.log.checkpoints_checked };
  };
  const cold = await once(false);
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) warm.push((await once(false)).rate);
  const deep = await once(true);
  const best = Math.max(...warm);
  return [
    { metric: `verify at ${cold.n} entries, ${cold.checkpoints} checkpoints, first run (every signature checked)`, value: cold.rate, unit: "entries/s", target: "≥ 200 000/s", pass: cold.rate >= 200_000 },
    { metric: `verify at ${cold.n} entries, again (signatures cached), best of 3`, value: best, unit: "entries/s", target: "≥ 200 000/s", pass: best >= 200_000 },
    { metric: `verify at ${cold.n} entries, deep (every column digest recomputed)`, value: deep.rate, unit: "entries/s" },
  ];
}

export default async function integrity(ctx: BenchContext): Promise<BenchRow[]> {
  process.env.AUDIT_LOG_SIGNING_KEY ??= generateSigner("bench.example/log").skey;
  const scratch = await benchDatabase(ctx, "integrity");
  const db = await openDatabase({ url: scratch.url, poolSize: 6 });
  try {
    await runMigrations({ sql: db.sql, advisoryLock: true });
    const load0 = os.loadavg()[0]!;
    const events = benchEvents(TOTAL);
    ctx.log(`ingesting ${events.length} events with checkpoints and a third as many without, alternating…`);
    const ing = await ingestPhase(ctx, db, events);
    const phase: Phase = { ctx, db, bigOrg: ing.bigOrg, total: events.length };
    const rows = [...ing.rows];
    ctx.log("checkpoint cost per batch…");
    rows.push(...(await checkpointCostPhase(phase, events)));
    // Proofs and verify twice: as a user sees them right after ingest (no VACUUM; this machine's
    // PostgreSQL runs with autovacuum off), then after a VACUUM ANALYZE run by hand.
    const labelled = (suffix: string, phaseRows: BenchRow[]) => phaseRows.map((r) => ({ ...r, metric: `${r.metric} — ${suffix}` }));
    for (const when of ["right after ingest", "after a manual VACUUM ANALYZE"]) {
      // maintenance, not a request: no statement budget (it outlasts 5 s on a busy machine)
      if (when !== "right after ingest") await withoutQueryBudget(() => db.sql.query(`VACUUM ANALYZE`));
      ctx.log(`proof latency, ${when}…`);
      rows.push(...labelled(when, await proofPhase(phase)));
      ctx.log(`verify, ${when}…`);
      rows.push(...labelled(when, await verifyPhase(phase)));
    }
    // Wall-clock figures depend on what else the machine runs: say how busy it was.
    rows.push({ metric: `machine load average (1 min) at start / end, ${os.cpus().length} cores`, value: load0, unit: `/ ${os.loadavg()[0]!.toFixed(1)}` });
    return rows;
  } finally {
    await db.close();
    await scratch.drop();
  }
}
