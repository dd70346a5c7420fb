/**
 * The AppSec+ and AMP dialects against their seed documents: every request example of
 * ../shared/seeds/{appsecplus-audit-logs-api.txt, amp-v1-audit-logs-api.txt} is replayed here and its
 * response compared field by field; bad parameters, 401/403/404 and cross-org for every route.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as appsecList from "@/app/audit-logs/route";
import * as appsecOne from "@/app/audit-logs/[id]/route";
import * as amp from "@/app/v1/audit_logs/route";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { TEST_DB } from "../support/test-database";

let app: { close(): Promise<void> };
let acme: { token: string; id: string };
let other: { token: string; id: string };
let minimal: { token: string };
let appsec: { token: string };
let writeOnly: string;

async function mint(org: string, scopes: string[]) {
  const r = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org, name: `t-${scopes.join("+")}`, scopes } });
  expect(r.status).toBe(201);
  return r.body as { id: string; token: string };
}

async function ingest(token: string, events: unknown[]) {
  for (let i = 0; i < events.length; i += 1000) {
    const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: { events: events.slice(i, i + 1000) } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
}

const AMP_USER = "16db5cf986eec6f44422";
const ampActor = { id: AMP_USER, type: "service_account" as const };
const ABL = "e773a9eb-296c-40df-98d8-bed46322589d";
const SHA = "273d33fd0a8b205e4af47bbc8ba2f314e68ca5da5ecd6d41dad8f287d6a305ae";

/** The seed's entries, in ingest order (oldest first), plus fillers so that totals exceed the page. */
function ampSeedEvents() {
  const fillers = Array.from({ length: 520 }, (_, i) => ({
    timestamp: new Date(Date.UTC(2016, 0, 1, 0, 0, i)).toISOString(),
    actor: { id: "filler", type: "system" as const },
    action: "policy.scan",
    resource: { type: "Policy", id: `policy-${i}` },
  }));
  const oldLogins = Array.from({ length: 4 }, (_, i) => ({
    timestamp: new Date(Date.UTC(2019, 5, 1 + i)).toISOString(),
    actor: { id: `old-user-${i}`, type: "user" as const, email: `old${i}@example.com` },
    action: "user.login",
    resource: { type: "User", id: `old-user-${i}` },
  }));
  const oldAbl = Array.from({ length: 4 }, (_, i) => ({
    timestamp: new Date(Date.UTC(2022, 2, 17, 10, 0, i)).toISOString(),
    actor: ampActor,
    action: "application_blocking_list.update",
    resource: { type: "ApplicationBlockingList", id: ABL },
    changes: { name: { old: `n${i}`, new: `n${i + 1}` } },
  }));
  return [
    ...fillers,
    { timestamp: "2018-09-18T22:06:23Z", actor: ampActor, action: "group.update", resource: { type: "Group", id: "7fe7a1d5-f2e5-4348-a0d8-6dcc7b40fe66" }, changes: { ancestry: { old: "577010", new: null } } },
    { timestamp: "2018-09-18T22:06:25Z", actor: ampActor, action: "group.create", resource: { type: "Group", id: "eeaaea2b-7bcb-4263-8fb2-84a519c12940" }, changes: { name: { old: null, new: "jRwlALSr" } } },
    ...oldLogins,
    { timestamp: "2021-04-09T19:15:54Z", actor: { id: "385501d4-017e-477c-8af6-8d096f95545d", type: "user" as const, email: "marlin2+sdc_api_docs@cisco.com" }, action: "user.login", resource: { type: "User", id: "385501d4-017e-477c-8af6-8d096f95545d" } },
    { timestamp: "2022-02-23T20:43:09Z", actor: { id: "373031bf-6e67-40e5-9fc2-ffea680a2ebd", type: "user" as const, email: "kmarasin+qa1_apidocs@cisco.com" }, action: "user.login", resource: { type: "User", id: "373031bf-6e67-40e5-9fc2-ffea680a2ebd" } },
    ...oldAbl,
    { timestamp: "2022-03-18T10:55:35Z", actor: ampActor, action: "application_blocking_list.update", resource: { type: "ApplicationBlockingList", id: ABL }, changes: { sha: { old: "", new: SHA } } },
    { timestamp: "2022-03-18T10:55:36Z", actor: ampActor, action: "application_blocking_list.update", resource: { type: "ApplicationBlockingList", id: ABL }, changes: { sha: { old: SHA, new: null } } },
    {
      timestamp: "2022-03-18T11:40:03Z", actor: ampActor, action: "computer.create", resource: { type: "Computer", id: AMP_USER },
      changes: {
        name: { old: null, new: "Demo_Upatre" }, desc: { old: null, new: "Computer populated with demo data" }, hostname: { old: null, new: "Demo_Upatre" },
        ip_external: { old: null, new: "167.151.184.100" }, group_id: { old: null, new: 431790 }, operating_system_id: { old: null, new: 35743 },
      },
    },
    {
      timestamp: "2022-03-18T11:40:03Z", actor: ampActor, action: "agent.create", resource: { type: "Agent", id: "538738f5-3a14-4449-933b-86142553de06" },
      changes: { policy_id: { old: null, new: 915608 }, product_version_id: { old: null, new: 19606 } },
    },
  ];
}

