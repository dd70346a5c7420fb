/**
 * Issue #9, "Done means": every tampering attack an attacker with database rights can make, each
 * shown detected (or refused) and named. Runs on both PGlite and PostgreSQL; the numbered list is
 * docs/integrity.md "Threat model" → "The attack tests".
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvents } from "@/lib/audit/append-events";
import { chainHash } from "@/lib/audit/canonical-json";
import { verifyChain } from "@/lib/audit/verify-chain";
import type { ChainProblem, VerifyResult } from "@/lib/audit/verify-schemas";
import { formatCheckpoint, parseCheckpoint } from "@/lib/integrity/checkpoint";
import { loadLogSigner } from "@/lib/integrity/load-log-signer";
import { generateSigner, signNote } from "@/lib/integrity/signed-note";
import { noteText } from "@/lib/retention/cut-note";
import { enforceRetention } from "@/lib/retention/enforce-retention";
import { createLegalHold } from "@/lib/retention/manage-legal-holds";
import type { Database } from "@/lib/db/open-database";
import { createTestDatabase, sampleEvent, TEST_DB, type TestDb } from "../support/test-database";

let t: TestDb;
let db: Database;

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
});
afterAll(async () => {
  await t?.drop();
});

const tester = { id: "tester", type: "user" as const, email: "t@acme.com" };
const expired = (i: number, extra: Record<string, unknown> = {}) => ({
  id: `old-${i}`,
  timestamp: `2015-01-0${i}T10:00:00Z`,
  actor: { id: "user_alice", type: "user" as const, email: "alice@acme.com" },
  action: "user.login",
  resource: { type: "user", id: "user_alice" },
  ...extra,
});

/** An org whose chain starts with 6 expired entries, entry 3 in repository repo_legal under an active hold. */
async function heldOrg(): Promise<string> {
  const id = `org_${crypto.randomBytes(5).toString("hex")}`;
  await db.prisma.org.create({ data: { id, slug: id.replace("_", "-"), name: id } });
  await appendEvents({
    sql: db.sql,
    orgId: id,
    events: [expired(1), expired(2), expired(3, { repository: { id: "repo_legal", name: "acme/legal" } }), expired(4), expired(5), expired(6)],
  });
  await createLegalHold({ db, orgId: id, hold: { scope: "repository", target: "repo_legal", reason: "litigation 2026-17" }, actor: tester });
  return id;
}

