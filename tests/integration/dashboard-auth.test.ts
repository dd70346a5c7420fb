import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as users from "@/app/api/v1/admin/users/route";
import * as explorerEntry from "@/app/api/v1/audit/explorer/entries/[id]/route";
import * as explorerEvents from "@/app/api/v1/audit/explorer/events/route";
import * as explorerFacets from "@/app/api/v1/audit/explorer/facets/route";
import * as explorerHistogram from "@/app/api/v1/audit/explorer/histogram/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import * as signIn from "@/app/api/v1/auth/sign-in/route";
import * as signOut from "@/app/api/v1/auth/sign-out/route";
import * as me from "@/app/api/v1/me/route";
import * as meOrg from "@/app/api/v1/me/org/route";
import { appendEvents } from "@/lib/audit/append-events";
import { F, listEvents } from "@/lib/audit/query-events";
import { getDatabase } from "@/lib/db/get-database";
import { ensureOrg } from "@/lib/orgs/create-org";
import { ensureAdmin } from "@/lib/users/ensure-admin";
import { hashPassword, verifyPassword } from "@/lib/users/password";
import { call, useScratchApp } from "../support/api-client";
import { TEST_DB } from "../support/test-database";

const SYSTEM = { id: "test", type: "system" as const };
const ADMIN = { email: "admin@acme.test", password: "correct horse battery staple" };
let app: { close(): Promise<void> };
let acmeId: string;

