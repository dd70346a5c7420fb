import crypto from "node:crypto";
import { withAuditedChange, type AuditTx } from "../audit/audit-change";
import type { Actor, EventInput } from "../audit/event-schema";
import { formatTimestamp } from "../audit/format-timestamp";
import type { Database } from "../db/open-database";
import type { SqlExecutor } from "../db/sql";
import { AppError } from "../errors";
import { prepareDestination } from "../streams/manage-streams";
import { newWebhookSecret, sealSecret } from "../streams/secret-box";
import { savedQueryFilter } from "../streams/stream-rows";
import type { AlertRuleJson, AlertTargetInput, CreateAlertRule, UpdateAlertRule } from "./alert-schemas";

export const DEFAULT_THROTTLE_SECONDS = 300;

export interface AlertRuleRow {
  org_id: string;
  id: string;
  name: string;
  query: string;
  target_type: string;
  target: unknown;
  secret_box: string | null;
  throttle_seconds: number;
  enabled: boolean;
  cursor_seq: number | string;
  pending_count: number;
  pending_events: unknown;
  pending_from_seq: number | string | null;
  pending_to_seq: number | string | null;
  last_fired_at: Date | null;
  firings: number;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  created_by: string;
  [k: string]: unknown;
}

interface FiringRow {
  id: string;
  fired_at: Date;
  count: number;
  from_seq: number | string;
  to_seq: number | string;
  delivered: boolean;
  error: string | null;
  [k: string]: unknown;
}

const asJson = <T>(v: unknown): T => (typeof v === "string" ? (JSON.parse(v) as T) : (v as T));
const actorLabel = (a: Actor) => a.email ?? a.name ?? a.id;
const ts = (d: Date | null) => (d ? formatTimestamp(new Date(d)) : null);

export function targetOf(r: Pick<AlertRuleRow, "target_type" | "target">): { type: "stream" | "webhook"; stream_id?: string; url?: string } {
  return { ...asJson<{ stream_id?: string; url?: string }>(r.target), type: r.target_type as "stream" | "webhook" };
}

function toJson(r: AlertRuleRow, firings: FiringRow[]): AlertRuleJson {
  return {
    id: r.id,
    name: r.name,
    query: r.query,
    target: { ...targetOf(r), secret_set: r.secret_box !== null },
    throttle_seconds: r.throttle_seconds,
    enabled: r.enabled,
    cursor_seq: Number(r.cursor_seq),
    pending_count: r.pending_count,
    last_fired_at: ts(r.last_fired_at),
    firings: r.firings,
    last_error: r.last_error,
    recent_firings: firings.map((f) => ({
      id: f.id,
      fired_at: ts(f.fired_at)!,
      count: f.count,
      from_seq: Number(f.from_seq),
      to_seq: Number(f.to_seq),
      delivered: f.delivered,
      error: f.error,
    })),
    created_at: ts(r.created_at)!,
    updated_at: ts(r.updated_at)!,
    created_by: r.created_by,
  };
}

async function selectRule(sql: SqlExecutor, orgId: string, id: string, forUpdate = false): Promise<AlertRuleRow | null> {
  const rows = await sql.query<AlertRuleRow>(`SELECT * FROM audit_alert_rules WHERE org_id = $1 AND id = $2${forUpdate ? " FOR UPDATE" : ""}`, [orgId, id]);
  return rows[0] ?? null;
}

async function firingsOf(sql: SqlExecutor, orgId: string, ruleId: string): Promise<FiringRow[]> {
  return sql.query<FiringRow>(`SELECT * FROM audit_alert_firings WHERE org_id = $1 AND rule_id = $2 ORDER BY fired_at DESC, id DESC LIMIT 20`, [orgId, ruleId]);
}

/** Checks a target (the stream exists in this org; a webhook's host passes the SSRF guard). */
async function prepareTarget(sql: SqlExecutor, orgId: string, t: AlertTargetInput): Promise<{ stored: string; secret: string | null }> {
  if (t.type === "stream") {
    const rows = await sql.query(`SELECT 1 FROM audit_streams WHERE org_id = $1 AND id = $2`, [orgId, t.stream_id]);
    if (!rows.length) throw new AppError("invalid_parameter", `target.stream_id: no stream "${t.stream_id}" in this org`, { field: "target.stream_id" });
    return { stored: JSON.stringify({ stream_id: t.stream_id }), secret: null };
  }
  prepareDestination({ type: "webhook", url: t.url }, "target");
  return { stored: JSON.stringify({ url: t.url }), secret: newWebhookSecret() };
}

async function headSeq(tx: AuditTx, orgId: string): Promise<number> {
  const rows = await tx.sql.query<{ n: number | string | null }>(`SELECT max(seq) AS n FROM audit_events WHERE org_id = $1`, [orgId]);
  return Number(rows[0]?.n ?? 0);
}

const resourceOf = (id: string, name: string) => ({ type: "alert_rule", id, name });

