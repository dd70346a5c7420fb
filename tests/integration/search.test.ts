/** Full-text search (`GET /api/v1/audit/search`, ComplianceAgent seed "Search Audit Logs"). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as search from "@/app/api/v1/audit/search/route";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import { getDatabase } from "@/lib/db/get-database";
import { parseSearchQuery } from "@/lib/search/parse-search-query";
import { searchEvents } from "@/lib/search/search-events";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { TEST_DB } from "../support/test-database";

let app: { close(): Promise<void> };
let token: string;
let otherToken: string;
let writeOnly: string;

async function mint(org: string, scopes: string[]) {
  const r = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org, name: "search", scopes } });
  expect(r.status).toBe(201);
  return r.body.token as string;
}

const EVENTS = [
  {
    id: "log_abc123", timestamp: "2024-01-15T10:30:00Z", action: "fix.applied",
    actor: { id: "user-101", type: "user", email: "alice@example.com", name: "Alice Liddell" },
    resource: { type: "repository", id: "repo-1", name: "payments" },
    details: { summary: "Enabled encryption for PII fields", note: "<script>alert('x')</script> & friends" },
  },
  {
    id: "log-policy", timestamp: "2024-01-16T10:30:00Z", action: "policy.update",
    actor: { id: "user-102", type: "user", email: "bob@example.com" },
    resource: { type: "policy", id: "policy-001", name: "Block Critical Vulns" },
    changes: { action: { old: "monitor", new: "block" } },
  },
  {
    id: "log-create", timestamp: "2024-01-17T10:30:00Z", action: "policy.create",
    actor: { id: "svc-ci", type: "service_account" },
    resource: { type: "policy", id: "policy-002", name: "Allow licences" },
    details: { reviewer: "alice@example.com" },
  },
  {
    id: "log-login", timestamp: "2024-02-01T08:00:00Z", action: "user.login",
    actor: { id: "e773a9eb-296c-40df-98d8-bed46322589d", type: "user", email: "kmarasin+qa1_apidocs@cisco.com" },
    resource: { type: "User", id: "e773a9eb-296c-40df-98d8-bed46322589d" }, ip_address: "203.0.113.10",
  },
  {
    id: "log-scan", timestamp: "2024-02-02T08:00:00Z", action: "scan.completed",
    actor: { id: "system", type: "system" },
    resource: { type: "application", id: "app-9", name: "Critical payments gateway" },
    details: { findings: 3, severity: "critical", block: false },
  },
];

beforeAll(async () => {
  app = await useScratchApp();
  await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "search-acme" } });
  await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "search-other" } });
  token = await mint("search-acme", ["audit:read", "audit:write"]);
  otherToken = await mint("search-other", ["audit:read", "audit:write"]);
  writeOnly = await mint("search-acme", ["audit:write"]);
  const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: { events: EVENTS } });
  expect(r.status).toBe(201);
  const o = await call(logs.POST, "POST", "/api/v1/audit/logs", {
    token: otherToken,
    body: { id: "other-pii", action: "fix.applied", actor: { id: "eve", type: "user", email: "alice@example.com" }, resource: { type: "repository", id: "r" }, details: { summary: "PII encryption" } },
  });
  expect(o.status).toBe(201);
});
afterAll(async () => {
  await app?.close();
});

const find = (qs: string, t = token) => call(search.GET, "GET", `/api/v1/audit/search?${qs}`, { token: t });
const ids = async (qs: string) => {
  const r = await find(qs);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.data.results as { id: string }[]).map((x) => x.id).sort();
};

describe(`full-text search (${TEST_DB})`, () => {
  it("answers the seed's shape: success, data.results[{id, event_type, highlight, score, timestamp}], data.total", async () => {
    const r = await find("q=PII");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      success: true,
      data: {
        results: [{ id: "log_abc123", event_type: "fix.applied", highlight: expect.stringContaining("<em>PII</em>"), score: 1, timestamp: "2024-01-15T10:30:00Z" }],
        total: 1,
      },
    });
    expect(Object.keys(r.body.data.results[0])).toEqual(["id", "event_type", "highlight", "score", "timestamp"]);
    expect(r.body.data.results[0].highlight).toMatch(/encryption for <em>PII<\/em> fields/);
  });

  it("highlights are HTML-escaped text in which only <em>…</em> marks hits", async () => {
    const r = await find("q=friends");
    const h: string = r.body.data.results[0].highlight;
    expect(h).toContain("<em>friends</em>");
    expect(h).toContain("alert(&#39;x&#39;)&lt;/script&gt; &amp; <em>friends</em>");
    expect(h.replace(/<\/?em>/g, "")).not.toMatch(/[<>]/);
  });

  it("finds emails, ids, dotted actions and parts of them, not only English words", async () => {
    expect(await ids("q=alice@example.com")).toEqual(["log-create", "log_abc123"]);
    expect(await ids("q=example.com")).toEqual(["log-create", "log-policy", "log_abc123"]);
    expect(await ids("q=policy.update")).toEqual(["log-policy"]);
    expect(await ids("q=policy")).toEqual(["log-create", "log-policy"]);
    expect(await ids("q=user-101")).toEqual(["log_abc123"]);
    expect(await ids("q=e773a9eb-296c-40df-98d8-bed46322589d")).toEqual(["log-login"]);
    expect(await ids("q=kmarasin%2Bqa1_apidocs%40cisco.com")).toEqual(["log-login"]);
    expect(await ids("q=203.0.113.10")).toEqual(["log-login"]);
    expect(await ids("q=monitor")).toEqual(["log-policy"]);
    const dotted = await find("q=policy.update");
    expect(dotted.body.data.results[0].highlight).toContain("<em>policy.update</em>");
  });

  it("web-search syntax: phrases, -excluded, OR", async () => {
    expect(await ids("q=%22block+critical%22")).toEqual(["log-policy"]);
    expect(await ids("q=%22critical+block%22")).toEqual([]);
    expect(await ids("q=critical")).toEqual(["log-policy", "log-scan"]);
    expect(await ids("q=critical+-payments")).toEqual(["log-policy"]);
    expect(await ids("q=policy+-bob@example.com")).toEqual(["log-create"]);
    expect(await ids("q=login+OR+scan")).toEqual(["log-login", "log-scan"]);
    expect(await ids("q=login+scan")).toEqual([]);
  });

  it("fields=actor and fields=details restrict where words may match", async () => {
    expect(await ids("q=alice&fields=all")).toEqual(["log-create", "log_abc123"]);
    expect(await ids("q=alice&fields=actor")).toEqual(["log_abc123"]);
    expect(await ids("q=alice&fields=details")).toEqual(["log-create"]);
    expect(await ids("q=block&fields=details")).toEqual(["log-policy", "log-scan"]); // a value, and a key of details
    expect(await ids("q=block")).toEqual(["log-policy", "log-scan"]);
    expect(await ids("q=severity:critical")).toEqual(["log-scan"]);
    expect(await ids("q=critical&fields=details")).toEqual(["log-scan"]);
    expect(await ids("q=block&fields=actor")).toEqual([]);
    const h = (await find("q=alice&fields=actor")).body.data.results[0].highlight;
    expect(h).toContain("<em>Alice</em>");
    expect(h).not.toContain("PII");
  });

  it("scores lie in (0, 1], the best is 1, results are ordered by score", async () => {
    const r = await find("q=critical+OR+payments+OR+block");
    const scores: number[] = r.body.data.results.map((x: { score: number }) => x.score);
    expect(scores.length).toBeGreaterThanOrEqual(3);
    expect(scores[0]).toBe(1);
    for (const s of scores) expect(s > 0 && s <= 1).toBe(true);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(new Set(scores).size).toBeGreaterThan(1);
  });

  it("from/to, page and limit; total counts every match", async () => {
    expect(await ids("q=policy&from=2024-01-17")).toEqual(["log-create"]);
    expect(await ids("q=policy&to=2024-01-16T10:30:00Z")).toEqual(["log-policy"]);
    const p1 = await find("q=critical+OR+policy&limit=2&page=1");
    const p2 = await find("q=critical+OR+policy&limit=2&page=2");
    const p3 = await find("q=critical+OR+policy&limit=2&page=3");
    expect(p1.body.data.total).toBe(3);
    expect(p2.body.data.total).toBe(3);
    expect(p3.body.data).toEqual({ results: [], total: 3 });
    const all = [...p1.body.data.results, ...p2.body.data.results].map((x: { id: string }) => x.id);
    expect(new Set(all)).toEqual(new Set(["log-policy", "log-create", "log-scan"]));
  });

  it("more matches than the rank window: total says 'more than' the window, pages reach past it without overlap", async () => {
    const bulk = Array.from({ length: 1100 }, (_, i) => ({
      id: `bulk-${i}`, timestamp: new Date(Date.UTC(2023, 0, 1, 0, 0, i)).toISOString(), action: "bulk.imported",
      actor: { id: "importer", type: "service_account" }, resource: { type: "row", id: `row-${i}` }, details: { word: i % 2 ? "bulkword bulkword" : "bulkword" },
    }));
    for (const events of [bulk.slice(0, 1000), bulk.slice(1000)]) {
      expect((await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: { events } })).status).toBe(201);
    }
    const first = await find("q=bulkword&limit=100");
    // EXACT_TOTAL_LIMIT is the ranked window (1 000): beyond it, 1000 and X-Total-Relation: gte.
    expect(first.body.data.total).toBe(1000);
    expect(first.body.data.results[0].score).toBe(1);
    const seen = new Set<string>();
    for (let page = 1; page <= 11; page++) {
      const p = await find(`q=bulkword&limit=100&page=${page}&fields=details`);
      expect(p.body.data.total).toBe(1000);
      for (const x of p.body.data.results) seen.add(x.id);
    }
    expect(seen.size).toBe(1100);
    expect((await find("q=bulkword&limit=100&page=12")).body.data).toEqual({ results: [], total: 1000 });
    expect(first.headers.get("x-total-relation")).toBe("gte");
    // Beyond the exact-total limit the total is the limit and the answer says so.
    const db = await getDatabase();
    const orgId = (await db.prisma.org.findUniqueOrThrow({ where: { slug: "search-acme" } })).id;
    const capped = await searchEvents({ sql: db.sql, orgId, filter: { textSearch: parseSearchQuery("bulkword") }, fields: "all", limit: 10, offset: 0, exactTotalLimit: 500 });
    expect(capped).toMatchObject({ total: 500, totalExact: false });
    expect(capped.hits).toHaveLength(10);
    const exact = await searchEvents({ sql: db.sql, orgId, filter: { textSearch: parseSearchQuery("bulkword") }, fields: "all", limit: 10, offset: 0, exactTotalLimit: 1100 });
    expect(exact).toMatchObject({ total: 1100, totalExact: true });
  });

  it.each([
    ["", "q"],
    ["q=", "q"],
    ["q=%21%21%21", "q"],
    [`q=${"a".repeat(501)}`, "q"],
    ["q=x&fields=body", "fields"],
    ["q=x&limit=0", "limit"],
    ["q=x&limit=101", "limit"],
    ["q=x&page=abc", "page"],
    ["q=x&from=soon", "from"],
    ["q=x&from=2024-02-01&to=2024-01-01", "from"],
  ])("400 naming the field: %s", async (qs, field) => {
    const r = await find(qs);
    expect(r.status).toBe(400);
    expect(r.body.success).toBe(false);
    expect(r.body.error.field).toBe(field);
  });

  it("401 without a credential, 403 without audit:read, and another org's entries never match", async () => {
    expect((await call(search.GET, "GET", "/api/v1/audit/search?q=PII")).status).toBe(401);
    expect((await find("q=PII", writeOnly)).status).toBe(403);
    expect((await find("q=PII", ROOT_TOKEN)).status).toBe(403);
    const other = await find("q=PII", otherToken);
    expect(other.body.data.results.map((x: { id: string }) => x.id)).toEqual(["other-pii"]);
    expect((await find("q=log_abc123", otherToken)).body.data.total).toBe(0);
  });
});
