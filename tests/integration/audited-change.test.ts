import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appendEvents } from "@/lib/audit/append-events";
import { withAuditedChange } from "@/lib/audit/audit-change";
import type { Actor } from "@/lib/audit/event-schema";
import { verifyChain } from "@/lib/audit/verify-chain";
import { hasCitus } from "@/lib/db/distribute-tables";
import { createToken, revokeToken } from "@/lib/auth/manage-tokens";
import { cancelExport } from "@/lib/exports/cancel-export";
import { createLogExport } from "@/lib/exports/create-export";
import { createOrg } from "@/lib/orgs/create-org";
import { createLegalHold, releaseLegalHold } from "@/lib/retention/manage-legal-holds";
import { getRetentionPolicy, updateRetentionPolicy } from "@/lib/retention/retention-policy";
import { signOut, findSession } from "@/lib/sessions/manage-sessions";
import { signIn } from "@/lib/sessions/sign-in";
import { ensureUser } from "@/lib/users/ensure-user";
import { createUser } from "@/lib/users/manage-users";
import { createTestDatabase, createTestOrg, sampleEvent, TEST_DB, type TestDb } from "../support/test-database";

/**
 * Defect 9 of issue 10: an administrative action and its audit record commit in ONE transaction.
 * A real database trigger makes the append of one chosen action fail (as a crash or a full disk
 * would between the change and its record): the change must be gone too. And a change that fails
 * after writing leaves no record.
 */
let t: TestDb;
let orgId: string;
const actor: Actor = { id: "usr_admin", type: "user", email: "admin@example.com" };
const PASSWORD = "correct horse battery staple";

async function failAppendOf(action: string | null) {
  await t.db.sql.query(`DELETE FROM h5_fail_actions`);
  if (action) await t.db.sql.query(`INSERT INTO h5_fail_actions (action) VALUES ($1)`, [action]);
}

async function records(action: string, org = orgId) {
  return t.db.sql.query<{ seq: number; resource_id: string }>(`SELECT seq, resource_id FROM audit_events WHERE org_id = $1 AND action = $2 ORDER BY seq`, [org, action]);
}

async function head(org = orgId) {
  const [h] = await t.db.sql.query<{ seq: number; hash: string | null }>(`SELECT seq, hash FROM audit_chain_heads WHERE org_id = $1`, [org]);
  return h ?? { seq: 0, hash: null };
}

const failure = /forced append failure/;

beforeAll(async () => {
  t = await createTestDatabase();
  orgId = (await createTestOrg(t.db, "atomic")).id;
  // One statement at a time (Citus refuses trigger DDL inside a multi-statement string); on Citus
  // the trigger runs on the workers' shards, so the table it reads is a reference table (on every node).
  await t.db.sql.exec(`CREATE TABLE h5_fail_actions (action text PRIMARY KEY)`);
  if (await hasCitus(t.db.sql)) await t.db.sql.query(`SELECT create_reference_table('h5_fail_actions')`);
  await t.db.sql.exec(`
    CREATE FUNCTION h5_fail_append() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM h5_fail_actions WHERE action = NEW.action) THEN
        RAISE EXCEPTION 'forced append failure of %', NEW.action;
      END IF;
      RETURN NEW;
    END $$`);
  await t.db.sql.exec(`CREATE TRIGGER h5_fail_append BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION h5_fail_append()`);
});
afterAll(async () => {
  await t?.drop();
});
beforeEach(async () => {
  await failAppendOf(null);
});