/** A browser-like cookie jar for one user: signs in, then sends the cookie (and the CSRF token on writes). */
async function session(email: string, password: string) {
  const r = await call(signIn.POST, "POST", "/api/v1/auth/sign-in", { body: { email, password } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const cookies = r.headers.getSetCookie();
  const value = (name: string) => cookies.find((c) => c.startsWith(`${name}=`))!.split(";")[0]!.slice(name.length + 1);
  const cookie = `audit_session=${value("audit_session")}; audit_csrf=${value("audit_csrf")}`;
  return { cookies, cookie, csrf: value("audit_csrf") };
}

beforeAll(async () => {
  app = await useScratchApp();
  const db = await getDatabase();
  await ensureAdmin({ db, email: ADMIN.email, password: ADMIN.password, orgSlug: "acme", actor: SYSTEM });
  acmeId = (await db.prisma.org.findUniqueOrThrow({ where: { slug: "acme" } })).id;
});
afterAll(async () => {
  await app?.close();
});

describe(`dashboard sign-in, sessions and roles (${TEST_DB})`, () => {
  it("hashes passwords with salted scrypt", async () => {
    const a = await hashPassword("s3cret-password!");
    const b = await hashPassword("s3cret-password!");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toEqual(b);
    expect(await verifyPassword("s3cret-password!", a)).toBe(true);
    expect(await verifyPassword("s3cret-password?", a)).toBe(false);
    expect(await verifyPassword("x", "md5$nonsense")).toBe(false);
  });

  it("signs in with an httpOnly SameSite cookie (Secure behind HTTPS) and records user.login", async () => {
    const s = await session(ADMIN.email, ADMIN.password);
    const sc = s.cookies.find((c) => c.startsWith("audit_session="))!;
    expect(sc).toContain("HttpOnly");
    expect(sc).toContain("SameSite=Lax");
    expect(sc).not.toContain("Secure");
    expect(s.cookies.find((c) => c.startsWith("audit_csrf="))).not.toContain("HttpOnly");
    const https = await call(signIn.POST, "POST", "/api/v1/auth/sign-in", { body: ADMIN, headers: { "x-forwarded-proto": "https" } });
    expect(https.headers.getSetCookie().every((c) => c.includes("Secure"))).toBe(true);

    const who = await call(me.GET, "GET", "/api/v1/me", { headers: { cookie: s.cookie } });
    expect(who.status).toBe(200);
    expect(who.body.data).toMatchObject({ user: { email: ADMIN.email }, org: { slug: "acme" }, role: "admin" });
    const db = await getDatabase();
    const [login] = await listEvents({ sql: db.sql, orgId: acmeId, filter: { where: F.in("action", ...["user.login"]) }, limit: 1 });
    expect(login?.actor).toMatchObject({ type: "user", email: ADMIN.email });
  });

  it("refuses a wrong password without saying which part was wrong, and bad input names the field", async () => {
    const wrong = await call(signIn.POST, "POST", "/api/v1/auth/sign-in", { body: { email: ADMIN.email, password: "nope" } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toBe("email or password is wrong");
    const unknown = await call(signIn.POST, "POST", "/api/v1/auth/sign-in", { body: { email: "ghost@acme.test", password: "nope" } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe("email or password is wrong");
    const bad = await call(signIn.POST, "POST", "/api/v1/auth/sign-in", { body: { email: "not-an-email", password: "x" } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe("email");
  });

  it("throttles failed sign-ins per email in the database (429 even for the right password)", async () => {
    const db = await getDatabase();
    const victim = { email: "victim@acme.test", password: "victim-password-123" };
    await db.prisma.user.deleteMany({ where: { email: victim.email } });
    const { ensureUser } = await import("@/lib/users/ensure-user");
    await ensureUser({ db, orgId: acmeId, email: victim.email, password: victim.password, role: "viewer", actor: SYSTEM });
    for (let i = 0; i < 5; i++) {
      const r = await call(signIn.POST, "POST", "/api/v1/auth/sign-in", { body: { email: victim.email, password: `wrong-${i}` } });
      expect(r.status).toBe(401);
    }
    const locked = await call(signIn.POST, "POST", "/api/v1/auth/sign-in", { body: victim });
    expect(locked.status).toBe(429);
    expect(locked.body.error.retry_after_seconds).toBeGreaterThan(0);
    const rows = await db.sql.query<{ failures: number }>(`SELECT failures FROM sign_in_throttles WHERE key = $1`, [`email:${victim.email}`]);
    expect(rows[0]?.failures).toBe(5);
    // Another email from no particular IP is unaffected.
    expect((await call(signIn.POST, "POST", "/api/v1/auth/sign-in", { body: ADMIN })).status).toBe(200);
    const failed = await listEvents({ sql: db.sql, orgId: acmeId, filter: { where: F.and(F.in("action", ...["user.login_failed"]), F.in("actor.email", victim.email)) }, limit: 10 });
    expect(failed).toHaveLength(5);
  });

  it("protects cookie writes against CSRF: the token header is required and a foreign Origin is refused", async () => {
    const s = await session(ADMIN.email, ADMIN.password);
    const none = await call(signOut.POST, "POST", "/api/v1/auth/sign-out", { headers: { cookie: s.cookie } });
    expect(none.status).toBe(403);
    expect(none.body.error.field).toBe("x-csrf-token");
    const wrongToken = await call(signOut.POST, "POST", "/api/v1/auth/sign-out", { headers: { cookie: s.cookie, "x-csrf-token": "forged" } });
    expect(wrongToken.status).toBe(403);
    const foreign = await call(signOut.POST, "POST", "/api/v1/auth/sign-out", { headers: { cookie: s.cookie, "x-csrf-token": s.csrf, origin: "https://evil.example" } });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.field).toBe("origin");
    // Reads need no token.
    expect((await call(me.GET, "GET", "/api/v1/me", { headers: { cookie: s.cookie } })).status).toBe(200);
    const ok = await call(signOut.POST, "POST", "/api/v1/auth/sign-out", { headers: { cookie: s.cookie, "x-csrf-token": s.csrf, origin: "http://localhost" } });
    expect(ok.status).toBe(200);
    expect(ok.headers.getSetCookie().some((c) => c.startsWith("audit_session=;") && c.includes("Max-Age=0"))).toBe(true);
    const after = await call(me.GET, "GET", "/api/v1/me", { headers: { cookie: s.cookie } });
    expect(after.status).toBe(401);
  });

  it("roles: an admin adds a viewer and an auditor; their scopes follow the role; admin actions are audited as the user", async () => {
    const admin = await session(ADMIN.email, ADMIN.password);
    const mk = (email: string, role: string) =>
      call(users.POST, "POST", "/api/v1/admin/users", { headers: { cookie: admin.cookie, "x-csrf-token": admin.csrf }, body: { email, name: role, password: "a-long-password-1", role } });
    expect((await mk("viewer@acme.test", "viewer")).status).toBe(201);
    expect((await mk("auditor@acme.test", "auditor")).status).toBe(201);
    const dup = await mk("viewer@acme.test", "viewer");
    expect(dup.status).toBe(409);
    expect(dup.body.error.field).toBe("email");
    const weak = await call(users.POST, "POST", "/api/v1/admin/users", { headers: { cookie: admin.cookie, "x-csrf-token": admin.csrf }, body: { email: "x@acme.test", name: "x", password: "short", role: "viewer" } });
    expect(weak.status).toBe(422);
    expect(weak.body.error.field).toBe("password");

    const db = await getDatabase();
    const [created] = await listEvents({ sql: db.sql, orgId: acmeId, filter: { where: F.and(F.in("action", ...["user.created"]), F.in("resource.type", "user")) }, limit: 1 });
    expect(created?.actor).toMatchObject({ type: "user", email: ADMIN.email, name: "Administrator" });

    const viewer = await session("viewer@acme.test", "a-long-password-1");
    expect((await call(logs.GET, "GET", "/api/v1/audit/logs?limit=1", { headers: { cookie: viewer.cookie } })).status).toBe(200);
    expect((await call(users.GET, "GET", "/api/v1/admin/users", { headers: { cookie: viewer.cookie } })).status).toBe(403);
    const write = await call(logs.POST, "POST", "/api/v1/audit/logs", {
      headers: { cookie: viewer.cookie, "x-csrf-token": viewer.csrf },
      body: { actor: { id: "x", type: "user" }, action: "a.b", resource: { type: "t", id: "1" } },
    });
    expect(write.status).toBe(403);
    const auditor = await session("auditor@acme.test", "a-long-password-1");
    const a = await call(me.GET, "GET", "/api/v1/me", { headers: { cookie: auditor.cookie } });
    expect(a.body.data.scopes).toEqual(["audit:read", "audit:export"]);
  });

  it("sessions end after 12 idle hours or 7 days, and ended sessions are cleaned up", async () => {
    const db = await getDatabase();
    const { createSession, findSession } = await import("@/lib/sessions/manage-sessions");
    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: ADMIN.email } });
    const t0 = new Date("2030-01-01T00:00:00Z");
    const s = await createSession({ prisma: db.prisma, userId: user.id, orgId: acmeId, now: t0 });
    expect(await findSession({ db, token: s.token, now: new Date(t0.getTime() + 13 * 3_600_000) })).toBeNull();
    const s2 = await createSession({ prisma: db.prisma, userId: user.id, orgId: acmeId, now: t0 });
    expect(await findSession({ db, token: s2.token, now: new Date(t0.getTime() + 11 * 3_600_000) })).toMatchObject({ kind: "session", userId: user.id });
    expect(await findSession({ db, token: "not-a-session", now: t0 })).toBeNull();
    await createSession({ prisma: db.prisma, userId: user.id, orgId: acmeId, now: new Date(t0.getTime() + 8 * 86_400_000) });
    expect(await db.prisma.session.findUnique({ where: { id: s.sessionId } })).toBeNull();
  });

  it("switches org only to an org the user belongs to; the role follows the org", async () => {
    const db = await getDatabase();
    const { org: beta } = await ensureOrg({ db, slug: "beta", actor: SYSTEM });
    await ensureOrg({ db, slug: "gamma", actor: SYSTEM });
    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: "viewer@acme.test" } });
    await db.prisma.membership.create({ data: { userId: user.id, orgId: beta.id, role: "admin" } });
    const s = await session("viewer@acme.test", "a-long-password-1");
    const h = { cookie: s.cookie, "x-csrf-token": s.csrf };
    const sw = await call(meOrg.PUT, "PUT", "/api/v1/me/org", { headers: h, body: { org: "beta" } });
    expect(sw.status).toBe(200);
    expect(sw.body.data).toMatchObject({ org: { slug: "beta" }, role: "admin" });
    expect((await call(users.GET, "GET", "/api/v1/admin/users", { headers: { cookie: s.cookie } })).status).toBe(200);
    const notMine = await call(meOrg.PUT, "PUT", "/api/v1/me/org", { headers: h, body: { org: "gamma" } });
    expect(notMine.status).toBe(404);
    const back = await call(meOrg.PUT, "PUT", "/api/v1/me/org", { headers: h, body: { org: "acme" } });
    expect(back.body.data.role).toBe("viewer");
  });
});

describe(`explorer API (${TEST_DB})`, () => {
  let cookie: string;
  beforeAll(async () => {
    const db = await getDatabase();
    const { org } = await ensureOrg({ db, slug: "explore", actor: SYSTEM });
    await ensureAdmin({ db, email: "explorer@explore.test", password: "explorer-password-1", orgSlug: "explore", actor: SYSTEM });
    // 250 events; groups of 50 share one timestamp, so paging must order by (timestamp, seq).
    const events = Array.from({ length: 250 }, (_, i) => ({
      id: `x-${i}`,
      timestamp: new Date(Date.UTC(2025, 0, 1 + Math.floor(i / 50))).toISOString(),
      actor: { id: `u${i % 3}`, type: "user" as const, email: `u${i % 3}@explore.test` },
      action: ["policy.update", "policy.create", "user.login", "scan.completed"][i % 4]!,
      resource: { type: i % 2 ? "policy" : "repo", id: `r-${i % 5}` },
      ...(i % 10 === 0 && { details: { note: "contains PII data" } }),
      ...(i % 4 === 0 && { changes: { level: { old: i, new: i + 1 } } }),
      repository: i % 2 ? { id: "repo_web", name: "acme/web-app" } : undefined,
    }));
    await appendEvents({ sql: db.sql, orgId: org.id, events, fieldPrefix: "events" });
    cookie = (await session("explorer@explore.test", "explorer-password-1")).cookie;
  });
  const get = (h: typeof explorerEvents.GET, url: string) => call(h, "GET", url, { headers: { cookie } });

  it("pages through every matching entry exactly once with the keyset cursor (equal timestamps included)", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let total: number | null = null;
    for (let i = 0; i < 20; i++) {
      const r = await get(explorerEvents.GET, `/api/v1/audit/explorer/events?limit=37&q=${encodeURIComponent("created:2025-01-01..2025-01-31")}${cursor ? `&cursor=${cursor}` : ""}`);
      expect(r.status).toBe(200);
      if (total === null) total = r.body.total;
      seen.push(...r.body.data.map((e: { id: string }) => e.id));
      cursor = r.body.next_cursor;
      if (!cursor) break;
    }
    expect(total).toBe(250);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect(seen[0]).toBe("x-249");
  });

  it("applies the query language: prefixes, exclusions, repos, free text, dates", async () => {
    const q = async (query: string) => (await get(explorerEvents.GET, `/api/v1/audit/explorer/events?limit=500&q=${encodeURIComponent(query)}`)).body;
    const pol = await q("action:policy.*");
    expect(pol.data.filter((e: { action: string }) => !e.action.startsWith("policy.")).map((e: { action: string }) => e.action)).toEqual([]);
    expect(pol.total).toBe(126);
    expect((await q("action:policy.* -action:policy.update")).total).toBe(63);
    expect((await q("repo:acme/web-app")).total).toBe(125);
    expect((await q("-repo:acme/web-app action:user.login created:<2025-02-01")).total).toBe(62);
    expect((await q('"pii"')).total).toBe(25);
    expect((await q("actor:u1@explore.test resource:policy")).total).toBe(42);
    expect((await q("resource:repo/r-0")).total).toBe(25);
    expect((await q("created:2025-01-04..2025-01-31")).total).toBe(100);
    expect((await q("created:<2025-01-02 action:scan.completed")).total).toBe(12);
  });

  it("explains bad syntax with every problem and the field q", async () => {
    const r = await get(explorerEvents.GET, `/api/v1/audit/explorer/events?q=${encodeURIComponent('colour:red created:>tomorrow "open')}`);
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe("q");
    expect(r.body.error.query_errors).toHaveLength(3);
    expect(r.body.error.message).toContain('unknown key "colour"');
    const badCursor = await get(explorerEvents.GET, "/api/v1/audit/explorer/events?cursor=bm9wZQ");
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.field).toBe("cursor");
  });

  it("histogram buckets add up to the total; facets count actions ignoring the action filter", async () => {
    const h = await get(explorerHistogram.GET, "/api/v1/audit/explorer/histogram?from=2025-01-01&to=2025-01-05");
    expect(h.status).toBe(200);
    expect(h.body.data.buckets.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(250);
    expect(h.body.data.interval_ms).toBe(3_600_000);
    const f = await get(explorerFacets.GET, "/api/v1/audit/explorer/facets?action=user.login&to=2025-01-31");
    expect(f.body.data.actions).toEqual(expect.arrayContaining([{ value: "policy.update", count: 63 }, { value: "user.login", count: 62 }]));
    // The other facets obey the action filter: user.login events (even i) have no repository.
    expect(f.body.data.repositories).toEqual([]);
    expect(f.body.data.resource_types).toEqual([{ value: "repo", count: 62 }]);
  });

  it("day-or-longer histogram buckets without a filter come from the daily rollups and equal a count of the entries", async () => {
    const db = await getDatabase();
    const [org] = await db.sql.query<{ id: string }>(`SELECT id FROM orgs WHERE slug = 'explore'`);
    // What each bucket must hold, counted straight from the entries.
    const direct = async (stepMs: number, from: string, to: string) =>
      new Map(
        (
          await db.sql.query<{ t: Date; n: number }>(
            `SELECT date_bin($2::interval, timestamp, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS t, count(*)::int8 AS n
               FROM audit_events WHERE org_id = $1 AND timestamp >= $3 AND timestamp < $4 GROUP BY 1`,
            [org!.id, `${stepMs / 1000} seconds`, new Date(from), new Date(to)],
          )
        ).map((r) => [new Date(r.t).toISOString(), Number(r.n)]),
      );
    // Partial days at both edges (the last one holds the 50 entries of 2025-01-05 00:00:00.000).
    const from = "2024-10-01T12:00:00.000Z";
    const to = "2025-01-05T00:00:00.001Z";
    const h = await get(explorerHistogram.GET, `/api/v1/audit/explorer/histogram?from=${from}&to=${to}`);
    expect(h.status).toBe(200);
    expect(h.body.data.interval_ms).toBe(86_400_000);
    const want = await direct(86_400_000, from, to);
    const got = new Map<string, number>(h.body.data.buckets.filter((b: { count: number }) => b.count > 0).map((b: { start: string; count: number }) => [b.start, b.count]));
    expect(got).toEqual(want);
    expect(got.get("2025-01-05T00:00:00.000Z")).toBe(50);
    expect([...got.values()].reduce((a, b) => a + b, 0)).toBe(250);
    // The whole history (no range): weekly buckets from the first entry to the last.
    const all = await get(explorerHistogram.GET, "/api/v1/audit/explorer/histogram");
    expect(all.status).toBe(200);
    expect(all.body.data.interval_ms % 86_400_000).toBe(0);
    const wantAll = await direct(all.body.data.interval_ms, all.body.data.from, all.body.data.to);
    const gotAll = new Map<string, number>(all.body.data.buckets.filter((b: { count: number }) => b.count > 0).map((b: { start: string; count: number }) => [b.start, b.count]));
    expect(gotAll).toEqual(wantAll);
    expect(gotAll.size).toBeGreaterThan(1);
  });

  it("an entry comes with its chain neighbours and its resource's timeline; other orgs' ids are 404", async () => {
    const r = await call(explorerEntry.GET, "GET", "/api/v1/audit/explorer/entries/x-8", { headers: { cookie }, params: { id: "x-8" } });
    expect(r.status).toBe(200);
    const { event, previous, next, timeline } = r.body.data;
    expect(event.changes).toEqual({ level: { old: 8, new: 9 } });
    expect(previous.seq).toBe(event.seq - 1);
    expect(next.seq).toBe(event.seq + 1);
    expect(timeline.every((e: { resource: { type: string; id: string } }) => e.resource.type === "repo" && e.resource.id === "r-3")).toBe(true);
    expect(timeline.length).toBe(25);
    const admin = await session(ADMIN.email, ADMIN.password);
    const foreign = await call(explorerEntry.GET, "GET", "/api/v1/audit/explorer/entries/x-8", { headers: { cookie: admin.cookie }, params: { id: "x-8" } });
    expect(foreign.status).toBe(404);
  });
});
