/**
 * Log streams (issue 13) end to end, in-process, on PGlite and PostgreSQL, against real local
 * receivers (HTTPS webhook with a self-signed certificate, Splunk-HEC-shaped, Datadog-shaped,
 * syslog over TCP): the admin API (validation, SSRF refusals, audit records with old/new values),
 * and delivery (order, completeness checked on the seq chain, HMAC, retries after 500/429/timeouts,
 * pause after persistent failure and resume without loss, replay, filters, two workers sharing).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import * as streams from "@/app/api/v1/streams/route";
import * as streamById from "@/app/api/v1/streams/[id]/route";
import * as replay from "@/app/api/v1/streams/[id]/replay/route";
import * as testRoute from "@/app/api/v1/streams/[id]/test/route";
import { getDatabase } from "@/lib/db/get-database";
import type { Database } from "@/lib/db/open-database";
import { classifyAddress, guardedLookup } from "@/lib/streams/check-destination";
import { formatDelivery } from "@/lib/streams/format-delivery";
import { claimStream, newStreamWorkerId, runStream } from "@/lib/streams/run-stream-worker";
import { sendDelivery } from "@/lib/streams/send-delivery";
import { resetStreamConfigForTests } from "@/lib/streams/stream-config";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import {
  chainReport, hmacOk, makeSelfSignedCert, startDatadogReceiver, startSplunkReceiver, startSyslogReceiver, startWebhookReceiver,
  type Behaviour, type HttpReceiver, type ReceivedEvent, type SelfSigned,
} from "../support/stream-receivers";
import { sampleEvent, TEST_DB } from "../support/test-database";

let app: { close(): Promise<void> };
let db: Database;
let cert: SelfSigned;
let admin: string;
let writer: string;
let reader: string;
let otherAdmin: string;
let orgId: string;
let nextEvent = 0;
const receivers: { close(): Promise<void> }[] = [];

const ENV = {
  AUDIT_STREAMS_ALLOW_PRIVATE: "1",
  AUDIT_STREAMS_POLL_MS: "20",
  AUDIT_STREAMS_BACKOFF_BASE_MS: "40",
  AUDIT_STREAMS_BACKOFF_MAX_MS: "200",
  AUDIT_STREAMS_BATCH_EVENTS: "100",
  AUDIT_STREAMS_TIMEOUT_MS: "3000",
  AUDIT_STREAMS_PAUSE_AFTER_SECONDS: "3600",
};
function setEnv(extra: Record<string, string> = {}) {
  Object.assign(process.env, ENV, { AUDIT_STREAMS_CA_FILE: cert.certFile }, extra);
  resetStreamConfigForTests();
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function mint(org: string, scopes: string[]) {
  const r = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org, name: `t-${scopes.join("+")}`, scopes } });
  expect(r.status).toBe(201);
  return r.body.token as string;
}

async function ingest(n: number, extra: (i: number) => Record<string, unknown> = () => ({})) {
  const events = Array.from({ length: n }, () => {
    const i = nextEvent++;
    return sampleEvent(i, { id: `st-${i}`, ...extra(i) });
  });
  for (let i = 0; i < events.length; i += 1000) {
    const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token: writer, body: { events: events.slice(i, i + 1000) } });
    expect(r.status).toBe(201);
  }
}

async function head(): Promise<number> {
  const r = await db.sql.query<{ n: string | number | null }>(`SELECT max(seq) AS n FROM audit_events WHERE org_id = $1`, [orgId]);
  return Number(r[0]?.n ?? 0);
}

async function streamRow(id: string) {
  const r = await call(streamById.GET, "GET", `/api/v1/streams/${id}`, { token: admin, params: { id } });
  expect(r.status).toBe(200);
  return r.body.data;
}

/** Runs delivery like the background worker does (claim → run) until `done` holds. */
async function drain(done: () => Promise<boolean>, workers = 1) {
  const t0 = Date.now();
  const loop = async () => {
    const workerId = newStreamWorkerId();
    while (!(await done())) {
      if (Date.now() - t0 > 90_000) {
        const state = await db.sql.query(`SELECT id, status, cursor_seq, worker_id, lease_until, next_attempt_at, failures, last_error FROM audit_streams WHERE org_id = $1`, [orgId]);
        throw new Error(`drain: the condition was not reached in 90 s (head ${await head()}): ${JSON.stringify(state)}`);
      }
      const s = await claimStream({ db, workerId });
      if (s) await runStream({ db, stream: s, workerId });
      else await sleep(15);
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
}

const caughtUp = (id: string) => async () => {
  const s = await streamRow(id);
  return s.cursor_seq >= (await head());
};

async function createStream(body: Record<string, unknown>) {
  const r = await call(streams.POST, "POST", "/api/v1/streams", { token: admin, body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.data as { id: string; secret: string | null; cursor_seq: number; status: string };
}

async function pauseAll() {
  await db.sql.query(`UPDATE audit_streams SET status = 'paused' WHERE org_id = $1`, [orgId]);
}

async function auditOf(action: string, resourceId: string) {
  const rows = await db.sql.query<{ content: string }>(
    `SELECT content FROM audit_events WHERE org_id = $1 AND action = $2 AND resource_id = $3 ORDER BY seq`,
    [orgId, action, resourceId],
  );
  return rows.map((r) => JSON.parse(r.content) as { changes?: Record<string, { old?: unknown; new?: unknown }>; details?: Record<string, unknown>; actor: { type: string } });
}

beforeAll(async () => {
  cert = makeSelfSignedCert();
  setEnv();
  app = await useScratchApp();
  db = await getDatabase();
  const a = await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "acme-streams", name: "Acme" } });
  orgId = a.body.id;
  await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "other-streams" } });
  admin = await mint("acme-streams", ["admin", "audit:read"]);
  writer = await mint("acme-streams", ["audit:write"]);
  reader = await mint("acme-streams", ["audit:read"]);
  otherAdmin = await mint("other-streams", ["admin"]);
  await ingest(50);
}, 180_000);