const SEED_AGENT = {
  event: "create", audit_log_type: "Agent", audit_log_id: "538738f5-3a14-4449-933b-86142553de06", audit_log_user: AMP_USER, created_at: "2022-03-18T11:40:03Z",
  old_attributes: { policy_id: null, product_version_id: null }, new_attributes: { policy_id: 915608, product_version_id: 19606 },
};
const SEED_COMPUTER = {
  event: "create", audit_log_type: "Computer", audit_log_id: AMP_USER, audit_log_user: AMP_USER, created_at: "2022-03-18T11:40:03Z",
  old_attributes: { name: null, desc: null, hostname: null, ip_external: null, group_id: null, operating_system_id: null },
  new_attributes: { name: "Demo_Upatre", desc: "Computer populated with demo data", hostname: "Demo_Upatre", ip_external: "167.151.184.100", group_id: 431790, operating_system_id: 35743 },
};
const SEED_LOGINS = [
  { event: "login", audit_log_type: "User", audit_log_id: "373031bf-6e67-40e5-9fc2-ffea680a2ebd", audit_log_user: "kmarasin+qa1_apidocs@cisco.com", created_at: "2022-02-23T20:43:09Z" },
  { event: "login", audit_log_type: "User", audit_log_id: "385501d4-017e-477c-8af6-8d096f95545d", audit_log_user: "marlin2+sdc_api_docs@cisco.com", created_at: "2021-04-09T19:15:54Z" },
];
const SEED_ABL = [
  { event: "update", audit_log_type: "ApplicationBlockingList", audit_log_id: ABL, audit_log_user: AMP_USER, created_at: "2022-03-18T10:55:36Z", old_attributes: { sha: SHA }, new_attributes: { sha: null } },
  { event: "update", audit_log_type: "ApplicationBlockingList", audit_log_id: ABL, audit_log_user: AMP_USER, created_at: "2022-03-18T10:55:35Z", old_attributes: { sha: "" }, new_attributes: { sha: SHA } },
];
const SEED_GROUPS = [
  { event: "create", audit_log_type: "Group", audit_log_id: "eeaaea2b-7bcb-4263-8fb2-84a519c12940", audit_log_user: AMP_USER, created_at: "2018-09-18T22:06:25Z", old_attributes: { name: null }, new_attributes: { name: "jRwlALSr" } },
  { event: "update", audit_log_type: "Group", audit_log_id: "7fe7a1d5-f2e5-4348-a0d8-6dcc7b40fe66", audit_log_user: AMP_USER, created_at: "2018-09-18T22:06:23Z", old_attributes: { ancestry: "577010" }, new_attributes: { ancestry: null } },
];

/** The AppSec+ seed's entry (ListAuditLogs response syntax). */
const APPSEC_EVENT = {
  id: "log-001",
  timestamp: "2025-11-01T10:30:00Z",
  actor: { id: "user-101", type: "user", email: "alice@example.com" },
  action: "policy.update",
  resource: { type: "policy", id: "policy-001", name: "Block Critical Vulns" },
  ip_address: "203.0.113.10",
  request_id: "req-8f2f1",
  changes: { action: { old: "monitor", new: "block" } },
};
const APPSEC_SEED_ENTRY = {
  id: "log-001",
  timestamp: "2025-11-01T10:30:00Z",
  actor: { id: "user-101", type: "user", email: "alice@example.com" },
  action: "policy.update",
  resource: { type: "policy", id: "policy-001", name: "Block Critical Vulns" },
  metadata: { ip: "203.0.113.10", requestId: "req-8f2f1", changes: { action: { old: "monitor", new: "block" } } },
};

