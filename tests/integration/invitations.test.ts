import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as users from "@/app/api/v1/admin/users/route";
import * as accept from "@/app/api/v1/invitations/[token]/accept/route";
import * as signIn from "@/app/api/v1/auth/sign-in/route";
import * as me from "@/app/api/v1/me/route";
import * as meOrg from "@/app/api/v1/me/org/route";
import { listEvents } from "@/lib/audit/query-events";
import { getDatabase } from "@/lib/db/get-database";
import { findSession } from "@/lib/sessions/manage-sessions";
import { acceptInvitation, getInvitation, INVITATION_TTL_MS } from "@/lib/users/manage-invitations";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { TEST_DB } from "../support/test-database";

/**
 * Issue 10, defect 3: org B's admin adding org A's user by email must not attach them silently.
 * It creates an invitation (link shown once, token stored hashed, expiring) that the user accepts
 * after signing in; org B never sees the user's activity elsewhere.
 */
let app: { close(): Promise<void> };
const ids: Record<"a" | "b", string> = { a: "", b: "" };
const admins: Record<"a" | "b", string> = { a: "", b: "" };
const ALICE = { email: "alice@a.test", name: "Alice", password: "alice's long password" };
const BOB = { email: "bob@a.test", name: "Bob", password: "bob's long password!!" };

