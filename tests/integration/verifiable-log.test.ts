import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvents } from "@/lib/audit/append-events";
import { parseIngestBody } from "@/lib/audit/parse-ingest-body";
import { resetConfigForTests } from "@/lib/config";
import { openDatabase, type Database } from "@/lib/db/open-database";
import { readMigrations, runMigrations } from "@/lib/db/run-migrations";
import { AppError } from "@/lib/errors";
import { parseCheckpoint } from "@/lib/integrity/checkpoint";
import { getCheckpoint, getStoredCheckpoint } from "@/lib/integrity/get-checkpoint";
import { loadLogSigner, resetLogSignerForTests } from "@/lib/integrity/load-log-signer";
import {
  frontierRoot,
  leafHash,
  rootFromLeafHashes,
  rootFromMultiProof,
  verifyConsistency,
  verifyInclusion,
} from "@/lib/integrity/merkle";
import { proveConsistency } from "@/lib/integrity/prove-consistency";
import { proveEntries } from "@/lib/integrity/prove-entries";
import { proveInclusion } from "@/lib/integrity/prove-inclusion";
import { CHAIN_HEAD_TREE_COLUMNS, signCheckpoint } from "@/lib/integrity/sign-checkpoint";
import { signPendingCheckpoints } from "@/lib/integrity/sign-pending-checkpoints";
import { generateSigner, openNote } from "@/lib/integrity/signed-note";
import { unpackFrontier } from "@/lib/integrity/tree-storage";
import { createScratchPostgres, createTestDatabase, createTestOrg, sampleEvent, TEST_DB, type TestDb } from "../support/test-database";

let t: TestDb;
const key = generateSigner("log.test.example/audit");
beforeAll(async () => {
  process.env.AUDIT_LOG_SIGNING_KEY = key.skey;
  process.env.AUDIT_LOG_ORIGIN = "log.test.example";
  resetConfigForTests();
  resetLogSignerForTests();
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
  delete process.env.AUDIT_LOG_SIGNING_KEY;
  delete process.env.AUDIT_LOG_ORIGIN;
  resetConfigForTests();
  resetLogSignerForTests();
});

const events = (from: number, n: number) => parseIngestBody({ events: Array.from({ length: n }, (_, i) => sampleEvent(from + i)) });

async function contents(db: Database, orgId: string): Promise<string[]> {
  return (await db.sql.query<{ content: string }>(`SELECT content FROM audit_events WHERE org_id = $1 ORDER BY seq`, [orgId])).map((r) => r.content);
}

async function checkpoints(db: Database, orgId: string) {
  const rows = await db.sql.query<{ tree_size: number }>(`SELECT tree_size FROM audit_checkpoints WHERE org_id = $1 ORDER BY tree_size`, [orgId]);
  const out: Array<{ size: number; root: Uint8Array; origin: string; note: string }> = [];
  for (const r of rows) {
    const note = await getCheckpoint({ sql: db.sql, orgId, size: Number(r.tree_size) });
    const opened = openNote({ note, verifiers: [key.vkey] });
    expect(opened.signatures.filter((s) => s.verified)).toHaveLength(1);
    const cp = parseCheckpoint(opened.text);
    out.push({ size: cp.size, root: cp.rootHash, origin: cp.origin, note });
  }
  return out;
}

/** Sizes 1000–1100 cross stored levels 4 and 8 and the 1024 boundary; batches of uneven sizes. */
const BATCHES = [1, 15, 17, 300, 1, 500, 190, 1, 66];
const TOTAL = BATCHES.reduce((a, b) => a + b, 0);