let ampTotal = 0;

beforeAll(async () => {
  app = await useScratchApp();
  const a = await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "dialects-acme", name: "Acme" } });
  await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "dialects-other", name: "Other" } });
  await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "dialects-min", name: "Min" } });
  await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "dialects-appsec", name: "AppSec" } });
  expect(a.status).toBe(201);
  acme = await mint("dialects-acme", ["audit:read", "audit:write"]);
  other = await mint("dialects-other", ["audit:read", "audit:write"]);
  minimal = await mint("dialects-min", ["audit:read", "audit:write"]);
  appsec = await mint("dialects-appsec", ["audit:read", "audit:write"]);
  writeOnly = (await mint("dialects-acme", ["audit:write"])).token;
  const ampEvents = ampSeedEvents();
  const appsecEvents = [
    { id: "log-000", timestamp: "2025-10-30T09:00:00Z", actor: { id: "svc-7", type: "service_account" }, action: "policy.create", resource: { type: "policy", id: "policy-001", name: "Block Critical Vulns" } },
    APPSEC_EVENT,
    { id: "log-002", timestamp: "2025-11-02T08:00:00Z", actor: { id: "user-102", type: "user", email: "bob@example.com" }, action: "scan.trigger", resource: { type: "application", id: "app-9", name: "Web" } },
    { id: "log-003", timestamp: "2025-11-03T08:00:00Z", actor: { id: "user-101", type: "user", email: "alice@example.com" }, action: "update", resource: { type: "connector", id: "c-1" } },
  ];
  await ingest(acme.token, ampEvents);
  await ingest(appsec.token, appsecEvents);
  // Minting tokens is itself audited in the org's log: the total is the canonical API's total.
  ampTotal = (await call(logs.GET, "GET", "/api/v1/audit/logs?limit=1", { token: acme.token })).body.pagination.total;
  expect(ampTotal).toBeGreaterThanOrEqual(ampEvents.length);
  await ingest(other.token, [{ id: "other-1", actor: { id: "eve", type: "user", email: "eve@other.example" }, action: "user.login", resource: { type: "User", id: "eve" } }]);
  // The GetAuditLog example of the seed, exactly: no email, no name, no request id.
  await ingest(minimal.token, [{ id: "log-001", timestamp: "2025-11-01T10:30:00Z", actor: { id: "user-101", type: "user" }, action: "policy.update", resource: { type: "policy", id: "policy-001" }, ip_address: "203.0.113.10", changes: { action: { old: "monitor", new: "block" } } }]);
}, 180_000);
afterAll(async () => {
  await app?.close();
});

const basic = (id: string, token: string) => `Basic ${Buffer.from(`${id}:${token}`).toString("base64")}`;

