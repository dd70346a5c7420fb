import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as health from "@/app/api/health/route";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as tokenById from "@/app/api/v1/admin/tokens/[id]/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import * as logById from "@/app/api/v1/audit/logs/[id]/route";
import * as verify from "@/app/api/v1/audit/verify/route";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { sampleEvent, TEST_DB } from "../support/test-database";

let app: { close(): Promise<void> };
let acme: { id: string; token: string; tokenId: string };
let other: { token: string };
let readOnly: string;

async function mint(org: string, scopes: string[], extra: Record<string, unknown> = {}) {
  const r = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org, name: `t-${scopes.join("+")}`, scopes, ...extra } });
  expect(r.status).toBe(201);
  return r.body as { id: string; token: string };
}

beforeAll(async () => {
  app = await useScratchApp();
  const a = await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "acme-api", name: "Acme" } });
  expect(a.status).toBe(201);
  expect(a.body).toMatchObject({ id: expect.stringMatching(/^org_/), slug: "acme-api", name: "Acme" });
  await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "other-api" } });
  const t = await mint("acme-api", ["audit:read", "audit:write", "admin"]);
  acme = { id: a.body.id, token: t.token, tokenId: t.id };
  other = { token: (await mint("other-api", ["audit:read", "audit:write"])).token };
  readOnly = (await mint("acme-api", ["audit:read"])).token;
});
afterAll(async () => {
  await app?.close();
});