describe(`verifiable log: tree, checkpoints, proofs (${TEST_DB})`, () => {
  let org: { id: string; slug: string };
  let leaves: Uint8Array[];
  let cps: Awaited<ReturnType<typeof checkpoints>>;

  beforeAll(async () => {
    org = await createTestOrg(t.db);
    let n = 0;
    for (const b of BATCHES) {
      await appendEvents({ sql: t.db.sql, orgId: org.id, events: events(n, b) });
      n += b;
    }
    leaves = (await contents(t.db, org.id)).map((c) => leafHash(c));
    cps = await checkpoints(t.db, org.id);
  });

  it("signs one checkpoint per ingest batch; each verifies with the log key and its root is the root of all contents", () => {
    expect(leaves).toHaveLength(TOTAL);
    let acc = 0;
    expect(cps.map((c) => c.size)).toEqual(BATCHES.map((b) => (acc += b)));
    for (const c of cps) {
      expect(c.origin).toBe(`log.test.example/${org.slug}`);
      expect(Buffer.from(c.root).toString("hex")).toBe(Buffer.from(rootFromLeafHashes(leaves.slice(0, c.size))).toString("hex"));
    }
    expect(loadLogSigner().vkey).toBe(key.vkey);
  });

  it("keeps size and frontier in the chain head, and only the subtrees of the stored levels", async () => {
    const head = (await t.db.sql.query<{ seq: number; tree_size: number; frontier: Uint8Array }>(`SELECT seq, tree_size, frontier FROM audit_chain_heads WHERE org_id = $1`, [org.id]))[0]!;
    expect(Number(head.tree_size)).toBe(TOTAL);
    expect(Number(head.seq)).toBe(TOTAL);
    expect(Buffer.from(frontierRoot(unpackFrontier(head.frontier))).equals(Buffer.from(rootFromLeafHashes(leaves)))).toBe(true);
    const nodes = await t.db.sql.query<{ level: number; idx: number; hash: Uint8Array }>(`SELECT level, idx, hash FROM audit_merkle_nodes WHERE org_id = $1`, [org.id]);
    expect(nodes).toHaveLength(Math.floor(TOTAL / 16) + Math.floor(TOTAL / 256));
    for (const n of nodes) {
      expect(Number(n.level) % 4).toBe(0);
      const w = 2 ** Number(n.level);
      expect(Buffer.from(n.hash).equals(Buffer.from(rootFromLeafHashes(leaves.slice(Number(n.idx) * w, (Number(n.idx) + 1) * w))))).toBe(true);
    }
  });

  it("inclusion proofs verify against the signed roots for many (index, size) pairs", async () => {
    const pairs: Array<[number, number]> = [];
    for (const c of cps) {
      for (const i of new Set([0, c.size - 1, Math.floor(c.size / 2), 15, 16, 255, 256, 511, 1000, 1023, 1024])) if (i < c.size) pairs.push([i, c.size]);
    }
    for (let k = 0; k < 120; k++) {
      const c = cps[k % cps.length]!;
      pairs.push([(k * 7919) % c.size, c.size]);
    }
    expect(pairs.length).toBeGreaterThan(150);
    for (const [index, size] of pairs) {
      const root = cps.find((c) => c.size === size)!.root;
      const p = await proveInclusion({ sql: t.db.sql, orgId: org.id, seq: index + 1, treeSize: size });
      expect(p).toMatchObject({ leaf_index: index, tree_size: size, seq: index + 1 });
      expect(Buffer.from(p.leaf_hash).equals(Buffer.from(leaves[index]!))).toBe(true);
      expect(verifyInclusion({ index, size, leafHash: p.leaf_hash, proof: p.hashes, root })).toBe(true);
      // and the proof is bound to its leaf: another leaf does not verify
      expect(verifyInclusion({ index, size, leafHash: leaves[(index + 1) % size]!, proof: p.hashes, root })).toBe(size === 1);
    }
    const byId = await proveInclusion({ sql: t.db.sql, orgId: org.id, id: "ev-5" });
    expect(byId).toMatchObject({ seq: 6, leaf_index: 5, tree_size: TOTAL });
  });

  it("consistency proofs between every pair of stored checkpoints verify", async () => {
    let checked = 0;
    for (const a of cps) {
      for (const b of cps) {
        if (a.size > b.size) continue;
        const p = await proveConsistency({ sql: t.db.sql, orgId: org.id, first: a.size, second: b.size });
        expect(verifyConsistency({ first: a.size, second: b.size, firstRoot: a.root, secondRoot: b.root, proof: p.hashes })).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe((cps.length * (cps.length + 1)) / 2);
    // and they fail against a root of another size
    const p = await proveConsistency({ sql: t.db.sql, orgId: org.id, first: cps[2]!.size, second: cps[5]!.size });
    expect(verifyConsistency({ first: cps[2]!.size, second: cps[5]!.size, firstRoot: cps[1]!.root, secondRoot: cps[5]!.root, proof: p.hashes })).toBe(false);
  });

  it("multiproofs for sets of entries give the signed root", async () => {
    const size = cps[cps.length - 1]!.size;
    const sets = [[0], [size - 1], [3, 4, 5, 700, 701, 1023, 1024], Array.from({ length: 200 }, (_, i) => 300 + i), Array.from({ length: 40 }, (_, i) => (i * 37) % size)];
    for (const indices of sets) {
      const proof = await proveEntries({ sql: t.db.sql, orgId: org.id, treeSize: size, indices });
      const root = rootFromMultiProof({
        size,
        leaves: new Map(indices.map((i) => [i, leaves[i]!])),
        nodes: new Map(proof.nodes.map((n) => [`${n.start}-${n.end}`, n.hash])),
      });
      expect(Buffer.from(root).equals(Buffer.from(cps[cps.length - 1]!.root))).toBe(true);
    }
  });

  it("refuses bad proof requests naming the parameter", async () => {
    const err = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as AppError);
    expect(await err(proveConsistency({ sql: t.db.sql, orgId: org.id, first: 10, second: 5 }))).toMatchObject({ status: 400, field: "first" });
    expect(await err(proveConsistency({ sql: t.db.sql, orgId: org.id, first: 1, second: TOTAL + 1 }))).toMatchObject({ status: 400, field: "second" });
    expect(await err(proveConsistency({ sql: t.db.sql, orgId: org.id, first: 0, second: 5 }))).toMatchObject({ status: 400, field: "first" });
    expect(await err(proveInclusion({ sql: t.db.sql, orgId: org.id, seq: 20, treeSize: 10 }))).toMatchObject({ status: 400, field: "tree_size" });
    expect(await err(proveInclusion({ sql: t.db.sql, orgId: org.id, seq: 1, treeSize: TOTAL + 1 }))).toMatchObject({ status: 400, field: "tree_size" });
    expect(await err(proveInclusion({ sql: t.db.sql, orgId: org.id, id: "nope" }))).toMatchObject({ status: 404 });
    const empty = await createTestOrg(t.db);
    expect(await err(getCheckpoint({ sql: t.db.sql, orgId: empty.id }))).toMatchObject({ status: 404 });
    expect(await err(getCheckpoint({ sql: t.db.sql, orgId: org.id, size: 2 }))).toMatchObject({ status: 404 });
  });

  it("the signing key is nowhere in the database (every row of every table, as text)", async () => {
    // PRIVATE+KEY+<name>+<keyid>+<base64(0x01 ‖ seed)>: the base64 may itself contain "+", so take
    // everything after the fourth separator (split("+").pop() gave a few characters that matched by chance).
    const secret = key.skey.split("+").slice(4).join("+");
    expect(secret.length).toBeGreaterThanOrEqual(44);
    const tables = await t.db.sql.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`);
    expect(tables.length).toBeGreaterThan(10);
    for (const { t: table } of tables) {
      const hits = await t.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" x WHERE x::text LIKE '%' || $1 || '%'`, [secret]);
      expect(hits[0]!.n, table).toBe(0);
    }
    const scanned = await t.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_checkpoints WHERE org_id = $1`, [org.id]);
    expect(scanned[0]!.n).toBe(BATCHES.length); // the scan above did look at rows
  });

  it("one root per size: the database refuses a second checkpoint of a size, and any change to checkpoints or nodes", async () => {
    const c = cps[3]!;
    await expect(
      t.db.sql.query(`INSERT INTO audit_checkpoints (org_id, tree_size, root_hash, note) VALUES ($1, $2, decode($3, 'hex'), 'forged')`, [org.id, c.size, "00".repeat(32)]),
    ).rejects.toThrow(/duplicate key|unique/i);
    await expect(t.db.sql.query(`UPDATE audit_checkpoints SET note = 'x' WHERE org_id = $1`, [org.id])).rejects.toThrow(/append-only/);
    await expect(t.db.sql.query(`DELETE FROM audit_checkpoints WHERE org_id = $1`, [org.id])).rejects.toThrow(/append-only/);
    await expect(t.db.sql.query(`UPDATE audit_merkle_nodes SET hash = '\\x00' WHERE org_id = $1`, [org.id])).rejects.toThrow(/append-only/);
    await expect(t.db.sql.query(`TRUNCATE audit_merkle_nodes`)).rejects.toThrow(/append-only/);
    await expect(t.db.sql.query(`UPDATE audit_chain_heads SET tree_size = 3 WHERE org_id = $1`, [org.id])).rejects.toThrow(/cannot shrink/);
    const still = await getStoredCheckpoint({ sql: t.db.sql, orgId: org.id, size: c.size });
    expect(Buffer.from(still.rootHash).equals(Buffer.from(c.root))).toBe(true);
  });
});

describe(`verifiable log under concurrency and tampering (${TEST_DB})`, () => {
  it("8 concurrent writers give one chain and one consistent checkpoint sequence", async () => {
    const org = await createTestOrg(t.db);
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let b = 0; b < 5; b++) await appendEvents({ sql: t.db.sql, orgId: org.id, events: events(w * 1000 + b * 20, 20) });
      }),
    );
    const leaves = (await contents(t.db, org.id)).map((c) => leafHash(c));
    expect(leaves).toHaveLength(800);
    const cps = await checkpoints(t.db, org.id);
    expect(cps.map((c) => c.size)).toEqual(Array.from({ length: 40 }, (_, i) => (i + 1) * 20));
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i]!;
      expect(Buffer.from(c.root).equals(Buffer.from(rootFromLeafHashes(leaves.slice(0, c.size))))).toBe(true);
      if (i === 0) continue;
      const prev = cps[i - 1]!;
      const p = await proveConsistency({ sql: t.db.sql, orgId: org.id, first: prev.size, second: c.size });
      expect(verifyConsistency({ first: prev.size, second: c.size, firstRoot: prev.root, secondRoot: c.root, proof: p.hashes })).toBe(true);
    }
  });

  it("a row added with a plain INSERT makes the next ingest refuse to sign (503), naming the seq, and store nothing", async () => {
    const org = await createTestOrg(t.db);
    await appendEvents({ sql: t.db.sql, orgId: org.id, events: events(0, 3) });
    // The attacker copies the shape of a real row (no trigger stops an INSERT).
    await t.db.sql.query(
      `INSERT INTO audit_events (org_id, seq, id, timestamp, received_at, actor_id, actor_type, action, resource_type, resource_id, content, request_digest, hash, previous_hash)
       SELECT org_id, 4, 'forged', timestamp, received_at, actor_id, actor_type, action, resource_type, resource_id, content, request_digest, 'sha256:' || repeat('0', 64), hash
       FROM audit_events WHERE org_id = $1 AND seq = 3`,
      [org.id],
    );
    const e1 = await appendEvents({ sql: t.db.sql, orgId: org.id, events: events(10, 2) }).then(() => null, (e: unknown) => e as AppError);
    expect(e1).toBeInstanceOf(AppError);
    expect(e1).toMatchObject({ status: 503, code: "service_unavailable", details: { integrity: { uncovered_from_seq: 4, uncovered_to_seq: 4 } } });
    expect(e1!.message).toMatch(/seq 4/);
    // …and also when the attacker moved the chain head forward over the forged row.
    await t.db.sql.query(`UPDATE audit_chain_heads SET seq = 4, hash = 'sha256:' || repeat('0', 64) WHERE org_id = $1`, [org.id]);
    const e2 = await appendEvents({ sql: t.db.sql, orgId: org.id, events: events(10, 2) }).then(() => null, (e: unknown) => e as AppError);
    expect(e2).toMatchObject({ status: 503, details: { integrity: { uncovered_from_seq: 4, uncovered_to_seq: 4 } } });
    expect(e2!.message).toMatch(/added outside ingest/);
    const n = await t.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1`, [org.id]);
    expect(n[0]!.n).toBe(4);
    expect((await checkpoints(t.db, org.id)).map((c) => c.size)).toEqual([3]);
  });
});

