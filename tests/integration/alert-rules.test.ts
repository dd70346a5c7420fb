/**
 * Alert rules (issue 13) on PGlite and PostgreSQL with a real local HTTPS receiver: a saved query +
 * target + throttle; one notification per window with the count, the first matching events and an
 * explorer link; rules and firings audited; 4xx naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import * as rules from "@/app/api/v1/alert-rules/route";
import * as ruleById from "@/app/api/v1/alert-rules/[id]/route";
import * as streams from "@/app/api/v1/streams/route";
import { claimAlertRule, evaluateAlertRule } from "@/lib/alerts/evaluate-alert-rules";
import { getDatabase } from "@/lib/db/get-database";
import type { Database } from "@/lib/db/open-database";
import { newStreamWorkerId } from "@/lib/streams/run-stream-worker";
import { resetStreamConfigForTests } from "@/lib/streams/stream-config";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { hmacOk, makeSelfSignedCert, startWebhookReceiver, type HttpReceiver, type SelfSigned } from "../support/stream-receivers";
import { sampleEvent, TEST_DB } from "../support/test-database";

let app: { close(): Promise<void> };
let db: Database;
let cert: SelfSigned;
let admin: string;
let writer: string;
let orgId: string;
let rcv: HttpReceiver;
let n = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ingest(events: Record<string, unknown>[]) {
  const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token: writer, body: { events } });
  expect(r.status).toBe(201);
}
const mfaOff = (ip = "198.51.100.7") => sampleEvent(n++, { id: `al-${n}`, action: "user.mfa_disabled", ip_address: ip, timestamp: new Date().toISOString() });
const noise = () => sampleEvent(n++, { id: `al-${n}`, action: "policy.update", timestamp: new Date().toISOString() });

/** Evaluates due rules (as the background loop does) until `done`. */
async function evaluateUntil(done: () => boolean | Promise<boolean>) {
  const workerId = newStreamWorkerId();
  const t0 = Date.now();
  while (!(await done())) {
    if (Date.now() - t0 > 60_000) throw new Error("evaluateUntil: condition not reached in 60 s");
    const rule = await claimAlertRule({ db, workerId });
    if (rule) await evaluateAlertRule({ db, rule, workerId });
    else await sleep(20);
  }
}

async function auditOf(action: string, id: string) {
  const rows = await db.sql.query<{ content: string }>(`SELECT content FROM audit_events WHERE org_id = $1 AND action = $2 AND resource_id = $3 ORDER BY seq`, [orgId, action, id]);
  return rows.map((r) => JSON.parse(r.content) as { changes?: Record<string, unknown>; details?: Record<string, unknown> });
}

beforeAll(async () => {
  cert = makeSelfSignedCert();
  Object.assign(process.env, { AUDIT_STREAMS_ALLOW_PRIVATE: "1", AUDIT_STREAMS_CA_FILE: cert.certFile, AUDIT_ALERTS_POLL_MS: "50", AUDIT_PUBLIC_URL: "https://audit.example.com" });
  resetStreamConfigForTests();
  app = await useScratchApp();
  db = await getDatabase();
  orgId = (await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "acme-alerts", name: "Acme" } })).body.id;
  const mint = async (scopes: string[]) => (await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org: "acme-alerts", name: "t", scopes } })).body.token as string;
  admin = await mint(["admin"]);
  writer = await mint(["audit:write"]);
  rcv = await startWebhookReceiver({ tls: cert });
}, 120_000);

afterAll(async () => {
  await rcv?.close();
  await app?.close();
  for (const k of ["AUDIT_STREAMS_ALLOW_PRIVATE", "AUDIT_STREAMS_CA_FILE", "AUDIT_ALERTS_POLL_MS", "AUDIT_PUBLIC_URL"]) delete process.env[k];
  resetStreamConfigForTests();
});