/** Creates a rule (audited as alert_rule.created); it watches events after the newest one. */
export async function createAlertRule(opts: { db: Database; orgId: string; input: CreateAlertRule; actor: Actor }): Promise<AlertRuleJson & { secret: string | null }> {
  const { input } = opts;
  savedQueryFilter(input.query);
  const target = await prepareTarget(opts.db.sql, opts.orgId, input.target);
  const id = `alr_${crypto.randomBytes(8).toString("hex")}`;
  const throttle = input.throttle_seconds ?? DEFAULT_THROTTLE_SECONDS;
  await withAuditedChange({ db: opts.db, orgId: opts.orgId }, async (tx) => {
    const cursor = await headSeq(tx, opts.orgId);
    await tx.sql.query(
      `INSERT INTO audit_alert_rules (org_id, id, name, query, target_type, target, secret_box, throttle_seconds, enabled, cursor_seq, created_by)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11)`,
      [opts.orgId, id, input.name, input.query, input.target.type, target.stored, target.secret ? sealSecret(target.secret) : null, throttle, input.enabled ?? true, cursor, actorLabel(opts.actor)],
    );
    const event: EventInput = {
      actor: opts.actor,
      action: "alert_rule.created",
      resource: resourceOf(id, input.name),
      changes: { name: { new: input.name }, query: { new: input.query }, target: { new: { ...input.target } }, throttle_seconds: { new: throttle }, enabled: { new: input.enabled ?? true } },
    };
    return { value: undefined, events: [event] };
  });
  return { ...(await getAlertRule({ db: opts.db, orgId: opts.orgId, id })), secret: target.secret };
}

export async function listAlertRules(opts: { db: Database; orgId: string }): Promise<AlertRuleJson[]> {
  const rows = await opts.db.sql.query<AlertRuleRow>(`SELECT * FROM audit_alert_rules WHERE org_id = $1 ORDER BY created_at, id`, [opts.orgId]);
  const out: AlertRuleJson[] = [];
  for (const r of rows) out.push(toJson(r, await firingsOf(opts.db.sql, opts.orgId, r.id)));
  return out;
}

export async function getAlertRule(opts: { db: Database; orgId: string; id: string }): Promise<AlertRuleJson> {
  const r = await selectRule(opts.db.sql, opts.orgId, opts.id);
  if (!r) throw new AppError("not_found", `alert rule "${opts.id}" not found`);
  return toJson(r, await firingsOf(opts.db.sql, opts.orgId, r.id));
}

/** Changes a rule (audited as alert_rule.updated with old/new values). A new webhook target gets a new secret (returned once). */
export async function updateAlertRule(opts: { db: Database; orgId: string; id: string; patch: UpdateAlertRule; actor: Actor }): Promise<AlertRuleJson & { secret?: string }> {
  const { patch } = opts;
  if (patch.query !== undefined) savedQueryFilter(patch.query);
  const target = patch.target ? await prepareTarget(opts.db.sql, opts.orgId, patch.target) : undefined;
  await withAuditedChange({ db: opts.db, orgId: opts.orgId }, async (tx) => {
    const row = await selectRule(tx.sql, opts.orgId, opts.id, true);
    if (!row) throw new AppError("not_found", `alert rule "${opts.id}" not found`);
    const changes: Record<string, { old?: unknown; new?: unknown }> = {};
    const sets = ["updated_at = now()"];
    const params: (string | number | boolean | null)[] = [opts.orgId, opts.id];
    const set = (col: string, v: string | number | boolean | null, cast = "") => {
      params.push(v);
      sets.push(`${col} = $${params.length}${cast}`);
    };
    if (patch.name !== undefined && patch.name !== row.name) {
      changes.name = { old: row.name, new: patch.name };
      set("name", patch.name);
    }
    if (patch.query !== undefined && patch.query !== row.query) {
      changes.query = { old: row.query, new: patch.query };
      set("query", patch.query);
    }
    if (patch.throttle_seconds !== undefined && patch.throttle_seconds !== row.throttle_seconds) {
      changes.throttle_seconds = { old: row.throttle_seconds, new: patch.throttle_seconds };
      set("throttle_seconds", patch.throttle_seconds);
    }
    if (patch.enabled !== undefined && patch.enabled !== row.enabled) {
      changes.enabled = { old: row.enabled, new: patch.enabled };
      set("enabled", patch.enabled);
      if (patch.enabled) {
        // Re-enabled: watch from now on (what happened while disabled does not fire late).
        set("cursor_seq", await headSeq(tx, opts.orgId));
        sets.push("pending_count = 0, pending_events = NULL, pending_from_seq = NULL, pending_to_seq = NULL, next_attempt_at = now()");
      }
    }
    if (patch.target && target) {
      changes.target = { old: { ...targetOf(row) }, new: { ...patch.target } };
      set("target_type", patch.target.type);
      set("target", target.stored, "::jsonb");
      set("secret_box", target.secret ? sealSecret(target.secret) : null);
    }
    if (!Object.keys(changes).length) return { value: undefined, events: [] };
    await tx.sql.query(`UPDATE audit_alert_rules SET ${sets.join(", ")} WHERE org_id = $1 AND id = $2`, params);
    return { value: undefined, events: [{ actor: opts.actor, action: "alert_rule.updated", resource: resourceOf(opts.id, patch.name ?? row.name), changes: changes as EventInput["changes"] }] };
  });
  const out = await getAlertRule({ db: opts.db, orgId: opts.orgId, id: opts.id });
  return target?.secret ? { ...out, secret: target.secret } : out;
}

export async function deleteAlertRule(opts: { db: Database; orgId: string; id: string; actor: Actor }): Promise<void> {
  await withAuditedChange({ db: opts.db, orgId: opts.orgId }, async (tx) => {
    const row = await selectRule(tx.sql, opts.orgId, opts.id, true);
    if (!row) throw new AppError("not_found", `alert rule "${opts.id}" not found`);
    await tx.sql.query(`DELETE FROM audit_alert_rules WHERE org_id = $1 AND id = $2`, [opts.orgId, opts.id]);
    return {
      value: undefined,
      events: [
        {
          actor: opts.actor,
          action: "alert_rule.deleted",
          resource: resourceOf(opts.id, row.name),
          changes: { name: { old: row.name }, query: { old: row.query }, target: { old: { ...targetOf(row) } }, throttle_seconds: { old: row.throttle_seconds } },
          details: { firings: row.firings },
        },
      ],
    };
  });
}