const count = async (orgId: string) => Number((await db.sql.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM audit_events WHERE org_id = $1`, [orgId]))[0]!.n);

describe(`retention purge attacks (${TEST_DB})`, () => {
  it("attack R1: a role without table privileges calls the purge with an arbitrary cutoff → refused (permission denied), nothing deleted", async () => {
    const orgId = await heldOrg();
    const before = await count(orgId);
    const role = `attacker_${crypto.randomBytes(4).toString("hex")}`;
    // LOGIN: on Citus the coordinator connects to the workers as the current role (a NOLOGIN
    // role would fail there before any privilege is checked)
    await db.sql.exec(`CREATE ROLE ${role} LOGIN`);
    try {
      // The old signature (caller-chosen cutoff) no longer exists.
      await expect(
        db.sql.transaction(async (tx) => {
          await tx.query(`SET LOCAL ROLE ${role}`);
          await tx.query(`SELECT audit_retention_purge($1, 20, 'infinity')`, [orgId]);
        }),
      ).rejects.toThrow(/does not exist/);
      // The new functions: EXECUTE is not granted to PUBLIC.
      for (const call of [`SELECT * FROM public.audit_retention_purge($1, 'x')`, `SELECT * FROM public.audit_retention_plan($1)`]) {
        await expect(
          db.sql.transaction(async (tx) => {
            await tx.query(`SET LOCAL ROLE ${role}`);
            await tx.query(call, [orgId]);
          }),
        ).rejects.toThrow(/permission denied/);
      }
      // Nor can it delete directly.
      await expect(
        db.sql.transaction(async (tx) => {
          await tx.query(`SET LOCAL ROLE ${role}`);
          await tx.query(`DELETE FROM public.audit_events WHERE org_id = $1`, [orgId]);
        }),
      ).rejects.toThrow(/permission denied/);
    } finally {
      await db.sql.exec(`DROP ROLE ${role}`);
    }
    // The old trick of the table owner — the transaction-local flags the guard used to trust — is dead too.
    await expect(
      db.sql.transaction(async (tx) => {
        await tx.query(`SELECT set_config('audit.purge_org', $1, true), set_config('audit.purge_through_seq', '20', true)`, [orgId]);
        await tx.query(`DELETE FROM audit_events WHERE org_id = $1 AND seq <= 20`, [orgId]);
      }),
    ).rejects.toThrow(/append-only/);
    expect(await count(orgId)).toBe(before);
    expect(await db.sql.query(`SELECT 1 FROM audit_chain_cuts WHERE org_id = $1`, [orgId])).toEqual([]);
  });

  it("attack R2: a temporary table named legal_holds shadowing the real one → the real hold is still honoured", async () => {
    const orgId = await heldOrg();
    const [entry2] = await db.sql.query<{ hash: string }>(`SELECT hash FROM audit_events WHERE org_id = $1 AND seq = 2`, [orgId]);
    const [entry6] = await db.sql.query<{ hash: string }>(`SELECT hash FROM audit_events WHERE org_id = $1 AND seq = 6`, [orgId]);
    const shadowed = async <T,>(fn: (q: (text: string) => Promise<Record<string, unknown>[]>) => Promise<T>) =>
      db.sql.transaction(async (tx) => {
        await tx.query(`CREATE TEMP TABLE legal_holds (LIKE public.legal_holds) ON COMMIT DROP`);
        await tx.query(`SET LOCAL search_path = pg_temp, public`);
        // The shadow is what an unqualified name now resolves to: no holds.
        expect(await tx.query(`SELECT count(*)::int8 AS n FROM legal_holds`)).toEqual([{ n: 0 }]);
        return fn((text) => tx.query(text, [orgId]));
      });
    const [plan] = await shadowed((q) => q(`SELECT through_seq, stopped_by, held_from_seq FROM audit_retention_plan($1)`));
    expect(plan).toEqual({ through_seq: 2, stopped_by: "legal_hold", held_from_seq: 3 });
    // A note naming the cut past the hold is refused; nothing is removed.
    await expect(shadowed((q) => q(`SELECT * FROM audit_retention_purge($1, E'x\\ncut 6 ${entry6!.hash}\\n')`))).rejects.toThrow(/does not name cut 2/);
    expect(await count(orgId)).toBe(7); // 6 events + legal_hold.created
    // The cut the hold allows goes through, and only that.
    const [done] = await shadowed((q) => q(`SELECT removed, through_seq FROM audit_retention_purge($1, E'x\\ncut 2 ${entry2!.hash}\\n')`));
    expect(done).toEqual({ removed: 2, through_seq: 2 });
    expect((await db.sql.query<{ seq: number }>(`SELECT min(seq) AS seq FROM audit_events WHERE org_id = $1`, [orgId]))[0]!.seq).toBe(3);
  });

  it("the normal path: enforceRetention cuts up to the hold, records the cut with its note and retention.enforced in the same transaction", async () => {
    const orgId = await heldOrg();
    const r = await enforceRetention({ db, orgId });
    expect(r).toMatchObject({ removed: 2, through_seq: 2, stopped_by: "legal_hold", held_from_seq: 3 });
    const [cut] = await db.sql.query<{ note: string | null }>(`SELECT note FROM audit_chain_cuts WHERE org_id = $1`, [orgId]);
    expect(cut!.note).toContain(`\ncut 2 ${r.cut_hash}\n`);
    const enforced = await db.sql.query<{ seq: number }>(`SELECT seq FROM audit_events WHERE org_id = $1 AND action = 'retention.enforced'`, [orgId]);
    expect(enforced).toEqual([{ seq: 8 }]);
  });

  it("a cut without a note (as cuts made before issue #9) is valid when the signed tree holds the retention.enforced entry naming it", async () => {
    const orgId = await heldOrg();
    await enforceRetention({ db, orgId });
    expect(await verify(orgId)).toMatchObject({ verified: true, log: { cuts_invalid: 0 } });
    await tamper(orgId, [`UPDATE audit_chain_cuts SET note = NULL WHERE org_id = $1`]);
    const v = await verify(orgId);
    expect(v).toMatchObject({ verified: true, retention_cut: { seq: 2 }, log: { cuts_invalid: 0, tree_size: 8 } });
    expect(v.log.checkpoints_checked).toBeGreaterThan(0);
    // …but not when that entry is gone too: then nothing signed says the service made the cut.
    const [enforced] = await db.sql.query<{ seq: number }>(`SELECT seq FROM audit_events WHERE org_id = $1 AND action = 'retention.enforced'`, [orgId]);
    await tamper(orgId, [`UPDATE audit_events SET content = replace(content, '"through_seq":2', '"through_seq":1') WHERE org_id = $1 AND seq = ${enforced!.seq}`]);
    expectProblem(await verify(orgId), { problem: "cut_unsigned", seq: 2 });
  });

  it("after a cut without a note, the next cut still records the tree's frontier (from the stored subtrees) and verifies", async () => {
    const { releaseLegalHold } = await import("@/lib/retention/manage-legal-holds");
    const orgId = await heldOrg();
    await enforceRetention({ db, orgId }); // cut through 2 (the hold on entry 3)
    await tamper(orgId, [`UPDATE audit_chain_cuts SET note = NULL WHERE org_id = $1`]);
    const [hold] = await db.sql.query<{ id: string }>(`SELECT id FROM legal_holds WHERE org_id = $1`, [orgId]);
    await releaseLegalHold({ db, orgId, id: hold!.id, actor: tester });
    const second = await enforceRetention({ db, orgId });
    expect(second).toMatchObject({ through_seq: 6, stopped_by: "unexpired_entry" });
    const [cut] = await db.sql.query<{ note: string }>(`SELECT note FROM audit_chain_cuts WHERE org_id = $1 AND cut_seq = 6`, [orgId]);
    expect(cut!.note).not.toContain("frontier unknown");
    const v = await verify(orgId);
    expect(v).toMatchObject({ verified: true, retention_cut: { seq: 6 }, log: { cuts_invalid: 0 } });
    expect(v.log.checkpoints_checked).toBeGreaterThan(0);
  });

  it("editing a copied column cannot pull an entry out of a hold: the purge re-checks the hashed content", async () => {
    const orgId = await heldOrg();
    // A superuser rewrites entry 3's repository_id with the guard off; the content still says repo_legal.
    await db.sql.transaction(async (tx) => {
      await tx.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`);
      await tx.query(`UPDATE audit_events SET repository_id = 'elsewhere' WHERE org_id = $1 AND seq = 3`, [orgId]);
      await tx.query(`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_update_delete`);
    });
    const [plan] = await db.sql.transaction((tx) => tx.query(`SELECT through_seq, stopped_by, held_from_seq FROM audit_retention_plan($1)`, [orgId]));
    expect(plan).toEqual({ through_seq: 2, stopped_by: "legal_hold", held_from_seq: 3 });
  });

  it("the SQL default retention (no policy row) is the application's default", async () => {
    const { DEFAULT_RETENTION_POLICY } = await import("@/lib/retention/retention-schema");
    const orgId = await heldOrg();
    const [plan] = await db.sql.transaction((tx) => tx.query<{ retention_days: number }>(`SELECT retention_days FROM audit_retention_plan($1)`, [orgId]));
    expect(plan!.retention_days).toBe(DEFAULT_RETENTION_POLICY.audit_logs.retention_days);
  });
});

