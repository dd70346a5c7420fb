/**
 * Issue #9, "Done means": every tampering attack an attacker with database rights can make, each
 * shown detected (or refused) and named. Runs on both PGlite and PostgreSQL; the numbered list is
 * docs/integrity.md "Threat model" → "The attack tests".
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvents } from "@/lib/audit/append-events";
import { enforceRetention } from "@/lib/retention/enforce-retention";
import { createLegalHold } from "@/lib/retention/manage-legal-holds";
import type { Database } from "@/lib/db/open-database";
import { createTestDatabase, TEST_DB, type TestDb } from "../support/test-database";

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
    await db.sql.exec(`CREATE ROLE ${role} NOLOGIN`);
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