async function session(email: string, password: string) {
  const r = await call(signIn.POST, "POST", "/api/v1/auth/sign-in", { body: { email, password } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const cookies = r.headers.getSetCookie();
  const value = (name: string) => cookies.find((c) => c.startsWith(`${name}=`))!.split(";")[0]!.slice(name.length + 1);
  return { headers: { cookie: `audit_session=${value("audit_session")}; audit_csrf=${value("audit_csrf")}`, "x-csrf-token": value("audit_csrf"), origin: "http://localhost" }, token: value("audit_session") };
}

const tokenOf = (acceptPath: string) => acceptPath.replace("/invitations/", "");
const acceptAs = (s: { headers: Record<string, string> }, token: string) =>
  call(accept.POST, "POST", `/api/v1/invitations/${token}/accept`, { headers: s.headers, params: { token } });
const actions = async (org: string) => (await listEvents({ sql: (await getDatabase()).sql, orgId: org, filter: {}, limit: 1000 })).map((e) => e.action);

beforeAll(async () => {
  app = await useScratchApp();
  for (const k of ["a", "b"] as const) {
    const o = await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: `org-${k}` } });
    expect(o.status).toBe(201);
    ids[k] = o.body.id;
    const t = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org: `org-${k}`, name: "admin", scopes: ["audit:read", "admin"] } });
    expect(t.status).toBe(201);
    admins[k] = t.body.token;
  }
  for (const u of [ALICE, BOB]) {
    const r = await call(users.POST, "POST", "/api/v1/admin/users", { token: admins.a, body: { ...u, role: "admin" } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
});
afterAll(async () => {
  await app?.close();
});

describe(`cross-org users are invited, never attached (${TEST_DB})`, () => {
  let inviteToken = "";

  it("org B's admin adding org A's user gets an invitation (202, link once, token hashed); the account is not touched", async () => {
    await session(ALICE.email, ALICE.password); // Alice has signed in to org A: that is A's business only.
    const r = await call(users.POST, "POST", "/api/v1/admin/users", { token: admins.b, body: { email: ALICE.email, name: "Mallory's name", password: "attacker chosen pw", role: "admin" } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.data).toMatchObject({ status: "invited", invitation: { email: ALICE.email, role: "admin" } });
    expect(r.body.data.invitation.accept_path).toMatch(/^\/invitations\/inv_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(r.body)).not.toMatch(/last_login|org-a|Alice/);
    inviteToken = tokenOf(r.body.data.invitation.accept_path);
    const expires = Date.parse(r.body.data.invitation.expires_at) - Date.now();
    expect(expires).toBeGreaterThan(INVITATION_TTL_MS - 60_000);
    expect(expires).toBeLessThanOrEqual(INVITATION_TTL_MS);

    const db = await getDatabase();
    const alice = await db.prisma.user.findUniqueOrThrow({ where: { email: ALICE.email }, include: { memberships: true } });
    expect(alice.memberships.map((m) => m.orgId)).toEqual([ids.a]);
    expect(alice.name).toBe(ALICE.name);
    const stored = await db.prisma.invitation.findMany({ where: { orgId: ids.b } });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.tokenHash).toBe(crypto.createHash("sha256").update(inviteToken).digest("hex"));
    expect(JSON.stringify(stored)).not.toContain(inviteToken);
    // Her password is still hers; B's listing does not show her.
    await session(ALICE.email, ALICE.password);
    const listB = await call(users.GET, "GET", "/api/v1/admin/users", { token: admins.b });
    expect(listB.status).toBe(200);
    expect(listB.body.data.map((u: { email: string }) => u.email)).not.toContain(ALICE.email);
    // Audited in B only.
    expect(await actions(ids.b)).toContain("user.invited");
    expect(await actions(ids.a)).not.toContain("user.invited");
  });

  it("only the invited account can accept; bad, foreign and token-only callers are refused", async () => {
    const bob = await session(BOB.email, BOB.password);
    const wrongUser = await acceptAs(bob, inviteToken);
    expect(wrongUser.status).toBe(403);
    const bogus = await acceptAs(bob, `inv_${"A".repeat(43)}`);
    expect(bogus.status).toBe(404);
    const malformed = await acceptAs(bob, "not-a-token");
    expect(malformed.status).toBe(404);
    const byToken = await call(accept.POST, "POST", `/api/v1/invitations/${inviteToken}/accept`, { token: admins.b, params: { token: inviteToken } });
    expect(byToken.status).toBe(403);
    const db = await getDatabase();
    expect(await db.prisma.membership.count({ where: { orgId: ids.b } })).toBe(0);
  });

  it("the invited user accepts after signing in: member of B with the invited role; B sees no activity from A", async () => {
    const alice = await session(ALICE.email, ALICE.password);
    const r = await acceptAs(alice, inviteToken);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data).toMatchObject({ org: { id: ids.b, slug: "org-b" }, email: ALICE.email, role: "admin", status: "accepted" });
    const again = await acceptAs(alice, inviteToken);
    expect(again.status).toBe(409);

    const listB = await call(users.GET, "GET", "/api/v1/admin/users", { token: admins.b });
    const inB = listB.body.data.find((u: { email: string }) => u.email === ALICE.email);
    expect(inB).toMatchObject({ role: "admin", last_login_at: null }); // signed in to A twice, never to B
    const listA = await call(users.GET, "GET", "/api/v1/admin/users", { token: admins.a });
    expect(listA.body.data.find((u: { email: string }) => u.email === ALICE.email).last_login_at).not.toBeNull();

    const switched = await call(meOrg.PUT, "PUT", "/api/v1/me/org", { headers: alice.headers, body: { org: "org-b" } });
    expect(switched.status).toBe(200);
    const who = await call(me.GET, "GET", "/api/v1/me", { headers: alice.headers });
    expect(who.body.data).toMatchObject({ org: { slug: "org-b" }, role: "admin" });

    const b = await actions(ids.b);
    expect(b).toEqual(expect.arrayContaining(["user.invited", "user.invitation_accepted"]));
    expect(b).not.toContain("user.login");
    expect(await actions(ids.a)).not.toContain("user.invitation_accepted");
  });

  it("invitations expire; a new invitation replaces the pending one", async () => {
    const carol = { email: "carol@a.test", name: "Carol", password: "carol's long password" };
    expect((await call(users.POST, "POST", "/api/v1/admin/users", { token: admins.a, body: { ...carol, role: "viewer" } })).status).toBe(201);
    const first = await call(users.POST, "POST", "/api/v1/admin/users", { token: admins.b, body: { ...carol, role: "viewer" } });
    const second = await call(users.POST, "POST", "/api/v1/admin/users", { token: admins.b, body: { ...carol, role: "auditor" } });
    expect([first.status, second.status]).toEqual([202, 202]);
    const db = await getDatabase();
    const s = await session(carol.email, carol.password);
    const principal = (await findSession({ db, token: s.token }))!;
    const t1 = tokenOf(first.body.data.invitation.accept_path);
    const t2 = tokenOf(second.body.data.invitation.accept_path);
    expect((await acceptAs(s, t1)).status).toBe(404);
    const late = await acceptInvitation({ db, token: t2, principal, now: new Date(Date.now() + INVITATION_TTL_MS + 1000) }).catch((e: unknown) => e);
    expect(late).toMatchObject({ code: "gone", status: 410 });
    expect(await getInvitation({ db, token: t2, now: new Date(Date.now() + INVITATION_TTL_MS + 1000) })).toMatchObject({ status: "expired" });
    expect(await db.prisma.membership.count({ where: { orgId: ids.b, user: { email: carol.email } } })).toBe(0);
    const ok = await acceptAs(s, t2);
    expect(ok.status).toBe(200);
    expect(ok.body.data.role).toBe("auditor");
  });

  it("a member of the org is still a 409, and a brand-new email is still created directly (201)", async () => {
    const dup = await call(users.POST, "POST", "/api/v1/admin/users", { token: admins.b, body: { email: ALICE.email, name: "x", password: "whatever long pw", role: "viewer" } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.field).toBe("email");
    const fresh = await call(users.POST, "POST", "/api/v1/admin/users", { token: admins.b, body: { email: "dave@b.test", name: "Dave", password: "dave's long password", role: "viewer" } });
    expect(fresh.status).toBe(201);
    expect(fresh.body.data).toMatchObject({ email: "dave@b.test", role: "viewer", last_login_at: null });
  });
});
