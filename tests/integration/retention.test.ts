import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import * as verify from "@/app/api/v1/audit/verify/route";
import * as statistics from "@/app/api/v1/audit/statistics/route";
import * as retention from "@/app/api/v1/audit/retention/route";
import * as enforce from "@/app/api/v1/audit/retention/enforce/route";
import * as holds from "@/app/api/v1/audit/legal-holds/route";
import * as release from "@/app/api/v1/audit/legal-holds/[id]/release/route";
import { getDatabase } from "@/lib/db/get-database";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { TEST_DB } from "../support/test-database";

let app: { close(): Promise<void> };
let admin: string;
let reader: string;
let orgId: string;

const user = { id: "user_alice", type: "user" as const, email: "alice@acme.com" };
const old = (i: number, extra: Record<string, unknown> = {}) => ({
  id: `old-${i}`, timestamp: `2015-01-0${i}T10:00:00Z`, actor: user, action: "user.login", resource: { type: "user", id: "user_alice" }, ...extra,
});

async function mint(org: string, scopes: string[]) {
  const r = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org, name: "t", scopes } });
  expect(r.status).toBe(201);
  return r.body.token as string;
}

beforeAll(async () => {
  app = await useScratchApp();
  const o = await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "ret" } });
  orgId = o.body.id;
  admin = await mint("ret", ["audit:read", "audit:write", "admin"]);
  reader = await mint("ret", ["audit:read", "audit:write"]);
  // seq 1 org.created, 2 token.created, 3 token.created (by the root token, today), then:
  const r = await call(logs.POST, "POST", "/api/v1/audit/logs", {
    token: admin,
    body: { events: [old(1), old(2), old(3, { repository: { id: "repo_legal", name: "acme/legal" } }), old(4), old(5)] },
  });
  expect(r.status).toBe(201);
});
afterAll(async () => {
  await app?.close();
});

describe(`retention policy (${TEST_DB})`, () => {
  it("GET shows the seed's defaults, measured storage and the oldest entry", async () => {
    const r = await call(retention.GET, "GET", "/api/v1/audit/retention", { token: reader });
    expect(r.status).toBe(200);
    expect(r.body.data.policy).toEqual({
      audit_logs: { retention_days: 2555, archive_after_days: 365 },
      scan_results: { retention_days: 730, archive_after_days: 180 },
      evidence_exports: { retention_days: 30 },
    });
    expect(r.body.data.oldest_log).toBe("2015-01-01T10:00:00Z");
    expect(r.body.data.storage_used_bytes).toBeGreaterThan(1000);
    expect(typeof r.body.data.storage_used_gb).toBe("number");
    expect(r.body.data.logs_past_retention).toBe(5);
  });

  it("PUT needs admin, validates (nothing changes on error) and is itself audited with old and new values", async () => {
    const denied = await call(retention.PUT, "PUT", "/api/v1/audit/retention", { token: reader, body: { audit_logs: { retention_days: 3000 } } });
    expect(denied.status).toBe(403);
    const tooShort = await call(retention.PUT, "PUT", "/api/v1/audit/retention", { token: admin, body: { audit_logs: { retention_days: 7 } } });
    expect(tooShort.status).toBe(422);
    expect(tooShort.body.error.field).toBe("audit_logs.retention_days");
    const archive = await call(retention.PUT, "PUT", "/api/v1/audit/retention", { token: admin, body: { scan_results: { archive_after_days: 900 } } });
    expect(archive.status).toBe(422);
    expect(archive.body.error.field).toBe("scan_results.archive_after_days");
    const unknown = await call(retention.PUT, "PUT", "/api/v1/audit/retention", { token: admin, body: { audit_logs: { keep: 1 } } });
    expect(unknown.status).toBe(422);
    const still = await call(retention.GET, "GET", "/api/v1/audit/retention", { token: reader });
    expect(still.body.data.policy.audit_logs.retention_days).toBe(2555);

    const ok = await call(retention.PUT, "PUT", "/api/v1/audit/retention", { token: admin, body: { policy: { audit_logs: { retention_days: 3000, archive_after_days: 400 } } } });
    expect(ok.status).toBe(200);
    expect(ok.body.data.policy.audit_logs).toEqual({ retention_days: 3000, archive_after_days: 400 });
    const ev = await call(logs.GET, "GET", "/api/v1/audit/logs?event_type=retention.policy_updated", { token: reader });
    expect(ev.body.data).toHaveLength(1);
    expect(ev.body.data[0].changes).toEqual({
      "audit_logs.retention_days": { old: 2555, new: 3000 },
      "audit_logs.archive_after_days": { old: 365, new: 400 },
    });
    // Back to the default for the enforcement tests below (cutoff ≈ 7 years ago: 2015 entries are expired).
    const back = await call(retention.PUT, "PUT", "/api/v1/audit/retention", { token: admin, body: { audit_logs: { retention_days: 2555, archive_after_days: 365 } } });
    expect(back.status).toBe(200);
  });
});