describe(`AMP /v1/audit_logs: the seed's examples (${TEST_DB})`, () => {
  it("Fetch list of audit logs: envelope, defaults (500), next link, newest first", async () => {
    const r = await call(amp.GET, "GET", "/v1/audit_logs", { authorization: basic(acme.id, acme.token), headers: { accept: "application/json", "content-type": "application/json", "accept-encoding": "identity" } });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^application\/json/);
    expect(Object.keys(r.body)).toEqual(["version", "metadata", "data"]);
    expect(r.body.version).toBe("v1.2.0");
    expect(r.body.metadata).toEqual({
      links: { self: "http://localhost/v1/audit_logs", next: "http://localhost/v1/audit_logs?offset=500" },
      results: { total: ampTotal, current_item_count: 500, index: 0, items_per_page: 500 },
    });
    expect(r.body.data).toHaveLength(500);
    // Minting the test's tokens was audited just now: those entries lead, then come the seed's two.
    const seedPart = r.body.data.filter((d: { audit_log_type: string }) => d.audit_log_type === "Agent" || d.audit_log_type === "Computer");
    expect(seedPart).toEqual([SEED_AGENT, SEED_COMPUTER]);
    expect(Object.keys(seedPart[0])).toEqual(Object.keys(SEED_AGENT));
  });

  const examples: [string, string, unknown[], number][] = [
    ["audit_log_type", "audit_log_type=User&limit=5", SEED_LOGINS, 6],
    ["audit_log_id", `audit_log_id=${ABL}&limit=5`, SEED_ABL, 6],
    ["event", "event=login&limit=5", SEED_LOGINS, 6],
    ["end_time", "end_time=2018-10-01T00%3A00%3A00%2B00%3A00&limit=5", SEED_GROUPS, 522],
  ];
  it.each(examples)("filtered by %s", async (_name, qs, firstTwo, total) => {
    const r = await call(amp.GET, "GET", `/v1/audit_logs?${qs}`, { authorization: basic(acme.id, acme.token) });
    expect(r.status).toBe(200);
    expect(r.body.metadata).toEqual({
      links: { self: `http://localhost/v1/audit_logs?${qs}`, next: `http://localhost/v1/audit_logs?${qs}&offset=5` },
      results: { total, current_item_count: 5, index: 0, items_per_page: 5 },
    });
    expect(r.body.data.slice(0, 2)).toEqual(firstTwo);
    expect(r.body.data).toHaveLength(5);
  });

  it("filtered by start_time: the seed's first two entries lead", async () => {
    const qs = "start_time=2015-10-01T00%3A00%3A00%2B00%3A00&limit=5";
    const r = await call(amp.GET, "GET", `/v1/audit_logs?${qs}`, { token: acme.token });
    expect(r.status).toBe(200);
    expect(r.body.metadata.links).toEqual({ self: `http://localhost/v1/audit_logs?${qs}`, next: `http://localhost/v1/audit_logs?${qs}&offset=5` });
    expect(r.body.metadata.results.total).toBe(ampTotal);
    const amps = r.body.data.filter((d: { audit_log_type: string }) => d.audit_log_type === "Agent" || d.audit_log_type === "Computer");
    expect(amps).toEqual([SEED_AGENT, SEED_COMPUTER]);
    const later = await call(amp.GET, "GET", "/v1/audit_logs?start_time=2022-03-18T11%3A40%3A03%2B00%3A00&end_time=2022-03-18T11%3A40%3A03%2B00%3A00", { token: acme.token });
    expect(later.body.data).toEqual([SEED_AGENT, SEED_COMPUTER]);
  });

  it("filtered by audit_log_user: the seed's empty answer, exactly", async () => {
    const r = await call(amp.GET, "GET", "/v1/audit_logs?audit_log_user=amp%40cisco.com&limit=5", { authorization: basic(acme.id, acme.token) });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      version: "v1.2.0",
      metadata: { links: { self: "http://localhost/v1/audit_logs?audit_log_user=amp%40cisco.com&limit=5" }, results: { total: 0, current_item_count: 0, index: 0, items_per_page: 5 } },
      data: [],
    });
    const kma = await call(amp.GET, "GET", "/v1/audit_logs?audit_log_user=kmarasin%2Bqa1_apidocs%40cisco.com", { token: acme.token });
    expect(kma.body.data).toEqual([SEED_LOGINS[0]]);
    const byId = await call(amp.GET, "GET", `/v1/audit_logs?audit_log_user=${AMP_USER}&audit_log_type=Group`, { token: acme.token });
    expect(byId.body.data).toEqual(SEED_GROUPS);
  });

  it("offset paging: index, next advanced, no next on the last page; filters combine", async () => {
    const p2 = await call(amp.GET, "GET", "/v1/audit_logs?event=login&limit=5&offset=5", { token: acme.token });
    expect(p2.body.metadata).toEqual({
      links: { self: "http://localhost/v1/audit_logs?event=login&limit=5&offset=5" },
      results: { total: 6, current_item_count: 1, index: 5, items_per_page: 5 },
    });
    const all = await call(amp.GET, "GET", "/v1/audit_logs?event=login&limit=6", { token: acme.token });
    expect(all.body.data.slice(5)).toEqual(p2.body.data);
    const both = await call(amp.GET, "GET", `/v1/audit_logs?audit_log_type=ApplicationBlockingList&event=update&start_time=2022-03-18T00:00:00Z`, { token: acme.token });
    expect(both.body.data).toEqual(SEED_ABL);
  });

  it.each([
    ["limit=abc", "limit"],
    ["limit=0", "limit"],
    ["limit=501", "limit"],
    ["limit=1.5", "limit"],
    ["offset=-1", "offset"],
    ["offset=x", "offset"],
    ["start_time=yesterday", "start_time"],
    ["end_time=2018-13-01T00:00:00Z", "end_time"],
    ["start_time=2020-01-02T00:00:00Z&end_time=2020-01-01T00:00:00Z", "start_time"],
    ["event=", "event"],
  ])("400 naming the field for %s", async (qs, field) => {
    const r = await call(amp.GET, "GET", `/v1/audit_logs?${qs}`, { token: acme.token });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: "invalid_parameter", field });
    expect(r.body.error.message).toContain(field);
  });

  it("401 without or with a wrong credential (Basic with another token's id too), 403 without audit:read, root has no org", async () => {
    expect((await call(amp.GET, "GET", "/v1/audit_logs")).status).toBe(401);
    expect((await call(amp.GET, "GET", "/v1/audit_logs", { token: "nope" })).status).toBe(401);
    const wrongId = await call(amp.GET, "GET", "/v1/audit_logs", { authorization: basic(other.id, acme.token) });
    expect(wrongId.status).toBe(401);
    expect(wrongId.headers.get("www-authenticate")).toContain("Basic");
    expect((await call(amp.GET, "GET", "/v1/audit_logs", { token: writeOnly })).status).toBe(403);
    expect((await call(amp.GET, "GET", "/v1/audit_logs", { token: ROOT_TOKEN })).status).toBe(403);
  });

  it("cross-org: another org sees only its own entries and totals", async () => {
    const r = await call(amp.GET, "GET", "/v1/audit_logs", { authorization: basic(other.id, other.token) });
    const otherTotal = (await call(logs.GET, "GET", "/api/v1/audit/logs?limit=1", { token: other.token })).body.pagination.total;
    expect(r.body.metadata.results.total).toBe(otherTotal);
    expect(otherTotal).toBeLessThan(5);
    expect(r.body.data.filter((d: { audit_log_type: string }) => d.audit_log_type === "User")).toEqual([
      { event: "login", audit_log_type: "User", audit_log_id: "eve", audit_log_user: "eve@other.example", created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) },
    ]);
    expect(JSON.stringify(r.body)).not.toContain(AMP_USER);
    const probe = await call(amp.GET, "GET", `/v1/audit_logs?audit_log_id=${ABL}`, { token: other.token });
    expect(probe.body.metadata.results.total).toBe(0);
  });
});