describe(`audit record and change commit together (${TEST_DB})`, () => {
  it("withAuditedChange: a failed append takes Prisma and raw-SQL writes with it; a failed change appends nothing", async () => {
    const before = await head();
    await failAppendOf("probe.changed");
    const err = await withAuditedChange({ db: t.db, orgId }, async (tx) => {
      await tx.prisma.legalHold.create({ data: { id: "hold_probe1", orgId, scope: "all", reason: "probe", createdBy: "test" } });
      await tx.sql.query(`INSERT INTO legal_holds (id, org_id, scope, reason, created_by) VALUES ('hold_probe2', $1, 'all', 'probe', 'test')`, [orgId]);
      return { value: null, events: [{ actor, action: "probe.changed", resource: { type: "probe", id: "1" } }] };
    }).catch((e: unknown) => e);
    expect(String(err)).toMatch(failure);
    expect(await t.db.prisma.legalHold.count({ where: { id: { in: ["hold_probe1", "hold_probe2"] } } })).toBe(0);
    expect(await head()).toEqual(before);

    await failAppendOf(null);
    const err2 = await withAuditedChange({ db: t.db, orgId }, async (tx) => {
      await tx.prisma.legalHold.create({ data: { id: "hold_probe3", orgId, scope: "all", reason: "probe", createdBy: "test" } });
      throw new Error("the change failed after writing");
    }).catch((e: unknown) => e);
    expect(String(err2)).toMatch(/the change failed/);
    expect(await t.db.prisma.legalHold.findUnique({ where: { orgId_id: { orgId, id: "hold_probe3" } } })).toBeNull();
    expect(await head()).toEqual(before);

    const value = await withAuditedChange({ db: t.db, orgId }, async (tx) => {
      await tx.sql.query(`INSERT INTO legal_holds (id, org_id, scope, reason, created_by) VALUES ('hold_probe4', $1, 'all', 'probe', 'test')`, [orgId]);
      return { value: 42, events: [{ actor, action: "probe.changed", resource: { type: "probe", id: "4" } }] };
    });
    expect(value).toBe(42);
    expect(await t.db.prisma.legalHold.findUnique({ where: { orgId_id: { orgId, id: "hold_probe4" } } })).not.toBeNull();
    expect((await head()).seq).toBe(before.seq + 1);
    await t.db.prisma.legalHold.delete({ where: { orgId_id: { orgId, id: "hold_probe4" } } });
  });

  it("tokens: no token without token.created, no revocation without token.revoked", async () => {
    const count = () => t.db.prisma.apiToken.count({ where: { orgId } });
    const n = await count();
    await failAppendOf("token.created");
    await expect(createToken({ db: t.db, org: { id: orgId, slug: "atomic" }, name: "ci", scopes: ["audit:read"], actor })).rejects.toThrow(failure);
    expect(await count()).toBe(n);
    expect(await records("token.created")).toHaveLength(0);

    await failAppendOf(null);
    const tok = await createToken({ db: t.db, org: { id: orgId, slug: "atomic" }, name: "ci", scopes: ["audit:read"], actor });
    expect(await count()).toBe(n + 1);
    expect((await records("token.created")).map((r) => r.resource_id)).toEqual([tok.id]);

    await failAppendOf("token.revoked");
    await expect(revokeToken({ db: t.db, orgId, tokenId: tok.id, actor })).rejects.toThrow(failure);
    expect((await t.db.prisma.apiToken.findUniqueOrThrow({ where: { id: tok.id } })).revokedAt).toBeNull();
    await failAppendOf(null);
    const revoked = await revokeToken({ db: t.db, orgId, tokenId: tok.id, actor });
    expect(revoked.revoked_at).not.toBeNull();
    // Revoking again is a no-op: no second record.
    await revokeToken({ db: t.db, orgId, tokenId: tok.id, actor });
    expect(await records("token.revoked")).toHaveLength(1);
  });

  it("users and memberships: no user, no membership without user.created; ensureUser all or nothing", async () => {
    await failAppendOf("user.created");
    await expect(createUser({ db: t.db, orgId, actor, input: { email: "new@example.com", name: "New", password: PASSWORD, role: "viewer" } })).rejects.toThrow(failure);
    expect(await t.db.prisma.user.findUnique({ where: { email: "new@example.com" } })).toBeNull();
    await expect(ensureUser({ db: t.db, orgId, email: "boot@example.com", password: PASSWORD, role: "admin", actor })).rejects.toThrow(failure);
    expect(await t.db.prisma.user.findUnique({ where: { email: "boot@example.com" } })).toBeNull();

    await failAppendOf("user.role_granted");
    await expect(ensureUser({ db: t.db, orgId, email: "boot@example.com", password: PASSWORD, role: "admin", actor })).rejects.toThrow(failure);
    expect(await t.db.prisma.user.findUnique({ where: { email: "boot@example.com" } })).toBeNull();

    await failAppendOf(null);
    const { user } = await ensureUser({ db: t.db, orgId, email: "boot@example.com", password: PASSWORD, role: "admin", actor });
    expect(await t.db.prisma.membership.count({ where: { userId: user.id, orgId } })).toBe(1);
    expect((await records("user.created")).map((r) => r.resource_id)).toEqual([user.id]);
    expect((await records("user.role_granted")).map((r) => r.resource_id)).toEqual([user.id]);
  });

  it("sign-in and sign-out: no session and no last_login_at without user.login; the session survives a failed user.logout", async () => {
    const { user } = await ensureUser({ db: t.db, orgId, email: "signin@example.com", password: PASSWORD, role: "viewer", actor });
    const sessions = () => t.db.prisma.session.count({ where: { userId: user.id } });
    await failAppendOf("user.login");
    await expect(signIn({ db: t.db, email: user.email, password: PASSWORD })).rejects.toThrow(failure);
    expect(await sessions()).toBe(0);
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).lastLoginAt).toBeNull();

    await failAppendOf(null);
    const s = await signIn({ db: t.db, email: user.email, password: PASSWORD });
    expect(await sessions()).toBe(1);
    expect((await records("user.login")).filter((r) => r.resource_id === user.id)).toHaveLength(1);

    const principal = (await findSession({ db: t.db, token: s.token }))!;
    expect(principal).not.toBeNull();
    await failAppendOf("user.logout");
    await expect(signOut({ db: t.db, session: principal })).rejects.toThrow(failure);
    expect(await sessions()).toBe(1);
    await failAppendOf(null);
    await signOut({ db: t.db, session: principal });
    expect(await sessions()).toBe(0);
    expect((await records("user.logout")).filter((r) => r.resource_id === user.id)).toHaveLength(1);
  });

  it("retention policy and legal holds: unchanged without their records", async () => {
    const policy = await getRetentionPolicy({ db: t.db, orgId });
    await failAppendOf("retention.policy_updated");
    await expect(updateRetentionPolicy({ db: t.db, orgId, update: { audit_logs: { retention_days: 400 } }, actor })).rejects.toThrow(failure);
    expect(await getRetentionPolicy({ db: t.db, orgId })).toEqual(policy);

    const holds = () => t.db.prisma.legalHold.count({ where: { orgId } });
    const n = await holds();
    await failAppendOf("legal_hold.created");
    await expect(createLegalHold({ db: t.db, orgId, hold: { scope: "all", reason: "litigation" }, actor })).rejects.toThrow(failure);
    expect(await holds()).toBe(n);
    await failAppendOf(null);
    const hold = await createLegalHold({ db: t.db, orgId, hold: { scope: "all", reason: "litigation" }, actor });
    await failAppendOf("legal_hold.released");
    await expect(releaseLegalHold({ db: t.db, orgId, id: hold.id, actor })).rejects.toThrow(failure);
    expect((await t.db.prisma.legalHold.findUniqueOrThrow({ where: { orgId_id: { orgId, id: hold.id } } })).releasedAt).toBeNull();
    await failAppendOf(null);
    await releaseLegalHold({ db: t.db, orgId, id: hold.id, actor });
    // Releasing twice fails in the change: no second record.
    await expect(releaseLegalHold({ db: t.db, orgId, id: hold.id, actor })).rejects.toThrow(/already released/);
    expect((await records("legal_hold.released")).filter((r) => r.resource_id === hold.id)).toHaveLength(1);
  });

  it("concurrent retention policy updates: each record's old value is the value it really replaced", async () => {
    const org = await createTestOrg(t.db, "policy-race");
    const days = [400, 500, 600, 700];
    await Promise.all(days.map((d) => updateRetentionPolicy({ db: t.db, orgId: org.id, update: { audit_logs: { retention_days: d } }, actor })));
    const rows = await t.db.sql.query<{ content: string }>(`SELECT content FROM audit_events WHERE org_id = $1 AND action = 'retention.policy_updated' ORDER BY seq`, [org.id]);
    const steps = rows.map((r) => (JSON.parse(r.content) as { changes: Record<string, { old: number; new: number }> }).changes["audit_logs.retention_days"]!);
    expect(steps).toHaveLength(4);
    expect(steps[0]!.old).toBe(2555);
    for (let i = 1; i < steps.length; i++) expect(steps[i]!.old).toBe(steps[i - 1]!.new);
    expect((await getRetentionPolicy({ db: t.db, orgId: org.id })).audit_logs.retention_days).toBe(steps[3]!.new);
  });

  it("exports and orgs: no queued job without export.requested, no cancellation without export.cancelled, no org without org.created", async () => {
    const jobs = () => t.db.prisma.exportJob.count({ where: { orgId } });
    const n = await jobs();
    await failAppendOf("export.requested");
    await expect(createLogExport({ db: t.db, orgId, actor, request: { format: "jsonl" } })).rejects.toThrow(failure);
    expect(await jobs()).toBe(n);
    await failAppendOf(null);
    const job = await createLogExport({ db: t.db, orgId, actor, request: { format: "jsonl" } });
    expect(await jobs()).toBe(n + 1);
    await failAppendOf("export.cancelled");
    await expect(cancelExport({ db: t.db, orgId, id: job.id, actor })).rejects.toThrow(failure);
    expect((await t.db.prisma.exportJob.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("queued");

    await failAppendOf("org.created");
    await expect(createOrg({ db: t.db, slug: "never-created", actor })).rejects.toThrow(failure);
    expect(await t.db.prisma.org.findUnique({ where: { slug: "never-created" } })).toBeNull();
    await failAppendOf(null);
    const org = await createOrg({ db: t.db, slug: "never-created", actor });
    expect(await records("org.created", org.id)).toHaveLength(1);
    expect((await head(org.id)).seq).toBe(1);
  });

  it("admin changes and ingest in parallel: no deadlock, one chain, every record present", async () => {
    const org = await createTestOrg(t.db, "parallel");
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 12; i++) {
      work.push(createToken({ db: t.db, org: { id: org.id, slug: "parallel" }, name: `t${i}`, scopes: ["audit:read"], actor }));
      work.push(createLegalHold({ db: t.db, orgId: org.id, hold: { scope: "all", reason: `r${i}` }, actor }));
      work.push(appendEvents({ sql: t.db.sql, orgId: org.id, events: [sampleEvent(i)] }));
    }
    await Promise.all(work);
    expect(await records("token.created", org.id)).toHaveLength(12);
    expect(await records("legal_hold.created", org.id)).toHaveLength(12);
    expect((await head(org.id)).seq).toBe(36);
    const v = await verifyChain({ sql: t.db.sql, orgId: org.id, filter: {} });
    expect(v.chain_valid).toBe(true);
    expect(v.logs_checked).toBe(36);
  });
});
