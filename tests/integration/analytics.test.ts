import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import * as history from "@/app/api/v1/audit/history/route";
import * as statistics from "@/app/api/v1/audit/statistics/route";
import * as soc2 from "@/app/api/v1/audit/evidence/soc2/route";
import * as artifacts from "@/app/api/v1/audit/evidence/artifacts/route";
import { SOC2_CRITERIA_IDS } from "@/lib/analytics/soc2-criteria";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { TEST_DB } from "../support/test-database";

let app: { close(): Promise<void> };
let token: string;
let otherToken: string;
let readOnly: string;

const scanner = { id: "system_scanner", type: "system", name: "Compliance Scanner" };
const alice = { id: "user_alice", type: "user", email: "alice@acme.com", name: "Alice" };
const web = { id: "repo_web", name: "acme/web-app" };
const api = { id: "repo_api", name: "acme/api" };

const scan = (id: string, ts: string, repo: typeof web, framework: string, score: number) => ({
  id, timestamp: ts, actor: scanner, action: "scan.completed", resource: { type: "scan", id }, repository: repo, details: { framework, score },
});
const issue = (id: string, ts: string, action: "issue.created" | "issue.resolved", issueId: string, repo = web) => ({
  id, timestamp: ts, actor: scanner, action, resource: { type: "issue", id: issueId }, repository: repo, details: { framework: "soc2" },
});
const fix = (id: string, ts: string) => ({ id, timestamp: ts, actor: alice, action: "fix.applied", resource: { type: "fix", id: `f-${id}` }, repository: web, details: { framework: "soc2" } });

async function ingest(t: string, events: unknown[]) {
  const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token: t, body: { events } });
  expect(r.status).toBe(201);
}

async function mint(org: string, scopes: string[]) {
  const r = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org, name: "t", scopes } });
  expect(r.status).toBe(201);
  return r.body.token as string;
}

beforeAll(async () => {
  app = await useScratchApp();
  await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "hist" } });
  await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "hist-other" } });
  token = await mint("hist", ["audit:read", "audit:write", "audit:export"]);
  readOnly = await mint("hist", ["audit:read"]);
  otherToken = await mint("hist-other", ["audit:read", "audit:write", "audit:export"]);
  await ingest(token, [
    // Scores. repo_web soc2: 78 (wk 1), 82 (wk 2), 85 (wk 3) — the seed's example. A gdpr scan in wk 1
    // must not count for framework=soc2. repo_api soc2: 60 before the range, then nothing (carried).
    scan("s-api", "2023-12-28T09:00:00Z", api, "soc2", 60),
    scan("s1", "2024-01-03T09:00:00Z", web, "soc2", 78),
    scan("s1g", "2024-01-05T09:00:00Z", web, "gdpr", 50),
    scan("s2", "2024-01-10T09:00:00Z", web, "soc2", 82),
    scan("s3", "2024-01-17T09:00:00Z", web, "soc2", 85),
    // Issues: i0 open since before the range; i1, i2 wk 1; i3 wk 2; i1 resolved wk 2; i2 resolved wk 3;
    // a resolve of an unknown issue and a repeated create change nothing.
    issue("c0", "2023-12-20T10:00:00Z", "issue.created", "i0"),
    issue("c1", "2024-01-02T10:00:00Z", "issue.created", "i1"),
    issue("c2", "2024-01-03T10:00:00Z", "issue.created", "i2"),
    issue("c3", "2024-01-09T10:00:00Z", "issue.created", "i3"),
    issue("r1", "2024-01-10T10:00:00Z", "issue.resolved", "i1"),
    issue("r2", "2024-01-16T10:00:00Z", "issue.resolved", "i2"),
    issue("r9", "2024-01-16T11:00:00Z", "issue.resolved", "i9"),
    issue("c3b", "2024-01-17T10:00:00Z", "issue.created", "i3"),
    // Fixes: wk 1: 1, wk 2: 2, wk 3: 2 (Sunday 21st counts), Monday 22nd is outside.
    fix("x1", "2024-01-02T12:00:00Z"),
    fix("x2", "2024-01-09T12:00:00Z"),
    fix("x3", "2024-01-10T12:00:00Z"),
    fix("x4", "2024-01-20T12:00:00Z"),
    fix("x5", "2024-01-21T23:59:59Z"),
    fix("x6", "2024-01-22T00:00:00Z"),
  ]);
  await ingest(otherToken, [scan("o1", "2024-01-03T09:00:00Z", web, "soc2", 10)]);
});
afterAll(async () => {
  await app?.close();
});

const get = (handler: typeof history.GET, path: string, t = token) => call(handler, "GET", path, { token: t });