describe(`AppSec+ /audit-logs: the seed's examples (${TEST_DB})`, () => {
  it("cURL example ?resourceType=policy: a bare array of the seed's entries, newest first", async () => {
    const r = await call(appsecList.GET, "GET", "/audit-logs?resourceType=policy", { token: appsec.token });
    expect(r.status).toBe(200);
    expect(Array.isArray(r.body)).toBe(true);
    expect(r.body).toEqual([
      APPSEC_SEED_ENTRY,
      { id: "log-000", timestamp: "2025-10-30T09:00:00Z", actor: { id: "svc-7", type: "service_account" }, action: "policy.create", resource: { type: "policy", id: "policy-001", name: "Block Critical Vulns" }, metadata: {} },
    ]);
    expect(Object.keys(r.body[0])).toEqual(["id", "timestamp", "actor", "action", "resource", "metadata"]);
    expect(r.headers.get("link")).toBeNull();
  });

  it("GetAuditLog /audit-logs/log-001: the seed's single response, exactly", async () => {
    const r = await call(appsecOne.GET, "GET", "/audit-logs/log-001", { token: minimal.token, params: { id: "log-001" } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      id: "log-001",
      timestamp: "2025-11-01T10:30:00Z",
      actor: { id: "user-101", type: "user" },
      action: "policy.update",
      resource: { type: "policy", id: "policy-001" },
      metadata: { ip: "203.0.113.10", changes: { action: { old: "monitor", new: "block" } } },
    });
    const full = await call(appsecOne.GET, "GET", "/audit-logs/log-001", { token: appsec.token, params: { id: "log-001" } });
    expect(full.body).toEqual(APPSEC_SEED_ENTRY);
  });

  it("Request Syntax: actorId, resourceType, action (exact or policy.*), from and to", async () => {
    const ids = async (qs: string) => ((await call(appsecList.GET, "GET", `/audit-logs?${qs}`, { token: appsec.token })).body as { id: string }[]).map((e) => e.id);
    expect(await ids("actorId=user-101")).toEqual(["log-003", "log-001"]);
    expect(await ids("action=update&actorId=user-101")).toEqual(["log-003"]);
    expect(await ids("action=policy.update")).toEqual(["log-001"]);
    expect(await ids("action=policy.*&resourceType=policy")).toEqual(["log-001", "log-000"]);
    expect(await ids("action=scan.trigger")).toEqual(["log-002"]);
    expect(await ids("resourceType=policy&from=2025-11-01T10:30:00Z&to=2025-11-01T10:30:00Z")).toEqual(["log-001"]);
    expect(await ids("from=2025-11-01T00:00:00Z&to=2025-11-02T23:59:59Z")).toEqual(["log-002", "log-001"]);
    expect(await ids("actorId=user-101&resourceType=role")).toEqual([]);
  });

  it("limit + cursor: pages follow the RFC 8288 Link header to the end, without overlap", async () => {
    const seen: string[] = [];
    let url: string | null = "/audit-logs?from=2025-01-01T00:00:00Z&limit=2";
    let pages = 0;
    while (url) {
      const r = await call(appsecList.GET, "GET", url, { token: appsec.token });
      expect(r.status).toBe(200);
      seen.push(...r.body.map((e: { id: string }) => e.id));
      const link = r.headers.get("link");
      pages += 1;
      if (link) {
        const m = /^<([^>]+)>; rel="next"$/.exec(link);
        expect(m).not.toBeNull();
        const next = new URL(m![1]!);
        expect(next.searchParams.get("from")).toBe("2025-01-01T00:00:00Z");
        expect(next.searchParams.get("limit")).toBe("2");
        url = `${next.pathname}${next.search}`;
      } else url = null;
    }
    const expected = (await call(appsecList.GET, "GET", "/audit-logs?from=2025-01-01T00:00:00Z&limit=1000", { token: appsec.token })).body.map((e: { id: string }) => e.id);
    const canonical = (await call(logs.GET, "GET", "/api/v1/audit/logs?from=2025-01-01T00:00:00Z&limit=1", { token: appsec.token })).body.pagination.total;
    expect(expected).toHaveLength(canonical);
    expect(canonical).toBeGreaterThanOrEqual(4);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(canonical / 2));
  });

  it.each([
    ["from=2025-11-02T00:00:00Z&to=2025-11-01T00:00:00Z", "from", /invalid time range/],
    ["from=not-a-date", "from", /ISO 8601/],
    ["to=2025-02-30", "to", /ISO 8601/],
    ["limit=0", "limit", /at least 1/],
    ["limit=1001", "limit", /at most 1000/],
    ["limit=ten", "limit", /integer/],
    ["cursor=garbage", "cursor", /cursor/],
    ["actorId=", "actorId", /empty/],
  ])("400 with a JSON body naming the field: %s", async (qs, field, message) => {
    const r = await call(appsecList.GET, "GET", `/audit-logs?${qs}`, { token: appsec.token });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe(field);
    expect(r.body.error.message).toMatch(message);
  });

  it("401, 403, 404 and cross-org on both routes, each with a JSON body", async () => {
    for (const [handler, url, params] of [
      [appsecList.GET, "/audit-logs", {}],
      [appsecOne.GET, "/audit-logs/log-001", { id: "log-001" }],
    ] as const) {
      const none = await call(handler, "GET", url, { params });
      expect(none.status).toBe(401);
      expect(none.body.error.message).toMatch(/authentication failed/);
      expect((await call(handler, "GET", url, { token: "audt_wrong", params })).status).toBe(401);
      const forbidden = await call(handler, "GET", url, { token: writeOnly, params });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error.message).toMatch(/audit:read/);
    }
    const missing = await call(appsecOne.GET, "GET", "/audit-logs/log-999", { token: appsec.token, params: { id: "log-999" } });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: "not_found", message: expect.stringContaining("log-999") });
    const cross = await call(appsecOne.GET, "GET", "/audit-logs/log-002", { token: other.token, params: { id: "log-002" } });
    expect(cross.status).toBe(404);
    expect(cross.body).toEqual({ ...missing.body, error: { ...missing.body.error, message: missing.body.error.message.replace("log-999", "log-002") } });
    const list = await call(appsecList.GET, "GET", "/audit-logs?resourceType=policy", { token: other.token });
    expect(list.body).toEqual([]);
  });
});