beforeEach(async () => {
  setEnv();
  await pauseAll();
});

afterAll(async () => {
  for (const r of receivers) await r.close();
  await app?.close();
  for (const k of [...Object.keys(ENV), "AUDIT_STREAMS_CA_FILE"]) delete process.env[k];
  resetStreamConfigForTests();
});

async function webhook(behaviour?: Behaviour): Promise<HttpReceiver> {
  const r = await startWebhookReceiver({ tls: cert, behaviour });
  receivers.push(r);
  return r;
}

const allEvents = (r: HttpReceiver): ReceivedEvent[] => r.acked().flatMap((x) => x.events);

describe(`streams API (${TEST_DB})`, () => {
  it("creates a webhook stream: 201 with the secret once, stored sealed; GET never shows it; audited as stream.created", async () => {
    const rcv = await webhook();
    const s = await createStream({ name: "siem", destination: { type: "webhook", url: rcv.url } });
    expect(s.secret).toMatch(/^whsec_/);
    expect(s.status).toBe("active");
    expect(s.cursor_seq).toBe((await head()) - 1); // starts after the newest event; stream.created itself is the next one
    const one = await streamRow(s.id);
    expect(JSON.stringify(one)).not.toContain(s.secret!);
    expect(one.destination).toEqual({ type: "webhook", url: rcv.url, secret_set: true });
    const list = await call(streams.GET, "GET", "/api/v1/streams", { token: admin });
    expect(list.body.data.map((x: { id: string }) => x.id)).toContain(s.id);
    const stored = await db.sql.query<{ secret_box: string }>(`SELECT secret_box FROM audit_streams WHERE id = $1`, [s.id]);
    expect(stored[0]!.secret_box).not.toContain(s.secret!);
    expect(stored[0]!.secret_box.startsWith("v1.")).toBe(true);
    const [created] = await auditOf("stream.created", s.id);
    expect(created!.changes!.destination!.new).toEqual({ type: "webhook", url: rcv.url });
  });

  it("refuses bad input with a 4xx naming the field, and changes nothing", async () => {
    const before = (await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_streams`))[0]!.n;
    const cases: [unknown, string][] = [
      [{ destination: { type: "webhook", url: "https://example.com/h" } }, "name"],
      [{ name: "x", destination: { type: "webhook", url: "ftp://example.com/h" } }, "destination.url"],
      [{ name: "x", destination: { type: "nope", url: "https://example.com" } }, "destination.type"],
      [{ name: "x", destination: { type: "splunk_hec", url: "https://splunk.example.com" } }, "destination.token"],
      [{ name: "x", destination: { type: "syslog", host: "syslog.example.com", port: 70000 } }, "destination.port"],
      [{ name: "x", destination: { type: "webhook", url: "https://169.254.169.254/latest/meta-data" } }, "destination.url"],
      [{ name: "x", destination: { type: "webhook", url: "https://[fe80::1]/h" } }, "destination.url"],
      [{ name: "x", destination: { type: "webhook", url: "https://[::ffff:169.254.169.254]/h" } }, "destination.url"],
      [{ name: "x", destination: { type: "syslog", host: "169.254.1.1", port: 514 } }, "destination.host"],
      [{ name: "x", destination: { type: "webhook", url: "https://example.com/h" }, query: "created:>2025-13-45" }, "query"],
      [{ name: "x", destination: { type: "webhook", url: "https://example.com/h" }, extra: 1 }, "extra"],
    ];
    for (const [body, field] of cases) {
      const r = await call(streams.POST, "POST", "/api/v1/streams", { token: admin, body });
      expect([400, 422], JSON.stringify(r.body)).toContain(r.status);
      expect(r.body.error.field, JSON.stringify(body)).toBe(field);
    }
    // Loopback and private networks only with AUDIT_STREAMS_ALLOW_PRIVATE=1.
    setEnv({ AUDIT_STREAMS_ALLOW_PRIVATE: "0" });
    for (const url of ["https://127.0.0.1/h", "https://10.1.2.3/h", "https://localhost:8443/h", "https://[::1]/h", "http://example.com/h"]) {
      const r = await call(streams.POST, "POST", "/api/v1/streams", { token: admin, body: { name: "x", destination: { type: "webhook", url } } });
      expect(r.status, url).toBe(400);
      expect(r.body.error.field).toBe("destination.url");
    }
    setEnv();
    const r = await call(streams.POST, "POST", "/api/v1/streams", { token: reader, body: { name: "x", destination: { type: "webhook", url: "https://example.com/h" } } });
    expect(r.status).toBe(403);
    expect((await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_streams`))[0]!.n).toBe(before);
  });

  it("PATCH pauses and resumes (audited with old/new), renames, refilters; another org's id is a 404; DELETE is audited", async () => {
    const rcv = await webhook();
    const s = await createStream({ name: "patch-me", destination: { type: "webhook", url: rcv.url } });
    const p = await call(streamById.PATCH, "PATCH", `/api/v1/streams/${s.id}`, { token: admin, params: { id: s.id }, body: { status: "paused" } });
    expect(p.status).toBe(200);
    expect(p.body.data.status).toBe("paused");
    const r = await call(streamById.PATCH, "PATCH", `/api/v1/streams/${s.id}`, { token: admin, params: { id: s.id }, body: { status: "active", name: "renamed", query: "action:policy.*" } });
    expect(r.body.data).toMatchObject({ status: "active", name: "renamed", query: "action:policy.*" });
    expect((await auditOf("stream.paused", s.id))[0]!.changes).toEqual({ status: { old: "active", new: "paused" } });
    const [upd] = await auditOf("stream.updated", s.id);
    expect(upd!.changes).toEqual({ name: { old: "patch-me", new: "renamed" }, query: { old: "", new: "action:policy.*" }, status: { old: "paused", new: "active" } });
    const bad = await call(streamById.PATCH, "PATCH", `/api/v1/streams/${s.id}`, { token: admin, params: { id: s.id }, body: { status: "stopped" } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe("status");
    const empty = await call(streamById.PATCH, "PATCH", `/api/v1/streams/${s.id}`, { token: admin, params: { id: s.id }, body: {} });
    expect(empty.status).toBe(422);
    const other = await call(streamById.GET, "GET", `/api/v1/streams/${s.id}`, { token: otherAdmin, params: { id: s.id } });
    expect(other.status).toBe(404);
    const rot = await call(streamById.PATCH, "PATCH", `/api/v1/streams/${s.id}`, { token: admin, params: { id: s.id }, body: { rotate_secret: true } });
    expect(rot.body.data.secret).toMatch(/^whsec_/);
    expect(rot.body.data.secret).not.toBe(s.secret);
    const d = await call(streamById.DELETE, "DELETE", `/api/v1/streams/${s.id}`, { token: admin, params: { id: s.id } });
    expect(d.status).toBe(200);
    expect((await auditOf("stream.deleted", s.id))[0]!.changes!.name).toEqual({ old: "renamed" });
    expect((await call(streamById.GET, "GET", `/api/v1/streams/${s.id}`, { token: admin, params: { id: s.id } })).status).toBe(404);
  });
});