describe(`GET /api/v1/audit/history (${TEST_DB})`, () => {
  it("reproduces the seed's example exactly: 78 → 82 → 85, total_change 7, improving", async () => {
    const r = await get(history.GET, "/api/v1/audit/history?metric=score&interval=week&framework=soc2&repository_id=repo_web&from=2024-01-01&to=2024-01-21");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      success: true,
      data: {
        metric: "score",
        interval: "week",
        data_points: [
          { period_start: "2024-01-01", period_end: "2024-01-07", value: 78, change: null },
          { period_start: "2024-01-08", period_end: "2024-01-14", value: 82, change: 4 },
          { period_start: "2024-01-15", period_end: "2024-01-21", value: 85, change: 3 },
        ],
        summary: { start_value: 78, end_value: 85, total_change: 7, trend: "improving" },
      },
    });
  });

  it("averages over repositories, carrying a repository's last score forward (60 from December)", async () => {
    const r = await get(history.GET, "/api/v1/audit/history?metric=score&interval=week&framework=soc2&from=2024-01-01&to=2024-01-28");
    expect(r.body.data.data_points.map((p: { value: number }) => p.value)).toEqual([69, 71, 72.5, 72.5]);
    expect(r.body.data.data_points.map((p: { change: number | null }) => p.change)).toEqual([null, 2, 1.5, 0]);
    expect(r.body.data.summary).toEqual({ start_value: 69, end_value: 72.5, total_change: 3.5, trend: "improving" });
  });

  it("without a framework takes each repository's last scan of any framework; null before the first scan", async () => {
    const r = await get(history.GET, "/api/v1/audit/history?metric=score&interval=week&repository_id=repo_web&from=2023-12-25&to=2024-01-14");
    expect(r.body.data.data_points).toEqual([
      { period_start: "2023-12-25", period_end: "2023-12-31", value: null, change: null },
      { period_start: "2024-01-01", period_end: "2024-01-07", value: 50, change: null },
      { period_start: "2024-01-08", period_end: "2024-01-14", value: 82, change: 32 },
    ]);
    expect(r.body.data.summary).toEqual({ start_value: 50, end_value: 82, total_change: 32, trend: "improving" });
  });

  it("day and month intervals use UTC days and calendar months", async () => {
    const d = await get(history.GET, "/api/v1/audit/history?metric=score&interval=day&framework=soc2&repository_id=repo_web&from=2024-01-02&to=2024-01-04");
    expect(d.body.data.data_points).toEqual([
      { period_start: "2024-01-02", period_end: "2024-01-02", value: null, change: null },
      { period_start: "2024-01-03", period_end: "2024-01-03", value: 78, change: null },
      { period_start: "2024-01-04", period_end: "2024-01-04", value: 78, change: 0 },
    ]);
    const m = await get(history.GET, "/api/v1/audit/history?metric=fixes&interval=month&from=2023-12-01&to=2024-01-31");
    expect(m.body.data.data_points).toEqual([
      { period_start: "2023-12-01", period_end: "2023-12-31", value: 0, change: null },
      { period_start: "2024-01-01", period_end: "2024-01-31", value: 6, change: 6 },
    ]);
  });

  it("issues = open at each period's end; fewer open issues is improving", async () => {
    const r = await get(history.GET, "/api/v1/audit/history?metric=issues&interval=week&from=2024-01-01&to=2024-01-21");
    expect(r.body.data.data_points.map((p: { value: number }) => p.value)).toEqual([3, 3, 2]);
    expect(r.body.data.summary).toEqual({ start_value: 3, end_value: 2, total_change: -1, trend: "improving" });
  });

  it("issues: an issue's events arriving out of order (resolve first, create later) count by their timestamps", async () => {
    await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "ooo" } });
    const t = await mint("ooo", ["audit:read", "audit:write"]);
    await ingest(t, [issue("o-r1", "2024-01-10T10:00:00Z", "issue.resolved", "i1")]);
    await ingest(t, [issue("o-c1", "2024-01-02T10:00:00Z", "issue.created", "i1"), issue("o-c2", "2024-01-03T10:00:00Z", "issue.created", "i2")]);
    const r = await get(history.GET, "/api/v1/audit/history?metric=issues&interval=week&from=2024-01-01&to=2024-01-14", t);
    expect(r.body.data.data_points.map((p: { value: number }) => p.value)).toEqual([2, 1]);
    expect(r.body.data.summary.trend).toBe("improving");
  });

  it("fixes = fix.applied per period", async () => {
    const r = await get(history.GET, "/api/v1/audit/history?metric=fixes&interval=week&from=2024-01-01&to=2024-01-21");
    expect(r.body.data.data_points.map((p: { value: number }) => p.value)).toEqual([1, 2, 2]);
    expect(r.body.data.summary).toEqual({ start_value: 1, end_value: 2, total_change: 1, trend: "improving" });
  });

  it("time_zone: weeks (and plain-date bounds) are that zone's — a fix late on Sunday UTC is Monday in Berlin, Sunday afternoon in Los Angeles", async () => {
    const q = "/api/v1/audit/history?metric=fixes&interval=week&from=2024-01-01&to=2024-01-28";
    const utc = await get(history.GET, q);
    expect(utc.body.data.data_points.map((p: { value: number }) => p.value)).toEqual([1, 2, 2, 1]);
    const berlin = await get(history.GET, `${q}&time_zone=Europe/Berlin`);
    expect(berlin.status).toBe(200);
    expect(berlin.body.data.data_points.map((p: { period_start: string; value: number }) => [p.period_start, p.value])).toEqual([
      ["2024-01-01", 1], ["2024-01-08", 2], ["2024-01-15", 1], ["2024-01-22", 2],
    ]);
    const la = await get(history.GET, `${q}&time_zone=America/Los_Angeles`);
    expect(la.body.data.data_points.map((p: { value: number }) => p.value)).toEqual([1, 2, 3, 0]);
    // The response keeps the seed's shape: no extra members.
    expect(Object.keys(berlin.body.data).sort()).toEqual(["data_points", "interval", "metric", "summary"]);
    const bad = await get(history.GET, `${q}&time_zone=Mars/Olympus`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "invalid_parameter", field: "time_zone" });
  });

  it("another org's events never count", async () => {
    const r = await get(history.GET, "/api/v1/audit/history?metric=score&interval=week&framework=soc2&from=2024-01-01&to=2024-01-07", otherToken);
    expect(r.body.data.data_points[0].value).toBe(10);
  });

  it("unknown metric or interval, bad dates and too many periods → 400 naming the field", async () => {
    const a = await get(history.GET, "/api/v1/audit/history?metric=speed");
    expect(a.status).toBe(400);
    expect(a.body.error).toMatchObject({ code: "invalid_parameter", field: "metric" });
    const b = await get(history.GET, "/api/v1/audit/history?interval=year");
    expect(b.status).toBe(400);
    expect(b.body.error.field).toBe("interval");
    const c = await get(history.GET, "/api/v1/audit/history?from=yesterday");
    expect(c.status).toBe(400);
    expect(c.body.error.field).toBe("from");
    const d = await get(history.GET, "/api/v1/audit/history?interval=day&from=2000-01-01&to=2024-01-01");
    expect(d.status).toBe(400);
  });
});

