import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import * as logById from "@/app/api/v1/audit/logs/[id]/route";
import * as statistics from "@/app/api/v1/audit/statistics/route";
import * as explorerEvents from "@/app/api/v1/audit/explorer/events/route";
import * as explorerEntry from "@/app/api/v1/audit/explorer/entries/[id]/route";
import * as appsecList from "@/app/audit-logs/route";
import * as appsecById from "@/app/audit-logs/[id]/route";
import * as ampList from "@/app/v1/audit_logs/route";
import * as verify from "@/app/api/v1/audit/verify/route";
import * as evidence from "@/app/api/v1/audit/evidence/export/route";
import * as evidenceById from "@/app/api/v1/audit/evidence/export/[job_id]/route";
import * as logExport from "@/app/audit-logs/export/route";
import * as download from "@/app/api/v1/exports/[id]/download/route";
import { canonicalJson } from "@/lib/audit/canonical-json";
import { F, listEvents } from "@/lib/audit/query-events";
import { getDatabase } from "@/lib/db/get-database";
import { runNextExport } from "@/lib/exports/run-export";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { sampleEvent, TEST_DB } from "../support/test-database";

/**
 * Issue 10, defects 2, 4, 5 and 8: no input gets a 500, accepted input is stored exactly, bodies
 * that are not JSON are refused, export parameters are strict and their downloads always servable.
 */
let app: { close(): Promise<void> };
let token: string;
let orgId: string;

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64url");