// ---------------------------------------------------------------------------------------------------
// Attacks on the log itself, as a database superuser would make them (guards switched off where needed).

/** An org with `n` entries, each appended by its own ingest (so each has its own checkpoint and attestation). */
async function loggedOrg(n = 8): Promise<string> {
  const id = `org_${crypto.randomBytes(5).toString("hex")}`;
  await db.prisma.org.create({ data: { id, slug: id.replace("_", "-"), name: id } });
  for (let i = 1; i <= n; i++) await appendEvents({ sql: db.sql, orgId: id, events: [sampleEvent(i)] });
  return id;
}

const GUARDS: Record<string, string[]> = {
  audit_events: ["audit_events_no_update_delete", "audit_events_no_truncate"],
  audit_chain_heads: ["audit_chain_heads_guard"],
  audit_chain_cuts: ["audit_chain_cuts_no_update_delete"],
  audit_checkpoints: ["audit_checkpoints_no_update_delete"],
  audit_column_attestations: ["audit_column_attestations_no_update_delete"],
};

/** Runs statements (parameter $1 = the org) with every append-only guard off, then on again (ENABLE ALWAYS). */
async function tamper(orgId: string, statements: string[]): Promise<void> {
  await db.sql.transaction(async (tx) => {
    for (const [table, triggers] of Object.entries(GUARDS)) for (const t of triggers) await tx.query(`ALTER TABLE ${table} DISABLE TRIGGER ${t}`);
    for (const s of statements) await tx.query(s, s.includes("$1") ? [orgId] : []);
    for (const [table, triggers] of Object.entries(GUARDS)) for (const t of triggers) await tx.query(`ALTER TABLE ${table} ENABLE ALWAYS TRIGGER ${t}`);
  });
}

