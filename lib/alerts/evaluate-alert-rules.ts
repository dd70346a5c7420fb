import crypto from "node:crypto";
import os from "node:os";
import { withAuditedChange } from "../audit/audit-change";
import { formatTimestamp } from "../audit/format-timestamp";
import { buildWhere } from "../audit/query-events";
import { getConfig } from "../config";
import type { Database } from "../db/open-database";
import { signBody, type RequestSpec, type StreamEvent } from "../streams/format-delivery";
import { toStreamEvent, readHeadSeq } from "../streams/read-stream-batch";
import { openSecret } from "../streams/secret-box";
import { sendDelivery } from "../streams/send-delivery";
import { getStreamConfig } from "../streams/stream-config";
import { destinationOf, savedQueryFilter, type StreamRow } from "../streams/stream-rows";
import type { DestinationView } from "../streams/stream-schemas";
import { SYSTEM_ACTOR } from "../streams/run-stream-worker";
import { targetOf, type AlertRuleRow } from "./manage-alert-rules";

/** First matching events carried by a notification. */
export const FIRST_EVENTS = 5;

/** One notification: a window's matches of a rule. */
export interface AlertNotification {
  type: "audit.alert";
  id: string;
  org: string;
  rule: { id: string; name: string; query: string; throttle_seconds: number };
  count: number;
  seq_range: string;
  first_events: StreamEvent[];
  /** The explorer, filtered by the rule's query over the window's time span. */
  link: string;
  fired_at: string;
}

const HOST = os.hostname();

/** The explorer link of a window: the rule's query over [first match − 1 s, last match + 1 s]. */
export function explorerLink(query: string, from: Date, to: Date): string {
  const base = getStreamConfig().AUDIT_PUBLIC_URL ?? `http://localhost:${getConfig().PORT}`;
  const p = new URLSearchParams({ q: query, range: "custom", from: new Date(from.getTime() - 1000).toISOString(), to: new Date(to.getTime() + 1000).toISOString() });
  return `${base.replace(/\/+$/, "")}/logs?${p.toString()}`;
}

/** A notification in a destination's shape (webhook: one signed JSON object, header X-Audit-Alert). */
export function formatNotification(dest: DestinationView, secret: string | null, n: AlertNotification): RequestSpec {
  const text = JSON.stringify(n);
  const common = { "User-Agent": "audit-trail-alerts/1", "X-Audit-Alert": n.rule.id, "X-Audit-Delivery": n.id, "X-Audit-Seq-Range": n.seq_range };
  switch (dest.type) {
    case "webhook": {
      const body = Buffer.from(text, "utf8");
      return { kind: "http", url: dest.url!, headers: { ...common, "Content-Type": "application/json", "X-Audit-Signature": signBody(secret ?? "", body) }, body };
    }
    case "splunk_hec": {
      const url = new URL(dest.url!);
      if (!/\/services\/collector(\/event)?\/?$/.test(url.pathname)) url.pathname = `${url.pathname.replace(/\/+$/, "")}/services/collector/event`;
      const body = JSON.stringify({ time: Date.now() / 1000, host: HOST, source: "audit-trail", sourcetype: "audit_trail:alert", ...(dest.index && { index: dest.index }), event: n });
      return { kind: "http", url: url.toString(), headers: { ...common, "Content-Type": "application/json", Authorization: `Splunk ${secret ?? ""}` }, body: Buffer.from(body) };
    }
    case "datadog": {
      const body = JSON.stringify([{ ddsource: "audit-trail", service: dest.service ?? "audit-trail", hostname: HOST, message: text, ddtags: [`org:${n.org}`, "type:alert", `rule:${n.rule.id}`, ...(dest.tags ?? [])].join(",") }]);
      return { kind: "http", url: dest.url ?? "https://http-intake.logs.datadoghq.com/api/v2/logs", headers: { ...common, "Content-Type": "application/json", "DD-API-KEY": secret ?? "" }, body: Buffer.from(body) };
    }
    case "syslog": {
      const msg = Buffer.from(`<108>1 ${n.fired_at} ${HOST.replace(/[^\x21-\x7e]/g, "_")} audit-trail - alert [alert@32473 rule="${n.rule.id}" count="${n.count}"] \uFEFF${text}`);
      return { kind: "syslog", host: dest.host!, port: dest.port!, tls: dest.tls ?? false, body: Buffer.concat([Buffer.from(`${msg.length} `), msg]) };
    }
  }
}