describe(`alert rules (${TEST_DB})`, () => {
  it("refuses bad rules with a 4xx naming the field", async () => {
    for (const [body, field] of [
      [{ name: "x", query: "", target: { type: "webhook", url: rcv.url } }, "query"],
      [{ name: "x", query: "action:a", target: { type: "stream", stream_id: "str_missing" } }, "target.stream_id"],
      [{ name: "x", query: "action:a", target: { type: "webhook", url: "https://169.254.169.254/" } }, "target.url"],
      [{ name: "x", query: "action:a", target: { type: "webhook", url: rcv.url }, throttle_seconds: 0 }, "throttle_seconds"],
      [{ name: "x", query: "created:>2025-02-30", target: { type: "webhook", url: rcv.url } }, "query"],
    ] as const) {
      const r = await call(rules.POST, "POST", "/api/v1/alert-rules", { token: admin, body });
      expect([400, 422], JSON.stringify(r.body)).toContain(r.status);
      expect(r.body.error.field).toBe(field);
    }
    expect((await call(rules.GET, "GET", "/api/v1/alert-rules", { token: admin })).body.data).toEqual([]);
  });

  it("fires once per window with the count, the first matching events and an explorer link; audited", async () => {
    const c = await call(rules.POST, "POST", "/api/v1/alert-rules", { token: admin, body: { name: "MFA disabled", query: "action:user.mfa_disabled", target: { type: "webhook", url: rcv.url }, throttle_seconds: 3 } });
    expect(c.status).toBe(201);
    const rule = c.body.data;
    expect(rule.secret).toMatch(/^whsec_/);
    expect((await auditOf("alert_rule.created", rule.id))[0]!.changes!.query).toEqual({ new: "action:user.mfa_disabled" });
    await ingest([noise(), mfaOff(), noise(), mfaOff(), mfaOff(), noise()]);
    await evaluateUntil(() => rcv.received.length >= 1);
    const first = rcv.received[0]!;
    expect(hmacOk(rule.secret, first)).toBe(true);
    expect(first.headers["x-audit-alert"]).toBe(rule.id);
    const body = JSON.parse(first.body.toString("utf8"));
    expect(body).toMatchObject({ type: "audit.alert", org: "acme-alerts", count: 3, rule: { id: rule.id, name: "MFA disabled" } });
    expect(body.first_events.map((e: { action: string }) => e.action)).toEqual(["user.mfa_disabled", "user.mfa_disabled", "user.mfa_disabled"]);
    expect(body.first_events[0].seq).toBeGreaterThan(0);
    expect(body.link).toMatch(/^https:\/\/audit\.example\.com\/logs\?q=action%3Auser\.mfa_disabled&range=custom&from=/);
    // More matches inside the window: held back until it ends, then one notification with their count.
    await ingest([mfaOff(), mfaOff()]);
    // (On a loaded machine the window may already be over when they are evaluated: then they go out at once.)
    await evaluateUntil(async () => rcv.received.length >= 2 || (await call(ruleById.GET, "GET", `/api/v1/alert-rules/${rule.id}`, { token: admin, params: { id: rule.id } })).body.data.pending_count === 2);
    await evaluateUntil(() => rcv.received.length >= 2);
    expect(JSON.parse(rcv.received[1]!.body.toString("utf8")).count).toBe(2);
    const got = (await call(ruleById.GET, "GET", `/api/v1/alert-rules/${rule.id}`, { token: admin, params: { id: rule.id } })).body.data;
    expect(got).toMatchObject({ firings: 2, pending_count: 0, last_error: null });
    expect(got.recent_firings.map((f: { count: number }) => f.count)).toEqual([2, 3]);
    const [second, firstFiring] = got.recent_firings.map((f: { fired_at: string }) => Date.parse(f.fired_at));
    expect(second - firstFiring).toBeGreaterThanOrEqual(3000); // one notification per 3 s window
    const fired = await auditOf("alert.fired", rule.id);
    expect(fired.map((f) => f.details!.count)).toEqual([3, 2]);
    // Disabled: audited with old/new; nothing fires.
    const p = await call(ruleById.PATCH, "PATCH", `/api/v1/alert-rules/${rule.id}`, { token: admin, params: { id: rule.id }, body: { enabled: false } });
    expect(p.body.data.enabled).toBe(false);
    expect((await auditOf("alert_rule.updated", rule.id))[0]!.changes).toEqual({ enabled: { old: true, new: false } });
    const d = await call(ruleById.DELETE, "DELETE", `/api/v1/alert-rules/${rule.id}`, { token: admin, params: { id: rule.id } });
    expect(d.status).toBe(200);
    expect((await auditOf("alert_rule.deleted", rule.id)).length).toBe(1);
  });

  it("notifies through a stream's destination (sign-in failures from one IP)", async () => {
    const hook = await startWebhookReceiver({ tls: cert });
    try {
      const s = await call(streams.POST, "POST", "/api/v1/streams", { token: admin, body: { name: "siem", destination: { type: "webhook", url: hook.url } } });
      const r = await call(rules.POST, "POST", "/api/v1/alert-rules", {
        token: admin,
        body: { name: "sign-in failures from 203.0.113.66", query: "action:user.login_failed ip:203.0.113.66", target: { type: "stream", stream_id: s.body.data.id }, throttle_seconds: 60 },
      });
      expect(r.body.data.secret).toBeNull();
      await ingest([1, 2, 3, 4, 5].map(() => sampleEvent(n++, { id: `al-${n}`, action: "user.login_failed", ip_address: "203.0.113.66" })));
      await ingest([sampleEvent(n++, { id: `al-${n}`, action: "user.login_failed", ip_address: "203.0.113.1" })]);
      await evaluateUntil(() => hook.received.length >= 1);
      const note = JSON.parse(hook.received[0]!.body.toString("utf8"));
      expect(note.count).toBe(5);
      expect(hmacOk(s.body.data.secret, hook.received[0]!)).toBe(true);
    } finally {
      await hook.close();
    }
  });
});