describe(`stream delivery (${TEST_DB})`, () => {
  it("HTTPS webhook: every event in order, once, HMAC-signed, chain complete, contiguous seq ranges, the checkpoint attached", async () => {
    const rcv = await webhook();
    const s = await createStream({ name: "all", destination: { type: "webhook", url: rcv.url }, start: "beginning" });
    await ingest(430);
    await drain(caughtUp(s.id));
    const events = allEvents(rcv);
    const rep = chainReport(events);
    expect(rep).toMatchObject({ duplicates: 0, missing: [], brokenLinks: [], outOfOrder: 0, first: 1, last: await head() });
    expect(events[0]!.previous_hash).toBeNull();
    expect(events.every((e) => e.org === "acme-streams" && /^sha256:/.test(String(e.hash)))).toBe(true);
    for (const d of rcv.acked()) {
      expect(hmacOk(s.secret!, d)).toBe(true);
      expect(d.headers["x-audit-delivery"]).toMatch(/^dlv_/);
      expect(Buffer.from(String(d.headers["x-audit-checkpoint"]), "base64").toString("utf8")).toContain("acme-streams");
    }
    expect(hmacOk("whsec_wrong", rcv.acked()[0]!)).toBe(false);
    // X-Audit-Seq-Range: contiguous from 1 to the cursor.
    const ranges = rcv.acked().map((d) => String(d.headers["x-audit-seq-range"]).split("-").map(Number) as [number, number]);
    expect(ranges[0]![0]).toBe(1);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1] + 1);
    const st = await streamRow(s.id);
    expect(st).toMatchObject({ status: "active", lag_events: 0, lag_seconds: 0, events_delivered: events.length, last_error: null });
    expect(st.deliveries).toBe(rcv.acked().length);
    expect(st.last_success_at).not.toBeNull();
  });

  it("retries after 500, 429 (Retry-After honoured) and a timeout, then delivers everything in order without loss", async () => {
    setEnv({ AUDIT_STREAMS_TIMEOUT_MS: "600" });
    const plan = [{ status: 500 }, { status: 500 }, { status: 429, headers: { "Retry-After": "1" } }, { status: 200, delayMs: 1500 }];
    const rcv = await webhook((n) => plan[n] ?? { status: 200 });
    const s = await createStream({ name: "flaky", destination: { type: "webhook", url: rcv.url } });
    await ingest(250);
    await drain(caughtUp(s.id));
    const statuses = rcv.received.map((r) => r.status);
    expect(statuses.slice(0, 3)).toEqual([500, 500, 429]);
    const after429 = rcv.received[3]!.at - rcv.received[2]!.at;
    expect(after429).toBeGreaterThanOrEqual(900); // Retry-After: 1 honoured (not the 40 ms backoff)
    const rep = chainReport(allEvents(rcv));
    expect(rep.missing).toEqual([]);
    expect(rep.brokenLinks).toEqual([]);
    expect(rep.outOfOrder).toBe(0);
    expect(rep.last).toBe(await head());
    expect(rep.first).toBe(s.cursor_seq + 1);
    const st = await streamRow(s.id);
    expect(st.status).toBe("active");
    expect(st.last_error).toMatch(/timed out|HTTP 429/);
  });

  it("pauses after persistent failure with a reason (audited), keeps the cursor, and resume delivers everything", async () => {
    setEnv({ AUDIT_STREAMS_PAUSE_AFTER_SECONDS: "1" });
    let up = false;
    const rcv = await webhook(() => (up ? { status: 204 } : { status: 503, body: "down for maintenance" }));
    const s = await createStream({ name: "down", destination: { type: "webhook", url: rcv.url } });
    await ingest(120);
    await drain(async () => (await streamRow(s.id)).status === "paused");
    const paused = await streamRow(s.id);
    expect(paused.pause_reason).toMatch(/paused automatically.*HTTP 503: down for maintenance/);
    expect(paused.cursor_seq).toBe(s.cursor_seq);
    expect(paused.lag_events).toBeGreaterThanOrEqual(120);
    const [audit] = await auditOf("stream.paused", s.id);
    expect(audit!.actor.type).toBe("system");
    expect(audit!.changes).toEqual({ status: { old: "active", new: "paused" } });
    up = true;
    await ingest(30);
    const r = await call(streamById.PATCH, "PATCH", `/api/v1/streams/${s.id}`, { token: admin, params: { id: s.id }, body: { status: "active" } });
    expect(r.body.data.status).toBe("active");
    await drain(caughtUp(s.id));
    const rep = chainReport(allEvents(rcv));
    expect(rep).toMatchObject({ missing: [], brokenLinks: [], duplicates: 0, first: s.cursor_seq + 1, last: await head() });
  });

  it("replay from a seq and from a time delivers again from there (audited with the old/new cursor); 400 beyond the log", async () => {
    const rcv = await webhook();
    const s = await createStream({ name: "replay", destination: { type: "webhook", url: rcv.url } });
    await drain(caughtUp(s.id));
    const n = rcv.acked().length;
    const r = await call(replay.POST, "POST", `/api/v1/streams/${s.id}/replay`, { token: admin, params: { id: s.id }, body: { from_seq: 10 } });
    expect(r.status).toBe(200);
    expect(r.body.data.cursor_seq).toBe(9);
    await drain(caughtUp(s.id));
    const again = rcv.acked().slice(n).flatMap((d) => d.events);
    expect(again[0]!.seq).toBe(10);
    expect(chainReport(again)).toMatchObject({ missing: [], brokenLinks: [], last: await head() });
    expect((await auditOf("stream.replayed", s.id))[0]!.changes!.cursor_seq!.new).toBe(9);
    const before = await head();
    await sleep(20);
    const at = new Date().toISOString();
    await ingest(5);
    const t = await call(replay.POST, "POST", `/api/v1/streams/${s.id}/replay`, { token: admin, params: { id: s.id }, body: { from_time: at } });
    expect(t.body.data.cursor_seq).toBe(before); // the first event received at or after `at` is the next one
    const early = await call(replay.POST, "POST", `/api/v1/streams/${s.id}/replay`, { token: admin, params: { id: s.id }, body: { from_time: "2001-01-01T00:00:00Z" } });
    expect(early.body.data.cursor_seq).toBe(0);
    for (const [body, field] of [[{ from_seq: 10 ** 9 }, "from_seq"], [{}, "from_seq"], [{ from_time: "2025-02-30T00:00:00Z" }, "from_time"], [{ from_seq: 1, from_time: "2025-01-01" }, "from_seq"]] as const) {
      const b = await call(replay.POST, "POST", `/api/v1/streams/${s.id}/replay`, { token: admin, params: { id: s.id }, body });
      expect([400, 422]).toContain(b.status);
      expect(b.body.error.field).toBe(field);
    }
  });

  it("a filtered stream gets only matching events; its seq ranges still cover the log contiguously", async () => {
    const rcv = await webhook();
    const s = await createStream({ name: "policies", destination: { type: "webhook", url: rcv.url }, query: "action:policy.* actor:user1@example.com" });
    await ingest(90);
    await drain(caughtUp(s.id));
    const events = allEvents(rcv);
    expect(events.length).toBeGreaterThan(5);
    expect(events.every((e) => e.action === "policy.update" && (e.actor as { email: string }).email === "user1@example.com")).toBe(true);
    const all = await db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1 AND seq > $2 AND action = 'policy.update' AND actor_email = 'user1@example.com'`,
      [orgId, s.cursor_seq],
    );
    expect(events.length).toBe(all[0]!.n);
  });

  it("the test endpoint sends a signed stream.test event and does not move the cursor", async () => {
    const rcv = await webhook();
    const s = await createStream({ name: "tested", destination: { type: "webhook", url: rcv.url } });
    const r = await call(testRoute.POST, "POST", `/api/v1/streams/${s.id}/test`, { token: admin, params: { id: s.id } });
    expect(r.body.data).toMatchObject({ delivered: true, status: 200, error: null });
    expect(rcv.received[0]!.headers["x-audit-test"]).toBe("1");
    expect(rcv.received[0]!.events[0]!.action).toBe("stream.test");
    expect(hmacOk(s.secret!, rcv.received[0]!)).toBe(true);
    expect((await streamRow(s.id)).cursor_seq).toBe(s.cursor_seq);
    rcv.setBehaviour(() => ({ status: 401, body: "bad signature" }));
    const f = await call(testRoute.POST, "POST", `/api/v1/streams/${s.id}/test`, { token: admin, params: { id: s.id } });
    expect(f.body.data).toMatchObject({ delivered: false, status: 401 });
    expect(f.body.data.error).toContain("bad signature");
  });

  it("Splunk HEC, Datadog and syslog (octet-counted RFC 5424) receivers get every event in order", async () => {
    const splunk = await startSplunkReceiver();
    const datadog = await startDatadogReceiver();
    const syslog = await startSyslogReceiver();
    receivers.push(splunk, datadog, syslog);
    const a = await createStream({ name: "splunk", destination: { type: "splunk_hec", url: splunk.url, token: "hec-token-123", index: "audit" } });
    const b = await createStream({ name: "dd", destination: { type: "datadog", url: datadog.url, token: "dd-key-456", tags: ["env:test"] } });
    const c = await createStream({ name: "syslog", destination: { type: "syslog", host: syslog.host, port: syslog.port } });
    expect(a.secret).toBeNull();
    await ingest(230);
    await drain(async () => (await Promise.all([a, b, c].map((x) => caughtUp(x.id)()))).every(Boolean));
    const h = await head();
    for (const [events, from] of [[allEvents(splunk), a], [allEvents(datadog), b], [syslog.events(), c]] as const) {
      expect(chainReport(events)).toMatchObject({ missing: [], brokenLinks: [], duplicates: 0, outOfOrder: 0, first: from.cursor_seq + 1 });
      expect(chainReport(events).last).toBeGreaterThanOrEqual(h - 3);
    }
    const sp = splunk.acked()[0]!;
    expect(sp.headers.authorization).toBe("Splunk hec-token-123");
    expect(splunk.received[0]!.headers).toBeDefined();
    const firstLine = JSON.parse(sp.body.toString("utf8").split("\n")[0]!);
    expect(Object.keys(firstLine).sort()).toEqual(["event", "host", "index", "source", "sourcetype", "time"]);
    const dd = datadog.acked()[0]!;
    expect(dd.headers["dd-api-key"]).toBe("dd-key-456");
    const entry = JSON.parse(dd.body.toString("utf8"))[0];
    expect(Object.keys(entry).sort()).toEqual(["ddsource", "ddtags", "hostname", "message", "service"]);
    expect(entry.ddtags).toContain("env:test");
    expect(syslog.messages[0]).toMatch(/^<11[04]>1 \d{4}-\d\d-\d\dT[\d:.]+Z \S+ audit-trail - \S+ \[audit@32473 org="acme-streams" seq="\d+" /);
    expect(syslog.messages.some((m) => m.includes(" checkpoint [checkpoint@32473 "))).toBe(true);
  });

  it("syslog over TLS (RFC 5425, the certificate checked against AUDIT_STREAMS_CA_FILE) gets every event in order", async () => {
    const syslog = await startSyslogReceiver({ tls: cert });
    receivers.push(syslog);
    const s = await createStream({ name: "syslog-tls", destination: { type: "syslog", host: "127.0.0.1", port: syslog.port, tls: true } });
    await ingest(120);
    await drain(caughtUp(s.id));
    expect(chainReport(syslog.events())).toMatchObject({ missing: [], brokenLinks: [], duplicates: 0, first: s.cursor_seq + 1, last: await head() });
  });

  it("two workers share several streams: each event is delivered once per stream, in order", async () => {
    const rcvs = await Promise.all([webhook(), webhook(), webhook()]);
    const ss: { id: string; cursor_seq: number }[] = [];
    for (const [i, r] of rcvs.entries()) ss.push(await createStream({ name: `shared-${i}`, destination: { type: "webhook", url: r.url } }));
    await ingest(600);
    await drain(async () => (await Promise.all(ss.map((x) => caughtUp(x.id)()))).every(Boolean), 2);
    for (const [i, r] of rcvs.entries()) {
      const rep = chainReport(allEvents(r));
      expect(rep).toMatchObject({ duplicates: 0, missing: [], brokenLinks: [], outOfOrder: 0, first: ss[i]!.cursor_seq + 1 });
    }
  });
});

describe("SSRF guard", () => {
  it("classifies link-local, private and public addresses (IPv4, IPv6, IPv4-mapped)", () => {
    expect(classifyAddress("169.254.169.254")).toBe("link_local");
    expect(classifyAddress("fe80::1")).toBe("link_local");
    expect(classifyAddress("::ffff:169.254.169.254")).toBe("link_local");
    expect(classifyAddress("::ffff:a9fe:a9fe")).toBe("link_local");
    expect(classifyAddress("127.0.0.1")).toBe("private");
    expect(classifyAddress("10.0.0.8")).toBe("private");
    expect(classifyAddress("fd00::1")).toBe("private");
    expect(classifyAddress("::1")).toBe("private");
    expect(classifyAddress("93.184.216.34")).toBe("public");
    expect(classifyAddress("2606:4700::1111")).toBe("public");
  });

  it("refuses a name that resolves to a link-local address at connection time, even with AUDIT_STREAMS_ALLOW_PRIVATE=1", async () => {
    const lookup = guardedLookup(async () => [{ address: "127.0.0.1", family: 4 }, { address: "169.254.169.254", family: 4 }]);
    const err = await new Promise<Error | null>((r) => lookup("metadata.example", {}, (e) => r(e)));
    expect(err?.message).toMatch(/link-local/);
    const okLookup = guardedLookup(async () => [{ address: "127.0.0.1", family: 4 }]);
    const addr = await new Promise<string>((r) => okLookup("receiver.example", {}, (_e, a) => r(a as string)));
    expect(addr).toBe("127.0.0.1");
    const r = await sendDelivery(
      formatDelivery({ type: "webhook", url: "https://rebind.example/hook" }, "s", { id: "d", streamId: "s", org: "o", events: [], seqFrom: 1, seqTo: 1 }),
      { resolver: async () => [{ address: "169.254.169.254", family: 4 }] },
    );
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/link-local/);
  });

  it("does not follow redirects (a 302 to the metadata address is a failed delivery)", async () => {
    const rcv = await webhook(() => ({ status: 302, headers: { Location: "http://169.254.169.254/latest/meta-data/" } }));
    const r = await sendDelivery(formatDelivery({ type: "webhook", url: rcv.url }, "s", { id: "d", streamId: "s", org: "o", events: [], seqFrom: 1, seqTo: 1 }));
    expect(r).toMatchObject({ ok: false, status: 302 });
    expect(r.error).toMatch(/redirects are not followed/);
    expect(rcv.received.length).toBe(1);
  });
});