/** Claims one due, enabled rule (FOR UPDATE SKIP LOCKED + a lease, like streams). */
export async function claimAlertRule(opts: { db: Database; workerId: string }): Promise<(AlertRuleRow & { org_slug: string }) | null> {
  const rows = await opts.db.sql.query<AlertRuleRow & { org_slug: string }>(
    `WITH picked AS (
       SELECT org_id, id FROM audit_alert_rules
       WHERE enabled AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
       ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
     UPDATE audit_alert_rules r SET worker_id = $1, lease_until = now() + interval '60 seconds'
     FROM picked p WHERE r.org_id = p.org_id AND r.id = p.id
     RETURNING r.*, (SELECT o.slug FROM orgs o WHERE o.id = r.org_id) AS org_slug`,
    [opts.workerId],
  );
  return rows[0] ?? null;
}

interface MatchRow {
  seq: number | string;
  content: string;
  hash: string;
  previous_hash: string | null;
  [k: string]: unknown;
}

/**
 * Evaluates one claimed rule: counts the new matches after its cursor (adding them to the window's
 * pending matches) and, when the window allows (no notification in the last throttle_seconds),
 * sends one notification with the count, the first matching events and an explorer link; records
 * the firing (audit_alert_firings, and alert.fired in the org's log, in one transaction).
 */