describe(`the Contract and the canonical API (${TEST_DB})`, () => {
  it("health answers 200 when the database answers", async () => {
    const r = await call(health.GET, "GET", "/api/health");
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("ok");
  });

  it("tokens are shown once, prefixed, and stored only as a hash", async () => {
    const t = await mint("acme-api", ["audit:read"]);
    expect(t.token).toMatch(/^audt_[A-Za-z0-9_-]{43}$/);
    const list = await call(tokens.GET, "GET", "/api/v1/admin/tokens?org=acme-api", { token: ROOT_TOKEN });
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(t.token);
    expect(list.body.data.find((x: { id: string }) => x.id === t.id)).toMatchObject({ prefix: t.token.slice(0, 12), scopes: ["audit:read"] });
  });

  it("ingests one event and a batch, and reads them back with hash and previous_hash", async () => {
    const one = await call(logs.POST, "POST", "/api/v1/audit/logs", { token: acme.token, body: sampleEvent(1) });
    expect(one.status).toBe(201);
    expect(one.body.data).toMatchObject({ accepted: 1, duplicates: 0 });
    const batch = await call(logs.POST, "POST", "/api/v1/audit/logs", { token: acme.token, body: { events: [sampleEvent(2), sampleEvent(3), sampleEvent(1)] } });
    expect(batch.status).toBe(201);
    expect(batch.body.data).toMatchObject({ accepted: 2, duplicates: 1 });
    const got = await call(logById.GET, "GET", "/api/v1/audit/logs/ev-2", { token: readOnly, params: { id: "ev-2" } });
    expect(got.status).toBe(200);
    expect(got.body.data).toMatchObject({
      id: "ev-2",
      event_type: "user.login",
      actor: { type: "user", id: "user-2", email: "user2@example.com" },
      resource: { type: "policy", id: "p-2", name: "Policy 2" },
      timestamp: "2025-01-01T00:00:02Z",
      hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      previous_hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    expect(got.body.data.metadata).toEqual({});
  });

  it("an identical resend answers 200 with duplicates; the same id with other content is 409", async () => {
    const again = await call(logs.POST, "POST", "/api/v1/audit/logs", { token: acme.token, body: sampleEvent(1) });
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ accepted: 0, duplicates: 1 });
    const clash = await call(logs.POST, "POST", "/api/v1/audit/logs", { token: acme.token, body: { ...sampleEvent(1), action: "policy.delete" } });
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ success: false, error: { code: "conflict", field: "id" } });
  });

  it("bad input is a 4xx naming the field and changes nothing", async () => {
    const before = (await call(logs.GET, "GET", "/api/v1/audit/logs", { token: readOnly })).body.pagination.total;
    const cases: [unknown, number, string][] = [
      [{ events: [sampleEvent(50), { ...sampleEvent(51), actor: { id: "x", type: "robot" } }] }, 422, "events[1].actor.type"],
      [{ events: [sampleEvent(52), { ...sampleEvent(53), org: "other-api" }] }, 422, "events[1].org"],
      [{ events: [] }, 422, "events"],
    ];
    for (const [body, status, field] of cases) {
      const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token: acme.token, body });
      expect(r.status).toBe(status);
      expect(r.body.error.field).toBe(field);
      expect(r.body.error.message).toContain(field);
    }
    const notJson = await call(logs.POST, "POST", "/api/v1/audit/logs", { token: acme.token, rawBody: "{oops", headers: { "content-type": "application/json" } });
    expect(notJson.status).toBe(400);
    const huge = await call(logs.POST, "POST", "/api/v1/audit/logs", { token: acme.token, body: { events: [{ ...sampleEvent(60), details: { x: "y".repeat(6 * 1024 * 1024) } }] } });
    expect(huge.status).toBe(413);
    const after = (await call(logs.GET, "GET", "/api/v1/audit/logs", { token: readOnly })).body.pagination.total;
    expect(after).toBe(before);
  });

  it("lists newest first with filters, page/limit and an exact total", async () => {
    await call(logs.POST, "POST", "/api/v1/audit/logs", { token: acme.token, body: { events: Array.from({ length: 20 }, (_, i) => sampleEvent(100 + i)) } });
    const r = await call(logs.GET, "GET", "/api/v1/audit/logs?event_type=policy.update&limit=5&page=2", { token: readOnly });
    expect(r.status).toBe(200);
    expect(r.body.pagination).toEqual({ page: 2, limit: 5, total: 12 }); // ev-1, ev-3 and the 10 odd ones of 100..119
    expect(r.body.data).toHaveLength(5);
    expect(r.body.data.every((e: { event_type: string }) => e.event_type === "policy.update")).toBe(true);
    const stamps = r.body.data.map((e: { timestamp: string }) => e.timestamp);
    expect([...stamps].sort().reverse()).toEqual(stamps);
    const ranged = await call(logs.GET, "GET", "/api/v1/audit/logs?from=2025-01-01T00:01:45Z&to=2025-01-01T00:01:49Z", { token: readOnly });
    expect(ranged.body.pagination.total).toBe(5); // 105..109, both ends inclusive
    const byActor = await call(logs.GET, "GET", "/api/v1/audit/logs?actor=user1@example.com&limit=1000", { token: readOnly });
    expect(byActor.body.data.every((e: { actor: { id: string } }) => e.actor.id === "user-1")).toBe(true);
  });

  it.each([
    ["page=0", "page"],
    ["limit=0", "limit"],
    ["limit=1001", "limit"],
    ["limit=abc", "limit"],
    ["from=yesterday", "from"],
    ["from=2025-02-01&to=2025-01-01", "from"],
  ])("GET /api/v1/audit/logs?%s → 400 naming %s", async (qs, field) => {
    const r = await call(logs.GET, "GET", `/api/v1/audit/logs?${qs}`, { token: readOnly });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ success: false, error: { code: "invalid_parameter", field } });
  });

  it("401 without or with a wrong credential; Basic auth takes the token id and the token", async () => {
    expect((await call(logs.GET, "GET", "/api/v1/audit/logs")).status).toBe(401);
    expect((await call(logs.GET, "GET", "/api/v1/audit/logs", { token: "audt_nope" })).status).toBe(401);
    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;
    expect((await call(logs.GET, "GET", "/api/v1/audit/logs", { authorization: basic(acme.tokenId, acme.token) })).status).toBe(200);
    expect((await call(logs.GET, "GET", "/api/v1/audit/logs", { authorization: basic("tok_other", acme.token) })).status).toBe(401);
  });

  it("403 without the scope; the root token has no org", async () => {
    const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token: readOnly, body: sampleEvent(900) });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toContain("audit:write");
    expect((await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: readOnly, body: { name: "x", scopes: ["admin"] } })).status).toBe(403);
    expect((await call(logs.GET, "GET", "/api/v1/audit/logs", { token: ROOT_TOKEN })).status).toBe(403);
    expect((await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: acme.token, body: { slug: "sneaky" } })).status).toBe(403);
  });

  it("another org's entry answers 404 like a missing one, and its data never shows", async () => {
    await call(logs.POST, "POST", "/api/v1/audit/logs", { token: other.token, body: sampleEvent(7777) });
    const theirs = await call(logById.GET, "GET", "/api/v1/audit/logs/ev-7777", { token: acme.token, params: { id: "ev-7777" } });
    const missing = await call(logById.GET, "GET", "/api/v1/audit/logs/ev-nope", { token: acme.token, params: { id: "ev-nope" } });
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(theirs.body.error.code).toBe(missing.body.error.code);
    const list = await call(logs.GET, "GET", "/api/v1/audit/logs?limit=1000", { token: acme.token });
    expect(JSON.stringify(list.body)).not.toContain("ev-7777");
    // An org admin cannot mint tokens for another org, nor learn that it exists.
    const cross = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: acme.token, body: { org: "other-api", name: "x", scopes: ["audit:read"] } });
    expect(cross.status).toBe(404);
  });

  it("revoked and expired tokens are refused", async () => {
    const t = await mint("acme-api", ["audit:read"]);
    expect((await call(logs.GET, "GET", "/api/v1/audit/logs", { token: t.token })).status).toBe(200);
    const del = await call(tokenById.DELETE, "DELETE", `/api/v1/admin/tokens/${t.id}`, { token: acme.token, params: { id: t.id } });
    expect(del.status).toBe(200);
    expect(del.body.revoked_at).toBeTruthy();
    const after = await call(logs.GET, "GET", "/api/v1/audit/logs", { token: t.token });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/revoked/);
    const past = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org: "acme-api", name: "old", scopes: ["audit:read"], expires_at: "2020-01-01T00:00:00Z" } });
    expect(past.status).toBe(422);
    expect(past.body.error.field).toBe("expires_at");
  });

  it("administrative actions are written to the org's own log", async () => {
    const r = await call(logs.GET, "GET", "/api/v1/audit/logs?event_type=token.created,token.revoked,org.created&limit=100", { token: acme.token });
    const types = new Set(r.body.data.map((e: { event_type: string }) => e.event_type));
    expect(types).toEqual(new Set(["org.created", "token.created", "token.revoked"]));
    const root = r.body.data.find((e: { event_type: string }) => e.event_type === "org.created");
    expect(root.actor).toMatchObject({ type: "system", id: "root" });
  });

  it("verify recomputes the chain and answers the seed's shape", async () => {
    const r = await call(verify.POST, "POST", "/api/v1/audit/verify", { token: readOnly });
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({ verified: true, chain_valid: true, hash_mismatches: 0, gaps_detected: 0, verification_hash: expect.stringMatching(/^sha256:/) });
    expect(r.body.data.logs_checked).toBeGreaterThan(20);
    const ranged = await call(verify.POST, "POST", "/api/v1/audit/verify", { token: readOnly, body: { from: "2025-01-01T00:01:45Z", to: "2025-01-01T00:01:49Z" } });
    expect(ranged.body.data.logs_checked).toBe(5);
    const bad = await call(verify.POST, "POST", "/api/v1/audit/verify", { token: readOnly, body: { from: "soon" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("from");
  });
});