describe(`signCheckpoint with the tree state of the caller's lock query: one statement (${TEST_DB})`, () => {
  /** As ingest does: lock the chain head reading its tree state, sign `contents` on top; commit or roll back. */
  const signWithLockState = (orgId: string, contents: string[], commit: boolean) =>
    t.db.sql
      .transaction(async (tx) => {
        const [head] = await tx.query<{ seq: number; tree_size: number; frontier: Uint8Array | null }>(
          `SELECT seq, ${CHAIN_HEAD_TREE_COLUMNS} FROM audit_chain_heads WHERE org_id = $1 FOR UPDATE`,
          [orgId],
        );
        const tree = { size: Number(head!.tree_size), frontier: head!.frontier };
        const cp = await signCheckpoint({ tx, orgId, headSeq: Number(head!.seq), tree, contents });
        if (!commit) throw Object.assign(new Error("rollback"), { cp });
        return cp;
      })
      .catch((e: unknown) => {
        if (e instanceof Error && e.message === "rollback") return (e as Error & { cp: Awaited<ReturnType<typeof signCheckpoint>> }).cp;
        throw e;
      });
  const signReading = (orgId: string, contents: string[]) =>
    t.db.sql
      .transaction(async (tx) => {
        const [head] = await tx.query<{ seq: number }>(`SELECT seq FROM audit_chain_heads WHERE org_id = $1 FOR UPDATE`, [orgId]);
        throw Object.assign(new Error("rollback"), { cp: await signCheckpoint({ tx, orgId, headSeq: Number(head!.seq), contents }) });
      })
      .catch((e: unknown) => (e as Error & { cp: Awaited<ReturnType<typeof signCheckpoint>> }).cp);
  const counts = async (orgId: string) =>
    (
      await t.db.sql.query<{ cps: number; nodes: number }>(
        `SELECT (SELECT count(*) FROM audit_checkpoints WHERE org_id = $1)::int AS cps, (SELECT count(*) FROM audit_merkle_nodes WHERE org_id = $1)::int AS nodes`,
        [orgId],
      )
    )[0]!;

  it("signs what the read path signs, and refuses a forged row beyond the head or a checkpoint beyond the tree, writing nothing", async () => {
    const org = await createTestOrg(t.db);
    await appendEvents({ sql: t.db.sql, orgId: org.id, events: events(0, 3) });
    const more = Array.from({ length: 40 }, (_, i) => `{"n":${i}}`);
    const viaLock = await signWithLockState(org.id, more, false);
    const viaRead = await signReading(org.id, more);
    expect(viaLock).not.toBeNull();
    expect(viaLock!.note).toBe(viaRead!.note);
    expect(viaLock!.treeSize).toBe(43);
    expect(Buffer.from(viaLock!.rootHash).equals(Buffer.from(rootFromLeafHashes([...(await contents(t.db, org.id)), ...more].map((c) => leafHash(c)))))).toBe(true);
    const before = await counts(org.id);

    // a row put in with a plain INSERT on the next seq, the head left alone
    await t.db.sql.query(
      `INSERT INTO audit_events (org_id, seq, id, timestamp, received_at, actor_id, actor_type, action, resource_type, resource_id, content, request_digest, hash, previous_hash)
       SELECT org_id, 4, 'forged', timestamp, received_at, actor_id, actor_type, action, resource_type, resource_id, content, request_digest, 'sha256:' || repeat('0', 64), hash
       FROM audit_events WHERE org_id = $1 AND seq = 3`,
      [org.id],
    );
    const e1 = await signWithLockState(org.id, more, true).then(() => null, (e: unknown) => e as AppError);
    expect(e1).toMatchObject({ status: 503, details: { integrity: { uncovered_from_seq: 4, uncovered_to_seq: 4 } } });
    expect(e1!.message).toMatch(/stored beyond the chain head/);
    expect(await counts(org.id)).toEqual(before);
    // …and a checkpoint beyond the tree (the forged row gone again would not help: checkpoints are checked too)
    const org2 = await createTestOrg(t.db);
    await appendEvents({ sql: t.db.sql, orgId: org2.id, events: events(0, 2) });
    const [cp] = await t.db.sql.query<{ note: string; root_hash: Uint8Array }>(`SELECT note, root_hash FROM audit_checkpoints WHERE org_id = $1`, [org2.id]);
    await t.db.sql.query(`INSERT INTO audit_checkpoints (org_id, tree_size, root_hash, note) VALUES ($1, 100, $2, $3)`, [org2.id, cp!.root_hash, cp!.note]);
    const before2 = await counts(org2.id);
    const e2 = await signWithLockState(org2.id, more, true).then(() => null, (e: unknown) => e as AppError);
    expect(e2).toMatchObject({ status: 503, details: { integrity: { uncovered_from_seq: 3, uncovered_to_seq: 100 } } });
    expect(e2!.message).toMatch(/checkpoint of size 100 exists beyond the tree/);
    expect(await counts(org2.id)).toEqual(before2);
  });
});