describe(`GET /api/v1/audit/statistics (${TEST_DB})`, () => {
  // A second org with a small, fully hand-counted set.
  let st: string;
  beforeAll(async () => {
    await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "stats" } });
    st = await mint("stats", ["audit:read", "audit:write", "audit:export"]);
    await ingest(st, [
      { id: "e1", timestamp: "2024-01-01T10:00:00Z", actor: scanner, action: "scan.completed", resource: { type: "scan", id: "s" }, repository: web },
      { id: "e2", timestamp: "2024-01-01T23:00:00Z", actor: alice, action: "user.login", resource: { type: "user", id: "user_alice" } },
      { id: "e3", timestamp: "2024-01-02T05:00:00Z", actor: alice, action: "config.changed", resource: { type: "policy", id: "p1" }, repository: api },
      { id: "e4", timestamp: "2024-01-02T12:00:00Z", actor: { id: "user_bob", type: "user" }, action: "user.login", resource: { type: "user", id: "user_bob" } },
      { id: "e5", timestamp: "2024-01-03T01:00:00Z", actor: { id: "tok_1", type: "api_token", name: "CI" }, action: "access.granted", resource: { type: "user", id: "user_bob" } },
      { id: "e6", timestamp: "2024-01-03T18:00:00Z", actor: alice, action: "user.login", resource: { type: "user", id: "user_alice" } },
    ]);
  });

  it("counts everything without a range (hand-counted; org.created and token.created are audited by the root token)", async () => {
    const r = await get(statistics.GET, "/api/v1/audit/statistics", st);
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({
      period: { from: "2024-01-01T00:00:00Z" },
      total_events: 8,
      events_by_type: { "user.login": 3, "scan.completed": 1, "config.changed": 1, "access.granted": 1, "org.created": 1, "token.created": 1 },
      events_by_repository: { "acme/web-app": 1, "acme/api": 1 },
      events_by_actor_type: { user: 4, system: 3, api_token: 1 },
      top_actors: [
        { actor: "alice@acme.com", event_count: 3 },
        { actor: "root token", event_count: 2 },
        { actor: "CI", event_count: 1 },
        { actor: "Compliance Scanner", event_count: 1 },
        { actor: "user_bob", event_count: 1 },
      ],
    });
    expect(Object.keys(r.body.data.events_by_type)[0]).toBe("user.login");
    expect(Object.keys(r.body.data.events_by_type)).toHaveLength(6);
  });

  it("partial days at both edges are counted from the events, whole days from the rollups", async () => {
    const r = await get(statistics.GET, "/api/v1/audit/statistics?from=2024-01-01T12:00:00Z&to=2024-01-03T06:00:00Z", st);
    expect(r.body.data).toEqual({
      period: { from: "2024-01-01T12:00:00Z", to: "2024-01-03T06:00:00Z" },
      total_events: 4,
      events_by_type: { "user.login": 2, "access.granted": 1, "config.changed": 1 },
      events_by_repository: { "acme/api": 1 },
      events_by_actor_type: { user: 3, api_token: 1 },
      top_actors: [
        { actor: "alice@acme.com", event_count: 2 },
        { actor: "CI", event_count: 1 },
        { actor: "user_bob", event_count: 1 },
      ],
    });
  });

  it("a range inside one day, and a whole-day range", async () => {
    const a = await get(statistics.GET, "/api/v1/audit/statistics?from=2024-01-02T00:00:00Z&to=2024-01-02T06:00:00Z", st);
    expect(a.body.data.total_events).toBe(1);
    expect(a.body.data.events_by_type).toEqual({ "config.changed": 1 });
    const b = await get(statistics.GET, "/api/v1/audit/statistics?from=2024-01-02&to=2024-01-02", st);
    expect(b.body.data.total_events).toBe(2);
    expect(b.body.data.period).toEqual({ from: "2024-01-02T00:00:00Z", to: "2024-01-02T23:59:59Z" });
  });

  it("bad range → 400", async () => {
    const r = await get(statistics.GET, "/api/v1/audit/statistics?from=2024-02-01&to=2024-01-01", st);
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe("from");
  });
});