export async function evaluateAlertRule(opts: { db: Database; rule: AlertRuleRow & { org_slug: string }; workerId: string; log?: (line: string) => void }): Promise<{ matched: number; fired: boolean }> {
  const { db, rule, workerId } = opts;
  const cfg = getStreamConfig();
  const log = opts.log ?? (() => undefined);
  const cursor = Number(rule.cursor_seq);
  const head = await readHeadSeq(db.sql, rule.org_id);
  const upper = Math.min(head, cursor + cfg.AUDIT_STREAMS_SCAN_SEQS);
  let pendingCount = rule.pending_count;
  let pendingEvents: StreamEvent[] = (typeof rule.pending_events === "string" ? JSON.parse(rule.pending_events) : rule.pending_events) ?? [];
  let fromSeq = rule.pending_from_seq === null ? null : Number(rule.pending_from_seq);
  let toSeq = rule.pending_to_seq === null ? null : Number(rule.pending_to_seq);
  let matched = 0;
  if (upper > cursor) {
    const { where, params } = buildWhere(rule.org_id, savedQueryFilter(rule.query));
    params.push(cursor, upper);
    const n = params.length;
    const range = `${where} AND e.seq > $${n - 1} AND e.seq <= $${n}`;
    const [agg] = await db.sql.query<{ c: number | string; lo: number | string | null; hi: number | string | null }>(
      `SELECT count(*) AS c, min(e.seq) AS lo, max(e.seq) AS hi FROM audit_events e WHERE ${range}`,
      params,
    );
    matched = Number(agg?.c ?? 0);
    if (matched > 0) {
      pendingCount += matched;
      fromSeq ??= Number(agg!.lo);
      toSeq = Number(agg!.hi);
      if (pendingEvents.length < FIRST_EVENTS) {
        const rows = await db.sql.query<MatchRow>(`SELECT e.seq, e.content, e.hash, e.previous_hash FROM audit_events e WHERE ${range} ORDER BY e.seq LIMIT ${FIRST_EVENTS - pendingEvents.length}`, params);
        pendingEvents = [...pendingEvents, ...rows.map((r) => toStreamEvent(r, rule.org_slug))];
      }
    }
  }
  const now = Date.now();
  const windowOpen = !rule.last_fired_at || now - new Date(rule.last_fired_at).getTime() >= rule.throttle_seconds * 1000;
  const due = cfg.AUDIT_ALERTS_POLL_MS;
  if (pendingCount === 0 || !windowOpen) {
    const wait = pendingCount > 0 && rule.last_fired_at ? Math.max(due, new Date(rule.last_fired_at).getTime() + rule.throttle_seconds * 1000 - now) : due;
    await db.sql.query(
      `UPDATE audit_alert_rules SET cursor_seq = $4, pending_count = $5, pending_events = $6::jsonb, pending_from_seq = $7, pending_to_seq = $8,
         worker_id = NULL, lease_until = NULL, next_attempt_at = now() + ($9::int8 * interval '1 millisecond')
       WHERE org_id = $1 AND id = $2 AND worker_id = $3`,
      [rule.org_id, rule.id, workerId, upper, pendingCount, pendingEvents.length ? JSON.stringify(pendingEvents) : null, fromSeq, toSeq, Math.min(wait, due * 5)],
    );
    return { matched, fired: false };
  }
  // Fire: one notification for the window's matches.
  const first = pendingEvents[0];
  const last = pendingEvents[pendingEvents.length - 1];
  const notification: AlertNotification = {
    type: "audit.alert",
    id: `alf_${crypto.randomBytes(8).toString("hex")}`,
    org: rule.org_slug,
    rule: { id: rule.id, name: rule.name, query: rule.query, throttle_seconds: rule.throttle_seconds },
    count: pendingCount,
    seq_range: `${fromSeq}-${toSeq}`,
    first_events: pendingEvents,
    link: explorerLink(rule.query, new Date(String(first?.timestamp ?? new Date().toISOString())), new Date(Math.max(now, Date.parse(String(last?.timestamp ?? new Date().toISOString()))))),
    fired_at: formatTimestamp(new Date(now)),
  };
  const target = targetOf(rule);
  let error: string | null = null;
  try {
    let dest: DestinationView;
    let secret: string | null;
    if (target.type === "stream") {
      const [s] = await db.sql.query<StreamRow>(`SELECT * FROM audit_streams WHERE org_id = $1 AND id = $2`, [rule.org_id, target.stream_id!]);
      if (!s) throw new Error(`target stream ${target.stream_id} no longer exists`);
      dest = destinationOf(s);
      secret = s.secret_box ? openSecret(s.secret_box) : null;
    } else {
      dest = { type: "webhook", url: target.url! };
      secret = rule.secret_box ? openSecret(rule.secret_box) : null;
    }
    const r = await sendDelivery(formatNotification(dest, secret, notification));
    if (!r.ok) error = r.error ?? "delivery failed";
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  await withAuditedChange({ db, orgId: rule.org_id }, async (tx) => {
    const updated = await tx.sql.query(
      `UPDATE audit_alert_rules SET cursor_seq = $4, pending_count = 0, pending_events = NULL, pending_from_seq = NULL, pending_to_seq = NULL,
         last_fired_at = $5, firings = firings + 1, last_error = $6, worker_id = NULL, lease_until = NULL,
         next_attempt_at = now() + ($7::int8 * interval '1 millisecond')
       WHERE org_id = $1 AND id = $2 AND worker_id = $3 RETURNING id`,
      [rule.org_id, rule.id, workerId, upper, new Date(now), error, due],
    );
    if (!updated.length) return { value: undefined, events: [] };
    await tx.sql.query(
      `INSERT INTO audit_alert_firings (org_id, id, rule_id, fired_at, count, from_seq, to_seq, events, delivered, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10)`,
      [rule.org_id, notification.id, rule.id, new Date(now), pendingCount, fromSeq ?? 0, toSeq ?? 0, JSON.stringify(pendingEvents), error === null, error],
    );
    return {
      value: undefined,
      events: [
        {
          actor: SYSTEM_ACTOR,
          action: "alert.fired",
          resource: { type: "alert_rule", id: rule.id, name: rule.name },
          details: { firing_id: notification.id, count: pendingCount, seq_range: notification.seq_range, target: { ...target }, delivered: error === null, ...(error && { error }), link: notification.link },
        },
      ],
    };
  });
  log(`[alerts] ${rule.id} fired: ${pendingCount} match(es)${error ? `, delivery failed: ${error}` : ""}`);
  return { matched, fired: true };
}