describe(`verifiable log after entries were removed (${TEST_DB})`, () => {
  it("with the removed prefix's subtrees stored, proofs for the remaining entries verify; one that needs a removed entry is 410", async () => {
    const org = await createTestOrg(t.db);
    await appendEvents({ sql: t.db.sql, orgId: org.id, events: events(0, 23) });
    await appendEvents({ sql: t.db.sql, orgId: org.id, events: events(23, 24) });
    const leaves = (await contents(t.db, org.id)).map((c) => leafHash(c));
    const cps = await checkpoints(t.db, org.id);
    expect(cps.map((c) => c.size)).toEqual([23, 47]);
    // What the retention path does before it removes entries 1..21 (lib/retention/enforce-retention.ts).
    await t.db.sql.query(`SELECT audit_merkle_store_prefix($1, 21)`, [org.id]);
    await t.db.sql.exec(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`);
    try {
      await t.db.sql.query(`DELETE FROM audit_events WHERE org_id = $1 AND seq <= 21`, [org.id]);
    } finally {
      await t.db.sql.exec(`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_update_delete`);
    }
    for (const seq of [22, 23, 24, 32, 33, 47]) {
      for (const c of cps.filter((c) => c.size >= seq)) {
        const p = await proveInclusion({ sql: t.db.sql, orgId: org.id, seq, treeSize: c.size });
        expect(verifyInclusion({ index: seq - 1, size: c.size, leafHash: leaves[seq - 1]!, proof: p.hashes, root: c.root })).toBe(true);
      }
    }
    const c = await proveConsistency({ sql: t.db.sql, orgId: org.id, first: 23, second: 47 });
    expect(verifyConsistency({ first: 23, second: 47, firstRoot: cps[0]!.root, secondRoot: cps[1]!.root, proof: c.hashes })).toBe(true);
    const gone = await proveConsistency({ sql: t.db.sql, orgId: org.id, first: 5, second: 47 }).then(() => null, (e: unknown) => e as AppError);
    expect(gone).toMatchObject({ status: 410, code: "gone" });
  });
});

describe(`verifiable log: chains that existed before the tree (${TEST_DB})`, () => {
  it("the migration builds the tree of existing chains (also after an old retention cut); start-up signs it; ingest goes on", async () => {
    const all = readMigrations();
    const before = all.findIndex((m) => m.name.endsWith("_merkle_log"));
    expect(before).toBeGreaterThan(0);
    let db: Database;
    let drop: () => Promise<void>;
    if (TEST_DB === "postgres") {
      const s = await createScratchPostgres();
      db = await openDatabase({ url: s.url });
      drop = s.drop;
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-legacy-"));
      db = await openDatabase({ dataDir: dir });
      drop = async () => fs.rmSync(dir, { recursive: true, force: true });
    }
    try {
      // (on Citus the tables are laid out at the last step, with their data, as for a database
      // that existed before it was pointed at a coordinator)
      await runMigrations({ sql: db.sql, migrations: all.slice(0, before), distribute: false });
      const N = 300;
      for (const org of ["old1", "old2"]) {
        await db.sql.query(`INSERT INTO orgs (id, slug, name) VALUES ($1, $1, $1)`, [org]);
        await db.sql.query(`INSERT INTO audit_chain_heads (org_id, seq) VALUES ($1, $2)`, [org, N]);
        await db.sql.query(
          `INSERT INTO audit_events (org_id, seq, id, timestamp, received_at, actor_id, actor_type, action, resource_type, resource_id, content, request_digest, hash)
           SELECT $1, s, 'e' || s, now(), now(), 'a', 'user', 'x.y', 'r', 'r', json_build_object('org', $1::text, 'seq', s, 'text', 'é😀')::text, 'd', 'h' || s
           FROM generate_series(1, $2::int) s`,
          [org, N],
        );
      }
      // old2 had entries 1..37 removed by retention before the tree existed
      await db.sql.exec(`ALTER TABLE audit_events DISABLE TRIGGER USER`);
      await db.sql.query(`DELETE FROM audit_events WHERE org_id = 'old2' AND seq <= 37`);
      await db.sql.exec(`ALTER TABLE audit_events ENABLE TRIGGER USER`);
      await runMigrations({ sql: db.sql, migrations: all });
      const signed = await signPendingCheckpoints({ sql: db.sql, log: () => undefined });
      expect(signed).toBe(2);
      for (const org of ["old1", "old2"]) {
        const stored = (await db.sql.query<{ content: string; seq: number }>(`SELECT seq, content FROM audit_events WHERE org_id = $1 ORDER BY seq`, [org])).map((r) => r.content);
        const leaves = [...Array.from({ length: N - stored.length }, () => leafHash("")), ...stored.map((c) => leafHash(c))];
        expect(stored).toHaveLength(org === "old2" ? N - 37 : N);
        const cp = parseCheckpoint(openNote({ note: await getCheckpoint({ sql: db.sql, orgId: org }), verifiers: [key.vkey] }).text);
        expect(cp.size).toBe(N);
        expect(Buffer.from(cp.rootHash).equals(Buffer.from(rootFromLeafHashes(leaves)))).toBe(true);
        // proofs for the remaining entries work, also right after the removed prefix
        for (const seq of [38, 39, 64, 200, N]) {
          const p = await proveInclusion({ sql: db.sql, orgId: org, seq });
          expect(verifyInclusion({ index: seq - 1, size: N, leafHash: leaves[seq - 1]!, proof: p.hashes, root: cp.rootHash })).toBe(true);
        }
        await appendEvents({ sql: db.sql, orgId: org, events: events(0, 5) });
        const next = await getStoredCheckpoint({ sql: db.sql, orgId: org });
        expect(next.treeSize).toBe(N + 5);
        const c = await proveConsistency({ sql: db.sql, orgId: org, first: N, second: N + 5 });
        expect(verifyConsistency({ first: N, second: N + 5, firstRoot: cp.rootHash, secondRoot: next.rootHash, proof: c.hashes })).toBe(true);
      }
      expect(await signPendingCheckpoints({ sql: db.sql, log: () => undefined })).toBe(0);
    } finally {
      await db.close();
      await drop();
    }
  });
});