describe(`GET /api/v1/audit/evidence/soc2 (${TEST_DB})`, () => {
  it("lists evidence items with counts and a signed CSV of exactly those events", async () => {
    await ingest(token, [
      { id: "l1", timestamp: "2024-02-01T08:00:00Z", actor: alice, action: "user.login", resource: { type: "user", id: "user_alice" } },
      { id: "l2", timestamp: "2024-02-02T08:00:00Z", actor: alice, action: "user.login", resource: { type: "user", id: "user_alice" } },
      { id: "l3", timestamp: "2024-03-02T08:00:00Z", actor: alice, action: "user.login", resource: { type: "user", id: "user_alice" } },
      { id: "g1", timestamp: "2024-02-03T08:00:00Z", actor: alice, action: "access.granted", resource: { type: "user", id: "user_bob" } },
    ]);
    const r = await get(soc2.GET, "/api/v1/audit/evidence/soc2?criteria=CC6.1&audit_period_start=2024-02-01&audit_period_end=2024-02-29");
    expect(r.status).toBe(200);
    expect(r.body.data.criteria).toBe("CC6.1");
    const items = r.body.data.evidence_items as { type: string; record_count: number; date_range: unknown; artifacts: { url: string }[] }[];
    expect(items.map((i) => [i.type, i.record_count])).toEqual([
      ["access_log", 2],
      ["access_review", 1],
      ["credential_management", 0],
    ]);
    expect(items[0]!.date_range).toEqual({ from: "2024-02-01", to: "2024-02-29" });
    const url = new URL(items[0]!.artifacts[0]!.url, "http://localhost");
    const csv = await call(artifacts.GET, "GET", url.pathname + url.search);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const lines = String(csv.body).trim().split("\r\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^id,timestamp,/);
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["l2", "l1"]);
    // A tampered link is refused.
    url.searchParams.set("subject", url.searchParams.get("subject")!.replace("2024-02-01", "2024-01-01"));
    const bad = await call(artifacts.GET, "GET", url.pathname + url.search);
    expect(bad.status).toBe(403);
  });

  it("unknown criteria → 400 listing the known ones; evidence needs audit:export", async () => {
    const r = await get(soc2.GET, "/api/v1/audit/evidence/soc2?criteria=CC9.9");
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe("criteria");
    for (const id of ["CC6.1", "CC6.2", "CC6.3", "CC6.6", "CC6.8", "CC7.1", "CC7.2", "CC7.3", "CC8.1"]) expect(r.body.error.message).toContain(id);
    expect(r.body.error.known_criteria).toEqual(SOC2_CRITERIA_IDS);
    const missing = await get(soc2.GET, "/api/v1/audit/evidence/soc2");
    expect(missing.status).toBe(400);
    const denied = await get(soc2.GET, "/api/v1/audit/evidence/soc2?criteria=CC6.1", readOnly);
    expect(denied.status).toBe(403);
  });
});