const verify = (orgId: string, deep = false) => verifyChain({ sql: db.sql, orgId, filter: {}, deep });

function expectProblem(v: VerifyResult, expected: Partial<ChainProblem> & { problem: ChainProblem["problem"] }): void {
  expect(v.verified).toBe(false);
  expect(v.problems).toContainEqual(expect.objectContaining(expected));
}

/** Rewrites the chain hashes of entries from..head after a change, as an attacker covering tracks would. */
async function rechain(orgId: string, from: number): Promise<void> {
  const rows = await db.sql.query<{ seq: number; content: string }>(`SELECT seq, content FROM audit_events WHERE org_id = $1 AND seq >= $2 ORDER BY seq`, [orgId, from]);
  const [prev] = await db.sql.query<{ hash: string }>(`SELECT hash FROM audit_events WHERE org_id = $1 AND seq = $2`, [orgId, from - 1]);
  let p: string | null = prev?.hash ?? null;
  const stmts: string[] = [];
  for (const r of rows) {
    const h = chainHash(p, r.content);
    stmts.push(`UPDATE audit_events SET hash = '${h}', previous_hash = ${p === null ? "NULL" : `'${p}'`} WHERE org_id = $1 AND seq = ${r.seq}`);
    p = h;
  }
  // hashes are UNIQUE per org as previous_hash: clear the old links first
  await tamper(orgId, [`UPDATE audit_events SET previous_hash = NULL WHERE org_id = $1 AND seq >= ${from}`, ...stmts, `UPDATE audit_chain_heads SET hash = '${p}' WHERE org_id = $1`]);
}