async function count(): Promise<number> {
  const db = await getDatabase();
  const r = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1`, [orgId]);
  return r[0]!.n;
}

beforeAll(async () => {
  app = await useScratchApp();
  const o = await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "hardening", name: "Hardening" } });
  expect(o.status).toBe(201);
  orgId = o.body.id;
  const t = await call(tokens.POST, "POST", "/api/v1/admin/tokens", {
    token: ROOT_TOKEN,
    body: { org: "hardening", name: "all", scopes: ["audit:read", "audit:write", "audit:export", "admin"] },
  });
  expect(t.status).toBe(201);
  token = t.body.token;
  const seeded = await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: { events: [1, 2, 3].map((i) => sampleEvent(i)) } });
  expect(seeded.status).toBe(201);
});
afterAll(async () => {
  await app?.close();
});

describe(`defect 2: parameters that used to answer 500 (${TEST_DB})`, () => {
  it("a NUL byte in a filter, a query parameter or a path id is a 400 naming it", async () => {
    for (const [handler, url, field] of [
      [logs.GET, "/api/v1/audit/logs?actor=%00", "actor"],
      [logs.GET, "/api/v1/audit/logs?event_type=a%00b", "event_type"],
      [appsecList.GET, "/audit-logs?actorId=x%00", "actorId"],
      [ampList.GET, "/v1/audit_logs?start_time=%00", "start_time"],
      [explorerEvents.GET, "/api/v1/audit/explorer/events?q=%00", "q"],
      [statistics.GET, "/api/v1/audit/statistics?from=2025-01-01%00", "from"],
    ] as const) {
      const r = await call(handler, "GET", url, { token });
      expect(r.status, url).toBe(400);
      expect(r.body.error.field, url).toBe(field);
    }
    for (const [handler, url] of [
      [logById.GET, "/api/v1/audit/logs/x"],
      [appsecById.GET, "/audit-logs/x"],
      [explorerEntry.GET, "/api/v1/audit/explorer/entries/x"],
    ] as const) {
      const r = await call(handler, "GET", url, { token, params: { id: "ev-1\u0000" } });
      expect(r.status, url).toBe(400);
      expect(r.body.error.field).toBe("id");
    }
  });

  it("dates beyond the supported range (0001–9999) are a 400 naming the field, never a 500", async () => {
    for (const [handler, url, field] of [
      [statistics.GET, "/api/v1/audit/statistics?to=9999-12-31", "to"],
      [statistics.GET, "/api/v1/audit/statistics?from=0000-01-01", "from"],
      [logs.GET, "/api/v1/audit/logs?to=%2B275760-09-13T00:00:00Z", "to"],
      [logs.GET, "/api/v1/audit/logs?from=-271821-04-20T00:00:00Z", "from"],
      [explorerEvents.GET, "/api/v1/audit/explorer/events?from=10000-01-01", "from"],
    ] as const) {
      const r = await call(handler, "GET", url, { token });
      expect(r.status, url).toBe(400);
      expect(r.body.error.field, url).toBe(field);
    }
  });

  it("tampered cursors (year −271821, year 0, garbage) are a 400 naming cursor", async () => {
    for (const raw of ["-271821-04-20T00:00:00.000Z|5", "0000-01-01T00:00:00.000Z|1", "+275760-09-13T00:00:00.000Z|1", "2025-01-01T00:00:00.000Z|99999999999999999999", "\u0000|1"]) {
      const ex = await call(explorerEvents.GET, "GET", `/api/v1/audit/explorer/events?cursor=${b64(raw)}`, { token });
      expect(ex.status, raw).toBe(400);
      expect(ex.body.error.field).toBe("cursor");
      const as = await call(appsecList.GET, "GET", `/audit-logs?cursor=${b64(raw)}`, { token });
      expect(as.status, raw).toBe(400);
      expect(as.body.error.field).toBe("cursor");
    }
  });

  it("ingest: NUL or a lone surrogate in any string (values and keys) is a 422 naming the field; nothing is stored", async () => {
    const before = await count();
    const cases: [Record<string, unknown>, string][] = [
      [sampleEvent(10, { actor: { id: "a\u0000b", type: "user" } }), "actor.id"],
      [sampleEvent(11, { details: { note: "x\ud800y" } }), "details.note"],
      [sampleEvent(12, { details: { ["k\u0000"]: 1 } }), "details"],
      [sampleEvent(13, { resource: { type: "policy", id: "p", extra: ["\udc00"] } }), "resource.extra[0]"],
      [sampleEvent(14, { changes: { f: { old: "a", new: "\u0000" } } }), "changes.f.new"],
      [sampleEvent(15, { action: "policy.update", user_agent: "Mozilla\u0000" }), "user_agent"],
    ];
    for (const [ev, field] of cases) {
      const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: ev });
      expect(r.status, field).toBe(422);
      expect(r.body.error.field, field).toContain(field);
      const batch = await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: { events: [sampleEvent(20), ev] } });
      expect(batch.status, field).toBe(422);
      expect(batch.body.error.field).toContain(`events[1].${field}`);
    }
    expect(await count()).toBe(before);
  });

  it("timestamps: year 0000, beyond 9999 and impossible calendar dates are a 422 naming timestamp (never normalised)", async () => {
    const before = await count();
    for (const ts of ["0000-01-01T00:00:00Z", "2024-02-30T00:00:00Z", "2023-02-29T12:00:00Z", "2024-04-31T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T23:60:00Z", "+010000-01-01T00:00:00Z", "2024-13-01T00:00:00Z"]) {
      const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: sampleEvent(30, { timestamp: ts }) });
      expect(r.status, ts).toBe(422);
      expect(r.body.error.field).toBe("timestamp");
    }
    expect(await count()).toBe(before);
    const leap = await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: sampleEvent(31, { timestamp: "2024-02-29T23:59:59.5+02:00" }) });
    expect(leap.status).toBe(201);
    const got = await call(logById.GET, "GET", "/api/v1/audit/logs/ev-31", { token, params: { id: "ev-31" } });
    expect(got.body.data.timestamp).toBe("2024-02-29T21:59:59.500Z");
  });

  it("JSON nested 5 000 deep is a 4xx, and every free member (resource extras too) has the depth limit", async () => {
    const before = await count();
    const deep = `{"id":"deep","action":"a.b","actor":{"id":"u","type":"user"},"resource":{"type":"t","id":"i"},"details":{"x":${"[".repeat(5000)}${"]".repeat(5000)}}}`;
    const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token, rawBody: deep, headers: { "content-type": "application/json" } });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body.error.field).toMatch(/^details/);
    let nested: unknown = 1;
    for (let i = 0; i < 40; i++) nested = { n: nested };
    const res = await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: sampleEvent(40, { resource: { type: "t", id: "i", extra: nested } }) });
    expect(res.status).toBe(422);
    expect(res.body.error.field).toMatch(/^resource/);
    expect(await count()).toBe(before);
  });
});

describe(`defect 5: accepted input is stored exactly (${TEST_DB})`, () => {
  it("keys named __proto__, constructor and prototype survive ingest, the hash and every read shape", async () => {
    const raw = `{"id":"proto-1","action":"policy.update","actor":{"id":"u1","type":"user"},
      "resource":{"type":"policy","id":"p1","__proto__":{"polluted":true},"constructor":"c"},
      "changes":{"__proto__":{"old":{"__proto__":1},"new":{"prototype":2}}},
      "details":{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},"list":[{"__proto__":null}]}}`;
    const sent = JSON.parse(raw) as Record<string, unknown>;
    const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token, rawBody: raw, headers: { "content-type": "application/json" } });
    expect(r.status).toBe(201);
    const db = await getDatabase();
    const [stored] = await listEvents({ sql: db.sql, orgId, filter: { where: F.in("resource.id", "p1") }, limit: 1 });
    expect(stored).toBeDefined();
    for (const k of ["resource", "changes", "details"] as const) expect(canonicalJson(stored![k]), k).toBe(canonicalJson(sent[k]));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const ca = await call(logById.GET, "GET", "/api/v1/audit/logs/proto-1", { token, params: { id: "proto-1" } });
    for (const k of ["resource", "changes", "details"] as const) expect(canonicalJson(ca.body.data[k]), k).toBe(canonicalJson(sent[k]));
    const list = await call(logs.GET, "GET", "/api/v1/audit/logs?actor=u1", { token });
    expect(canonicalJson(list.body.data[0].details)).toBe(canonicalJson(sent.details));
    const amp = await call(ampList.GET, "GET", "/v1/audit_logs?audit_log_id=p1", { token });
    expect(JSON.stringify(amp.body.data[0])).toContain('"old_attributes":{"__proto__":{"__proto__":1}}');
    const entry = await call(explorerEntry.GET, "GET", "/api/v1/audit/explorer/entries/proto-1", { token, params: { id: "proto-1" } });
    const text = JSON.stringify(entry.body);
    expect(text).toContain('"__proto__":{"polluted":true}');
    expect(text).toContain('"__proto__":{"isAdmin":true}');
    const as = await call(appsecById.GET, "GET", "/audit-logs/proto-1", { token, params: { id: "proto-1" } });
    expect(JSON.stringify(as.body)).toContain('"__proto__":{"old":{"__proto__":1},"new":{"prototype":2}}');
    const v = await call(verify.POST, "POST", "/api/v1/audit/verify", { token });
    expect(v.status).toBe(200);
    expect(v.body.data.verified).toBe(true);
  });
});

describe(`defect 8: bodies that are not JSON get 415 (${TEST_DB})`, () => {
  it("text/plain, XML, form bodies and a body without a Content-Type are refused, naming the header; nothing stored", async () => {
    const before = await count();
    const body = JSON.stringify(sampleEvent(50));
    for (const type of ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", null]) {
      const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token, rawBody: body, headers: type ? { "content-type": type } : {} });
      expect(r.status, String(type)).toBe(415);
      expect(r.body.error.field).toBe("content-type");
      const e = await call(evidence.POST, "POST", "/api/v1/audit/evidence/export", { token, rawBody: "{}", headers: type ? { "content-type": type } : {} });
      expect(e.status, String(type)).toBe(415);
    }
    expect(await count()).toBe(before);
    for (const type of ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/merge-patch+json"]) {
      const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token, rawBody: body, headers: { "content-type": type } });
      expect(r.status, type).toBeLessThan(300);
    }
    // An optional body may be absent without a type.
    expect((await call(verify.POST, "POST", "/api/v1/audit/verify", { token })).status).toBe(200);
  });
});

describe(`defect 4: export parameters and downloads (${TEST_DB})`, () => {
  it("audit_period with CR/LF, U+2028, tabs or impossible dates is a 400 naming it; nothing is queued", async () => {
    for (const [period, field] of [
      [{ from: "\r\n\r\n2020-01-01", to: "2020-02-01" }, "audit_period.from"],
      [{ from: "2020-01-01", to: "2020-02-01\u2028" }, "audit_period.to"],
      [{ from: "2020-01-01\t", to: "2020-02-01" }, "audit_period.from"],
      [{ from: "2020-02-30", to: "2020-03-01" }, "audit_period.from"],
      [{ from: "2020-01-01", to: "9999-12-31" }, "audit_period.to"],
    ] as const) {
      const r = await call(evidence.POST, "POST", "/api/v1/audit/evidence/export", { token, body: { framework: "soc2", audit_period: period } });
      expect(r.status, JSON.stringify(period)).toBe(400);
      expect(r.body.error.field).toBe(field);
    }
    const l = await call(logExport.POST, "POST", "/audit-logs/export", { token, body: { format: "csv", from: "2020-01-01\r\n" } });
    expect(l.status).toBe(400);
    expect(l.body.error.field).toBe("from");
  });

  it("a completed evidence package downloads with an RFC 6266 Content-Disposition, and each served download is audited once", async () => {
    const created = await call(evidence.POST, "POST", "/api/v1/audit/evidence/export", { token, body: { framework: "soc2", audit_period: { from: "2025-01-01T00:00:00+00:00", to: "2025-01-31" } } });
    expect(created.status).toBe(202);
    const id = created.body.data.job_id as string;
    const db = await getDatabase();
    while ((await runNextExport({ db })) !== null);
    const st = await call(evidenceById.GET, "GET", `/api/v1/audit/evidence/export/${id}`, { token, params: { job_id: id } });
    expect(st.body.data.status).toBe("completed");
    const url = new URL(st.body.data.download_url as string, "http://localhost");
    const res = await download.GET(new Request(url), { params: Promise.resolve({ id }) });
    expect(res.status).toBe(200);
    const cd = res.headers.get("content-disposition")!;
    expect(cd).toBe(`attachment; filename="evidence-soc2-2025-01-01-to-2025-01-31-${id}.zip"`);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const downloaded = await listEvents({ sql: db.sql, orgId, filter: { where: F.and(F.in("resource.id", id), F.in("action", ...["export.downloaded"])) }, limit: 10 });
    expect(downloaded.length).toBe(1);

    // A job stored before strict validation, whose name holds CR/LF, U+2028, a tab and non-ASCII:
    // the header stays valid (ASCII fallback + filename*), the download is served and audited once more.
    await db.sql.query(`UPDATE export_jobs SET file_name = $2 WHERE id = $1`, [id, "évidence\r\n\r\nX-Evil: 1\u2028\t.zip"]);
    const again = await download.GET(new Request(url), { params: Promise.resolve({ id }) });
    expect(again.status).toBe(200);
    expect(again.headers.get("content-disposition")).toBe(`attachment; filename="evidence____X-Evil: 1__.zip"; filename*=UTF-8''%C3%A9vidence____X-Evil%3A%201__.zip`);
    expect(again.headers.get("x-evil")).toBeNull();
    await again.arrayBuffer();
    const after = await listEvents({ sql: db.sql, orgId, filter: { where: F.and(F.in("resource.id", id), F.in("action", ...["export.downloaded"])) }, limit: 10 });
    expect(after.length).toBe(2);
    // Not servable (a bad signature) → no record.
    const bad = new URL(url);
    bad.searchParams.set("sig", "x".repeat(43));
    expect((await download.GET(new Request(bad), { params: Promise.resolve({ id }) })).status).toBe(403);
    expect((await listEvents({ sql: db.sql, orgId, filter: { where: F.and(F.in("resource.id", id), F.in("action", ...["export.downloaded"])) }, limit: 10 })).length).toBe(2);
  });
});