describe(`retention enforcement and legal holds (${TEST_DB})`, () => {
  it("the audit table still refuses UPDATE, DELETE and TRUNCATE outside the purge path", async () => {
    const db = await getDatabase();
    await expect(db.sql.query(`DELETE FROM audit_events WHERE org_id = $1 AND seq = 1`, [orgId])).rejects.toThrow(/append-only/);
    await expect(db.sql.query(`UPDATE audit_events SET action = 'x' WHERE org_id = $1`, [orgId])).rejects.toThrow(/append-only/);
    await expect(db.sql.exec(`TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
    // The old caller-chosen-cutoff function is gone; the new one plans by itself: seq 1 was written
    // today, so nothing is expired at the front and nothing is removed whatever note is passed.
    await expect(db.sql.transaction((tx) => tx.query(`SELECT audit_retention_purge($1, 1, now() - interval '2555 days')`, [orgId]))).rejects.toThrow(/does not exist/);
    const [r] = await db.sql.transaction((tx) => tx.query<{ removed: number; stopped_by: string }>(`SELECT removed, stopped_by FROM audit_retention_purge($1, 'anything')`, [orgId]));
    expect(r).toEqual({ removed: 0, stopped_by: "unexpired_entry" });
  });

  it("a cut is a prefix: the first unexpired entry (seq 1, written today) stops it — nothing is removed", async () => {
    const r = await call(enforce.POST, "POST", "/api/v1/audit/retention/enforce", { token: admin });
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({ removed: 0, through_seq: null, stopped_by: "unexpired_entry" });
  });

  it("on an org whose oldest entries are expired, removes the prefix up to a legal hold, records the cut, and verify still passes", async () => {
    // The API-created org's chain starts with today's org.created, so this org is made directly and its
    // chain starts with expired entries: seq 1-4 from 2015 (3 in repo_legal), 5 today, 6 from 2015.
    const db = await getDatabase();
    const { appendEvents } = await import("@/lib/audit/append-events");
    const { enforceRetention } = await import("@/lib/retention/enforce-retention");
    const { verifyChain } = await import("@/lib/audit/verify-chain");
    const { getStatistics } = await import("@/lib/analytics/get-statistics");
    const { createLegalHold, releaseLegalHold } = await import("@/lib/retention/manage-legal-holds");
    const org = await db.prisma.org.create({ data: { id: "org_ret2", slug: "ret2", name: "ret2" } });
    await appendEvents({
      sql: db.sql,
      orgId: org.id,
      events: [old(1), old(2), old(3, { repository: { id: "repo_legal", name: "acme/legal" } }), old(4), { ...old(5), id: "recent", timestamp: new Date().toISOString() }, old(6)],
    });
    const tester = { id: "tester", type: "user" as const, email: "t@acme.com" };
    const hold = await createLegalHold({ db, orgId: org.id, hold: { scope: "repository", target: "repo_legal", reason: "litigation 2026-17" }, actor: tester });
    // seq 7 = legal_hold.created.
    const first = await enforceRetention({ db, orgId: org.id });
    expect(first).toMatchObject({ removed: 2, through_seq: 2, stopped_by: "legal_hold", held_from_seq: 3 });
    let v = await verifyChain({ sql: db.sql, orgId: org.id, filter: {} });
    expect(v).toMatchObject({ verified: true, gaps_detected: 0, broken_links: 0, first_seq: 3, retention_cut: { seq: 2 } });
    const cut = await db.sql.query<{ cut_seq: number; cut_hash: string }>(`SELECT cut_seq, cut_hash FROM audit_chain_cuts WHERE org_id = $1`, [org.id]);
    const third = await db.sql.query<{ previous_hash: string }>(`SELECT previous_hash FROM audit_events WHERE org_id = $1 AND seq = 3`, [org.id]);
    expect(cut).toEqual([{ cut_seq: 2, cut_hash: third[0]!.previous_hash }]);
    // Rollups follow the delete: 2 removed; 5 remaining + legal_hold.created + retention.enforced.
    expect((await getStatistics({ sql: db.sql, orgId: org.id })).total_events).toBe(6);

    // A hold on "all" stops everything; releasing it and the repository hold lets the cut reach seq 4.
    const all = await createLegalHold({ db, orgId: org.id, hold: { scope: "all", reason: "regulator request" }, actor: tester });
    await releaseLegalHold({ db, orgId: org.id, id: hold.id, actor: tester });
    expect(await enforceRetention({ db, orgId: org.id })).toMatchObject({ removed: 0, stopped_by: "legal_hold" });
    await releaseLegalHold({ db, orgId: org.id, id: all.id, actor: tester, reason: "closed" });
    const second = await enforceRetention({ db, orgId: org.id });
    expect(second).toMatchObject({ removed: 2, through_seq: 4, stopped_by: "unexpired_entry" });
    v = await verifyChain({ sql: db.sql, orgId: org.id, filter: {} });
    expect(v).toMatchObject({ verified: true, gaps_detected: 0, broken_links: 0, first_seq: 5, retention_cut: { seq: 4 } });
    // seq 6 is expired but sits after the recent seq 5: the cut never skips over an entry.
    const again = await enforceRetention({ db, orgId: org.id });
    expect(again).toMatchObject({ removed: 0, stopped_by: "unexpired_entry" });
    const remaining = await db.sql.query<{ seq: number }>(`SELECT seq FROM audit_events WHERE org_id = $1 ORDER BY seq`, [org.id]);
    expect(remaining.map((r) => r.seq).slice(0, 2)).toEqual([5, 6]);
    const enforced = await db.sql.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM audit_events WHERE org_id = $1 AND action = 'retention.enforced'`, [org.id]);
    expect(enforced[0]!.n).toBe(2);
  });

  it("when the whole chain is expired it is cut to the end; the side tables follow; verify passes on what remains", async () => {
    const db = await getDatabase();
    const { appendEvents } = await import("@/lib/audit/append-events");
    const { enforceRetention } = await import("@/lib/retention/enforce-retention");
    const { verifyChain } = await import("@/lib/audit/verify-chain");
    const { getHistory } = await import("@/lib/analytics/get-history");
    const org = await db.prisma.org.create({ data: { id: "org_ret3", slug: "ret3", name: "ret3" } });
    const repo = { id: "repo_x", name: "acme/x" };
    await appendEvents({
      sql: db.sql,
      orgId: org.id,
      events: [
        { ...old(1), action: "scan.completed", resource: { type: "scan", id: "s1" }, repository: repo, details: { framework: "soc2", score: 70 } },
        { ...old(2), action: "issue.created", resource: { type: "issue", id: "i1" }, repository: repo },
        old(3),
      ],
    });
    const count = async (table: string) => (await db.sql.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM ${table} WHERE org_id = $1`, [org.id]))[0]!.n;
    expect([await count("audit_scan_scores"), await count("audit_issue_events"), await count("audit_monthly_rollups")]).toEqual([1, 1, 3]);
    const r = await enforceRetention({ db, orgId: org.id });
    expect(r).toMatchObject({ removed: 3, through_seq: 3, stopped_by: "chain_end" });
    expect([await count("audit_scan_scores"), await count("audit_issue_events"), await count("audit_daily_rollups"), await count("audit_monthly_rollups")]).toEqual([0, 0, 1, 1]);
    // Only retention.enforced (seq 4, linked to the cut hash) remains.
    const v = await verifyChain({ sql: db.sql, orgId: org.id, filter: {} });
    expect(v).toMatchObject({ verified: true, logs_checked: 1, first_seq: 4, gaps_detected: 0, broken_links: 0, retention_cut: { seq: 3, hash: r.cut_hash } });
    const h = await getHistory({ sql: db.sql, orgId: org.id, metric: "score", interval: "month", from: new Date("2015-01-01T00:00:00Z"), to: new Date("2015-02-01T00:00:00Z") });
    expect(h.data_points[0]!.value).toBeNull();
  });

  it("a forged cut is detected: a remaining entry whose link does not match the recorded cut hash", async () => {
    const db = await getDatabase();
    const { verifyChain } = await import("@/lib/audit/verify-chain");
    // Cuts are append-only, and the recorded hash is what verify checks against.
    await expect(db.sql.query(`UPDATE audit_chain_cuts SET cut_hash = 'x' WHERE org_id = 'org_ret2'`)).rejects.toThrow(/append-only/);
    const v = await verifyChain({ sql: db.sql, orgId: "org_ret2", filter: {} });
    expect(v.verified).toBe(true);
  });

  it("legal holds API: create (admin, validated), list, release (409 twice, 404 for unknown), each audited", async () => {
    const bad = await call(holds.POST, "POST", "/api/v1/audit/legal-holds", { token: admin, body: { scope: "repository", reason: "x-files" } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe("target");
    const badScope = await call(holds.POST, "POST", "/api/v1/audit/legal-holds", { token: admin, body: { scope: "team", target: "x", reason: "because" } });
    expect(badScope.status).toBe(422);
    expect(badScope.body.error.field).toBe("scope");
    const denied = await call(holds.POST, "POST", "/api/v1/audit/legal-holds", { token: reader, body: { scope: "all", reason: "because" } });
    expect(denied.status).toBe(403);
    const created = await call(holds.POST, "POST", "/api/v1/audit/legal-holds", { token: admin, body: { scope: "actor", target: "alice@acme.com", reason: "HR case 12" } });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ scope: "actor", target: "alice@acme.com", reason: "HR case 12", status: "active" });
    const list = await call(holds.GET, "GET", "/api/v1/audit/legal-holds?status=active", { token: reader });
    expect(list.body.data.map((h: { id: string }) => h.id)).toEqual([created.body.data.id]);
    const id = created.body.data.id as string;
    const rel = await call(release.POST, "POST", `/api/v1/audit/legal-holds/${id}/release`, { token: admin, params: { id }, body: { reason: "case closed" } });
    expect(rel.status).toBe(200);
    expect(rel.body.data).toMatchObject({ status: "released", release_reason: "case closed" });
    const twice = await call(release.POST, "POST", `/api/v1/audit/legal-holds/${id}/release`, { token: admin, params: { id } });
    expect(twice.status).toBe(409);
    const missing = await call(release.POST, "POST", `/api/v1/audit/legal-holds/hold_nope/release`, { token: admin, params: { id: "hold_nope" } });
    expect(missing.status).toBe(404);
    const audited = await call(logs.GET, "GET", "/api/v1/audit/logs?event_type=legal_hold.*", { token: reader });
    expect(audited.body.data.map((e: { event_type: string }) => e.event_type)).toEqual(["legal_hold.released", "legal_hold.created"]);
    const stats = await call(statistics.GET, "GET", "/api/v1/audit/statistics", { token: reader });
    expect(stats.body.data.events_by_type["legal_hold.created"]).toBe(1);
    const v = await call(verify.POST, "POST", "/api/v1/audit/verify", { token: reader });
    expect(v.body.data.verified).toBe(true);
  });
});