describe(`tamper attacks on the log, detected by verify (${TEST_DB})`, () => {
  it("baseline: an untouched log verifies, with every checkpoint and attestation checked", async () => {
    const orgId = await loggedOrg();
    const v = await verify(orgId);
    expect(v).toMatchObject({ verified: true, problem_count: 0, log: { tree_size: 8, checkpoints_checked: 8, attestations: 8, unattested_entries: 0, guards_ok: true } });
  });

  it("each verification through the API path is itself recorded as integrity.verified, with its summary", async () => {
    const { verifyAndRecord } = await import("@/lib/audit/verify-and-record");
    const orgId = await loggedOrg(3);
    await tamper(orgId, [`UPDATE audit_events SET actor_email = 'x@example.com' WHERE org_id = $1 AND seq = 2`]);
    const v = await verifyAndRecord({ db, orgId, actor: tester, filter: {} });
    expect(v.verified).toBe(false);
    const [ev] = await db.sql.query<{ seq: number; content: string }>(`SELECT seq, content FROM audit_events WHERE org_id = $1 AND action = 'integrity.verified'`, [orgId]);
    expect(ev!.seq).toBe(4);
    expect(JSON.parse(ev!.content).details).toMatchObject({ verified: false, logs_checked: 3, tree_size: 3, problem_count: 1, problem_kinds: { column_mismatch: 1 } });
  });

  it("attack 1: edit content → hash_mismatch at the entry and root_mismatch naming it", async () => {
    const orgId = await loggedOrg();
    await tamper(orgId, [`UPDATE audit_events SET content = replace(content, '"Policy', '"Edited') WHERE org_id = $1 AND seq = 4`]);
    const v = await verify(orgId);
    expectProblem(v, { problem: "hash_mismatch", seq: 4, id: "ev-4" });
    expectProblem(v, { problem: "root_mismatch", seq: 4, checkpoint_size: 4 });
  });

  for (const [n, field, value] of [
    [2, "actor_id", "'someone-else'"],
    [3, "actor_email", "'nobody@example.com'"],
    [4, "action", "'user.logout'"],
    // a constant (entry 5 says 2015-01-05): Citus refuses UPDATEs of distributed tables with
    // STABLE expressions over columns (timestamptz - interval depends on the time zone)
    [5, "timestamp", "timestamptz '2013-12-01 10:00:00+00'"],
    [6, "search_vector", "to_tsvector('simple', 'nothing to see')"],
  ] as const) {
    it(`attack ${n}: edit the copied column ${field} → column_mismatch naming seq and field`, async () => {
      const orgId = await loggedOrg();
      await tamper(orgId, [`UPDATE audit_events SET ${field} = ${value} WHERE org_id = $1 AND seq = 5`]);
      const v = await verify(orgId);
      expect(v.hash_mismatches).toBe(0); // the content is untouched: the chain alone would not see it
      expectProblem(v, { problem: "column_mismatch", seq: 5, id: "ev-5", field });
      expect(v.column_mismatches).toBe(1);
      // deep: the attestation's digest over the column hashes fails too, and names the same
      const d = await verify(orgId, true);
      expectProblem(d, { problem: "column_mismatch", seq: 5, id: "ev-5", field });
    });
  }

  it("attack 7: delete one row → gap naming it; the tree cannot be recomputed past it", async () => {
    const orgId = await loggedOrg();
    await tamper(orgId, [`DELETE FROM audit_events WHERE org_id = $1 AND seq = 3`]);
    const v = await verify(orgId);
    expectProblem(v, { problem: "gap", seq: 3 });
    expectProblem(v, { problem: "tree_incomplete", seq: 3 });
  });

  it("attack 8: delete the tail and roll the chain head back → truncated and head_rollback against the latest checkpoint", async () => {
    const orgId = await loggedOrg();
    const [h6] = await db.sql.query<{ hash: string }>(`SELECT hash FROM audit_events WHERE org_id = $1 AND seq = 6`, [orgId]);
    await tamper(orgId, [`DELETE FROM audit_events WHERE org_id = $1 AND seq > 6`, `UPDATE audit_chain_heads SET seq = 6, hash = '${h6!.hash}', tree_size = 6 WHERE org_id = $1`]);
    const v = await verify(orgId);
    expect(v.chain_valid).toBe(true); // the hash chain alone is consistent
    expectProblem(v, { problem: "truncated", seq: 7, checkpoint_size: 8 });
    expectProblem(v, { problem: "head_rollback", seq: 7, checkpoint_size: 8 });
    expect(v.log).toMatchObject({ truncated_entries: 2, head_rollback: true });
  });

  it("attack 9: delete the chain-head row (and the last entry) → head_rollback and truncated", async () => {
    const orgId = await loggedOrg();
    await tamper(orgId, [`DELETE FROM audit_events WHERE org_id = $1 AND seq = 8`, `DELETE FROM audit_chain_heads WHERE org_id = $1`]);
    const v = await verify(orgId);
    expectProblem(v, { problem: "head_rollback", seq: 1, checkpoint_size: 8 });
    expectProblem(v, { problem: "truncated", seq: 8 });
  });

  it("attack 10: re-chain after an edit (every later hash rewritten) → chain valid, root_mismatch names the entry", async () => {
    const orgId = await loggedOrg();
    await tamper(orgId, [`UPDATE audit_events SET content = replace(content, '"Policy', '"Edited') WHERE org_id = $1 AND seq = 5`]);
    await rechain(orgId, 5);
    const v = await verify(orgId);
    expect(v).toMatchObject({ chain_valid: true, hash_mismatches: 0 });
    expectProblem(v, { problem: "root_mismatch", seq: 5, checkpoint_size: 5 });
  });

  it("attack 11: renumber after a delete (later entries moved down, contents and hashes rewritten) → root_mismatch, truncated", async () => {
    const orgId = await loggedOrg();
    const stmts = [`DELETE FROM audit_events WHERE org_id = $1 AND seq = 4`];
    for (let s = 5; s <= 8; s++) {
      stmts.push(`UPDATE audit_events SET seq = ${s - 1}, content = replace(content, '"seq":${s},', '"seq":${s - 1},') WHERE org_id = $1 AND seq = ${s}`);
    }
    await tamper(orgId, stmts);
    await rechain(orgId, 4);
    await tamper(orgId, [`UPDATE audit_chain_heads SET seq = 7, tree_size = 7 WHERE org_id = $1`]);
    const v = await verify(orgId);
    expect(v).toMatchObject({ chain_valid: true, hash_mismatches: 0 });
    // deep: the row at seq 4 is not the one attested there (its columns' digest differs)
    expectProblem(await verify(orgId, true), { problem: "column_mismatch", seq: 4, field: "unknown" });
    expectProblem(v, { problem: "root_mismatch", seq: 4, checkpoint_size: 4 });
    expectProblem(v, { problem: "truncated", seq: 8, checkpoint_size: 8 });
  });

  it("attack 12: a forged audit_chain_cuts row (a prefix deleted around the purge) → cut_unsigned; the tree is not trusted past it", async () => {
    const orgId = await loggedOrg();
    const [h3] = await db.sql.query<{ hash: string }>(`SELECT hash FROM audit_events WHERE org_id = $1 AND seq = 3`, [orgId]);
    await tamper(orgId, [
      `DELETE FROM audit_events WHERE org_id = $1 AND seq <= 3`,
      `INSERT INTO audit_chain_cuts (org_id, cut_seq, cut_hash, removed_count, cutoff) VALUES ($1, 3, '${h3!.hash}', 3, now())`,
    ]);
    const v = await verify(orgId);
    expect(v.chain_valid).toBe(true); // the link of entry 4 matches the forged cut
    expectProblem(v, { problem: "cut_unsigned", seq: 3 });
    expectProblem(v, { problem: "tree_incomplete", seq: 4 });
  });

  it("attack 13: a forged event appended with a plain INSERT (no trigger needs disabling) → uncovered names it; ingest refuses to sign", async () => {
    const orgId = await loggedOrg();
    const [last] = await db.sql.query<{ hash: string; content: string }>(`SELECT hash, content FROM audit_events WHERE org_id = $1 AND seq = 8`, [orgId]);
    const content = last!.content.replace('"seq":8,', '"seq":9,').replace('"id":"ev-8"', '"id":"forged"');
    const hash = chainHash(last!.hash, content);
    await db.sql.query(
      `INSERT INTO audit_events (org_id, seq, id, timestamp, received_at, actor_id, actor_type, actor_email, action, resource_type, resource_id, content, request_digest, hash, previous_hash)
       SELECT org_id, 9, 'forged', timestamp, received_at, actor_id, actor_type, actor_email, action, resource_type, resource_id, $2, 'x', $3, hash FROM audit_events WHERE org_id = $1 AND seq = 8`,
      [orgId, content, hash],
    );
    await db.sql.query(`UPDATE audit_chain_heads SET seq = 9, hash = $2 WHERE org_id = $1`, [orgId, hash]); // forward: allowed
    const v = await verify(orgId);
    expect(v.chain_valid).toBe(true);
    expectProblem(v, { problem: "uncovered", seq: 9 });
    expect(v.log.uncovered_entries).toBe(1);
    await expect(appendEvents({ sql: db.sql, orgId, events: [sampleEvent(99)] })).rejects.toThrow(/refuses to sign/);
  });

  it("attack 14: swap two rows' content (and hashes) → hash mismatches / broken links and root_mismatch at the first", async () => {
    const orgId = await loggedOrg();
    await tamper(orgId, [
      `UPDATE audit_events a SET content = b.content FROM audit_events b WHERE a.org_id = $1 AND b.org_id = $1 AND ((a.seq = 3 AND b.seq = 6) OR (a.seq = 6 AND b.seq = 3))`,
    ]);
    const v = await verify(orgId);
    expectProblem(v, { problem: "hash_mismatch", seq: 3 });
    expectProblem(v, { problem: "hash_mismatch", seq: 6 });
    expectProblem(v, { problem: "root_mismatch", seq: 3, checkpoint_size: 3 });
  });

  it("attack 15: restore an older backup of the table (entries after it gone, head restored too) → truncated, head_rollback", async () => {
    const orgId = await loggedOrg(5);
    const backup = `backup_${crypto.randomBytes(4).toString("hex")}`;
    await db.sql.query(`CREATE TABLE ${backup} AS SELECT * FROM audit_events WHERE org_id = $1`, [orgId]);
    const [head5] = await db.sql.query<{ seq: number; hash: string; tree_size: number }>(`SELECT seq, hash, tree_size FROM audit_chain_heads WHERE org_id = $1`, [orgId]);
    for (let i = 6; i <= 8; i++) await appendEvents({ sql: db.sql, orgId, events: [sampleEvent(i)] });
    await tamper(orgId, [
      `DELETE FROM audit_events WHERE org_id = $1`,
      `INSERT INTO audit_events SELECT * FROM ${backup}`,
      `UPDATE audit_chain_heads SET seq = ${head5!.seq}, hash = '${head5!.hash}', tree_size = ${head5!.tree_size} WHERE org_id = $1`,
      `DROP TABLE ${backup}`,
    ]);
    const v = await verify(orgId);
    expect(v.chain_valid).toBe(true);
    expectProblem(v, { problem: "truncated", seq: 6, checkpoint_size: 8 });
    expectProblem(v, { problem: "head_rollback", seq: 6 });
  });

  describe("forged checkpoints", () => {
    const latestNote = async (orgId: string) =>
      (await db.sql.query<{ note: string }>(`SELECT note FROM audit_checkpoints WHERE org_id = $1 ORDER BY tree_size DESC LIMIT 1`, [orgId]))[0]!.note;
    const insertCheckpoint = (orgId: string, size: number, root: Uint8Array, note: string) =>
      db.sql.query(`INSERT INTO audit_checkpoints (org_id, tree_size, root_hash, note) VALUES ($1, $2, $3, $4)`, [orgId, size, root, note]);

    it("attack 16: changed size (a signed note stored under another size) → checkpoint_invalid naming that size", async () => {
      const orgId = await loggedOrg();
      const note = await latestNote(orgId);
      const cp = parseCheckpoint(noteText(note));
      await insertCheckpoint(orgId, 12, cp.rootHash, note.replace("\n8\n", "\n12\n"));
      const v = await verify(orgId);
      expectProblem(v, { problem: "checkpoint_invalid", seq: 12, checkpoint_size: 12 });
    });

    it("attack 17: changed root (stored root and note text rewritten) → checkpoint_invalid", async () => {
      const orgId = await loggedOrg();
      const note = await latestNote(orgId);
      const cp = parseCheckpoint(noteText(note));
      const forgedRoot = crypto.createHash("sha256").update("forged").digest();
      const text = formatCheckpoint({ origin: cp.origin, size: cp.size, rootHash: forgedRoot });
      await tamper(orgId, [`DELETE FROM audit_checkpoints WHERE org_id = $1 AND tree_size = 8`]);
      await insertCheckpoint(orgId, 8, forgedRoot, text + note.slice(noteText(note).length));
      const v = await verify(orgId);
      expectProblem(v, { problem: "checkpoint_invalid", seq: 8, checkpoint_size: 8 });
    });

    it("attack 18: changed origin (signed with the log key, for another origin) → checkpoint_invalid", async () => {
      const orgId = await loggedOrg();
      const cp = parseCheckpoint(noteText(await latestNote(orgId)));
      const text = formatCheckpoint({ origin: `${cp.origin}-other`, size: 9, rootHash: cp.rootHash });
      await insertCheckpoint(orgId, 9, cp.rootHash, signNote({ text, signer: loadLogSigner().signer }));
      const v = await verify(orgId);
      expectProblem(v, { problem: "checkpoint_invalid", seq: 9 });
      expect(v.problems.find((p) => p.problem === "checkpoint_invalid")!.message).toMatch(/origin/);
    });

    it("attack 19: one flipped signature bit → checkpoint_invalid", async () => {
      const orgId = await loggedOrg();
      const note = await latestNote(orgId);
      const sigLine = note.slice(noteText(note).length + 1).trimEnd();
      const b64 = sigLine.slice(sigLine.lastIndexOf(" ") + 1);
      const raw = Buffer.from(b64, "base64");
      raw[raw.length - 1]! ^= 1;
      const flipped = note.replace(b64, raw.toString("base64"));
      expect(flipped).not.toBe(note);
      await tamper(orgId, [`DELETE FROM audit_checkpoints WHERE org_id = $1 AND tree_size = 8`]);
      await insertCheckpoint(orgId, 8, parseCheckpoint(noteText(note)).rootHash, flipped);
      const v = await verify(orgId);
      expectProblem(v, { problem: "checkpoint_invalid", seq: 8, checkpoint_size: 8 });
    });

    it("attack 20: signed with another key (a re-chained history re-signed by the attacker) → checkpoint_invalid for each", async () => {
      const orgId = await loggedOrg();
      await tamper(orgId, [`UPDATE audit_events SET content = replace(content, '"Policy', '"Edited') WHERE org_id = $1 AND seq = 7`]);
      await rechain(orgId, 7);
      // The attacker recomputes the roots of sizes 7 and 8 and signs them with a key of their own.
      const { extendFrontier, frontierRoot, leafHash } = await import("@/lib/integrity/merkle");
      const contents = (await db.sql.query<{ content: string }>(`SELECT content FROM audit_events WHERE org_id = $1 ORDER BY seq`, [orgId])).map((r) => r.content);
      const other = generateSigner("attacker.example/log");
      const origin = parseCheckpoint(noteText(await latestNote(orgId))).origin;
      await tamper(orgId, [`DELETE FROM audit_checkpoints WHERE org_id = $1 AND tree_size >= 7`]);
      for (const size of [7, 8]) {
        const root = frontierRoot(extendFrontier({ frontier: [], size: 0, leafHashes: contents.slice(0, size).map((c) => leafHash(c)) }).frontier);
        await insertCheckpoint(orgId, size, root, signNote({ text: formatCheckpoint({ origin, size, rootHash: root }), signer: other.skey }));
      }
      const v = await verify(orgId);
      expectProblem(v, { problem: "checkpoint_invalid", seq: 7, checkpoint_size: 7 });
      expectProblem(v, { problem: "checkpoint_invalid", seq: 8, checkpoint_size: 8 });
      // and with only valid checkpoints up to 6, entries 7..8 are covered by none
      expectProblem(v, { problem: "uncovered", seq: 7 });
    });
  });

  it("attack 21: ALTER TABLE tampering — a column rewritten by ALTER … TYPE … USING (no UPDATE, no trigger fires), guard left disabled", async () => {
    const orgId = await loggedOrg();
    await db.sql.exec(`ALTER TABLE audit_events ALTER COLUMN action TYPE text USING (CASE WHEN action = 'user.login' THEN 'user.logout' ELSE action END)`);
    await db.sql.exec(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`);
    try {
      const v = await verify(orgId);
      expectProblem(v, { problem: "guard_disabled", seq: 0 });
      // sampleEvent(i): even i are user.login → entries 2, 4, 6, 8 were rewritten
      expect(v.problems.filter((p) => p.problem === "column_mismatch").map((p) => [p.seq, p.field])).toEqual([
        [2, "action"],
        [4, "action"],
        [6, "action"],
        [8, "action"],
      ]);
    } finally {
      await db.sql.exec(`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_update_delete`);
    }
  });

  it("a NOT NULL dropped by ALTER TABLE and the last entry's hash set to NULL → hash_mismatch names it (a NULL never passes a check)", async () => {
    const orgId = await loggedOrg();
    const [row] = await db.sql.query<{ hash: string }>(`SELECT hash FROM audit_events WHERE org_id = $1 AND seq = 8`, [orgId]);
    await tamper(orgId, [`ALTER TABLE audit_events ALTER COLUMN hash DROP NOT NULL`, `UPDATE audit_events SET hash = NULL WHERE org_id = $1 AND seq = 8`]);
    try {
      const v = await verify(orgId);
      expect(v.verified).toBe(false);
      expectProblem(v, { problem: "hash_mismatch", seq: 8 });
    } finally {
      await tamper(orgId, [`UPDATE audit_events SET hash = '${row!.hash}' WHERE org_id = $1 AND seq = 8`, `ALTER TABLE audit_events ALTER COLUMN hash SET NOT NULL`]);
    }
  });
});
