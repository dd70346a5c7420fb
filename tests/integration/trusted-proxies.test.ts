import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as signIn from "@/app/api/v1/auth/sign-in/route";
import { F, listEvents } from "@/lib/audit/query-events";
import { getDatabase } from "@/lib/db/get-database";
import { PEER_HEADER } from "@/lib/http/client-address";
import { resetHttpConfigForTests } from "@/lib/http/http-config";
import { ensureAdmin } from "@/lib/users/ensure-admin";
import { call, useScratchApp } from "../support/api-client";
import { TEST_DB } from "../support/test-database";

/**
 * Issue 10, defect 6: the per-address sign-in throttle trusted any X-Forwarded-For. Now the header
 * counts only from AUDIT_TRUSTED_PROXIES; the peer address comes from the launcher (scripts/serve.mjs
 * sets x-audit-peer-address; AUDIT_PEER_FROM_LAUNCHER=1), simulated here exactly as it sets it.
 */
let app: { close(): Promise<void> };
const ADMIN = { email: "admin@proxy.test", password: "correct horse battery staple" };
const rnd = () => Math.floor(Math.random() * 254) + 1;

const attempt = (email: string, peer: string, xff?: string) =>
  call(signIn.POST, "POST", "/api/v1/auth/sign-in", { body: { email, password: "wrong password" }, headers: { [PEER_HEADER]: peer, ...(xff && { "x-forwarded-for": xff }) } });

beforeAll(async () => {
  process.env.AUDIT_PEER_FROM_LAUNCHER = "1";
  process.env.AUDIT_TRUSTED_PROXIES = "10.0.0.0/8, fd00::/8";
  resetHttpConfigForTests();
  app = await useScratchApp();
  await ensureAdmin({ db: await getDatabase(), email: ADMIN.email, password: ADMIN.password, orgSlug: "proxy", actor: { id: "test", type: "system" } });
});
afterAll(async () => {
  delete process.env.AUDIT_PEER_FROM_LAUNCHER;
  delete process.env.AUDIT_TRUSTED_PROXIES;
  resetHttpConfigForTests();
  await app?.close();
});

describe(`trusted proxies and the per-address sign-in throttle (${TEST_DB})`, () => {
  it("60 failures from one untrusted peer with 60 different X-Forwarded-For headers → 429 after 50", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      // A different email each time, so only the per-address count can lock.
      const r = await attempt(`nobody${i}@proxy.test`, "203.0.113.50", `${rnd()}.${rnd()}.${rnd()}.${i}`);
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 50)).toEqual(Array(50).fill(401));
    expect(statuses.slice(50)).toEqual(Array(10).fill(429));
    // The lock is on that address only: another client is not affected.
    expect((await attempt("someone@proxy.test", "203.0.113.51")).status).toBe(401);
  });

  it("behind a trusted proxy, each forwarded client counts on its own (rightmost untrusted hop)", async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 55; i++) {
      // The left part is forged by the client; the proxy appended the real address on the right.
      const r = await attempt(`other${i}@proxy.test`, "10.1.1.1", `6.6.6.6, 198.51.100.${i + 1}`);
      statuses.add(r.status);
    }
    expect([...statuses]).toEqual([401]);
    // …and the address a trusted proxy reports is throttled like a direct one.
    const forwarded: number[] = [];
    for (let i = 0; i < 51; i++) forwarded.push((await attempt(`fwd${i}@proxy.test`, "fd00::1", `${rnd()}.1.1.1, 192.0.2.77`)).status);
    expect(forwarded.slice(49)).toEqual([401, 429]);
  });

  it("the recorded ip_address is the same client address", async () => {
    const db = await getDatabase();
    const org = await db.prisma.org.findUniqueOrThrow({ where: { slug: "proxy" } });
    const viaProxy = await call(signIn.POST, "POST", "/api/v1/auth/sign-in", { body: ADMIN, headers: { [PEER_HEADER]: "10.2.3.4", "x-forwarded-for": "1.1.1.1, 198.51.100.200" } });
    expect(viaProxy.status).toBe(200);
    const forged = await call(signIn.POST, "POST", "/api/v1/auth/sign-in", { body: ADMIN, headers: { [PEER_HEADER]: "::ffff:203.0.113.99", "x-forwarded-for": "198.51.100.200" } });
    expect(forged.status).toBe(200);
    const logins = await listEvents({ sql: db.sql, orgId: org.id, filter: { where: F.in("action", ...["user.login"]) }, limit: 10 });
    expect(logins.map((e) => e.ip_address)).toEqual(["203.0.113.99", "198.51.100.200"]);
  });
});
