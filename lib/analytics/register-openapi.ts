/**
 * OpenAPI registrations of the analytics and retention routes (issue #6). Request schemas are the
 * ones the routes parse with. Needs one line in lib/openapi/routes/index.ts:
 * `import "../../analytics/register-openapi";`.
 */
import { z } from "zod";
import { registerRoute } from "../openapi/registry";
import { CreateLegalHoldSchema, HOLD_SCOPES, ReleaseLegalHoldSchema } from "../retention/legal-hold-schema";
import { RetentionPolicyUpdateSchema } from "../retention/retention-schema";
import { HistoryQuerySchema, Soc2QuerySchema, StatisticsQuerySchema } from "./analytics-queries";
import { METRICS } from "./get-history";
import { INTERVALS } from "./periods";

const ok = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data });
const ts = z.string().describe("UTC ISO 8601 timestamp.");
const date = z.string().describe("UTC date, YYYY-MM-DD.");

const History = ok(
  z.object({
    metric: z.enum(METRICS),
    interval: z.enum(INTERVALS),
    data_points: z.array(z.object({ period_start: date, period_end: date.describe("Inclusive last day."), value: z.number().nullable(), change: z.number().nullable() })),
    summary: z.object({ start_value: z.number().nullable(), end_value: z.number().nullable(), total_change: z.number().nullable(), trend: z.enum(["improving", "declining", "stable"]) }),
  }),
);
const Counts = z.record(z.string(), z.number().int());
const Statistics = ok(
  z.object({
    period: z.object({ from: ts.nullable(), to: ts }),
    total_events: z.number().int(),
    events_by_type: Counts,
    events_by_repository: Counts.describe("By repository name."),
    events_by_actor_type: Counts,
    top_actors: z.array(z.object({ actor: z.string().describe("Email, else name, else id."), event_count: z.number().int() })),
  }),
);
const Soc2 = ok(
  z.object({
    criteria: z.string(),
    criteria_name: z.string(),
    audit_period: z.object({ start: date, end: date }),
    evidence_items: z.array(
      z.object({
        id: z.string(),
        type: z.string(),
        title: z.string(),
        description: z.string(),
        event_types: z.array(z.string()),
        date_range: z.object({ from: date, to: date }),
        record_count: z.number().int(),
        artifacts: z.array(z.object({ name: z.string(), url: z.string().describe("Signed link; no bearer header needed until expires_at."), format: z.literal("csv"), expires_at: ts })),
      }),
    ),
  }),
);
const Policy = z.object({
  audit_logs: z.object({ retention_days: z.number().int(), archive_after_days: z.number().int() }),
  scan_results: z.object({ retention_days: z.number().int(), archive_after_days: z.number().int() }),
  evidence_exports: z.object({ retention_days: z.number().int() }),
});
const RetentionData = z.object({
  policy: Policy,
  storage_used_gb: z.number(),
  storage_used_bytes: z.number().int(),
  oldest_log: ts.nullable(),
  total_logs: z.number().int(),
  logs_past_archive_age: z.number().int(),
  logs_past_retention: z.number().int(),
  last_cut: z.object({ through_seq: z.number().int(), cut_hash: z.string(), removed: z.number().int(), cutoff: ts, at: ts }).nullable(),
  active_legal_holds: z.number().int(),
});
const Enforcement = ok(
  z.object({
    org_id: z.string(),
    cutoff: ts,
    removed: z.number().int(),
    through_seq: z.number().int().nullable(),
    cut_hash: z.string().nullable(),
    stopped_by: z.enum(["unexpired_entry", "legal_hold", "chain_end", "already_cut"]),
    held_from_seq: z.number().int().nullable(),
  }),
);
const Hold = z.object({
  id: z.string(),
  scope: z.enum(HOLD_SCOPES),
  target: z.string().nullable(),
  reason: z.string(),
  status: z.enum(["active", "released"]),
  created_at: ts,
  created_by: z.string(),
  released_at: ts.nullable(),
  released_by: z.string().nullable(),
  release_reason: z.string().nullable(),
});
const tags = ["Analytics"];

registerRoute({
  method: "get", path: "/api/v1/audit/history", operationId: "getComplianceHistory", summary: "Compliance history (score, open issues, fixes) per day, week or month",
  description: "docs/analytics.md: whole calendar periods (ISO weeks) of `time_zone` (an IANA name, default UTC; plain-date from/to are that zone's days), carry-forward scores, open issues at period end.", tags, scope: "audit:read",
  query: HistoryQuerySchema, responses: { 200: { description: "The series and its summary.", schema: History } },
});
registerRoute({
  method: "get", path: "/api/v1/audit/statistics", operationId: "getAuditStatistics", summary: "Event counts by type, repository, actor type; top actors", tags, scope: "audit:read",
  query: StatisticsQuerySchema, responses: { 200: { description: "Statistics over [from, to].", schema: Statistics } },
});
registerRoute({
  method: "get", path: "/api/v1/audit/evidence/soc2", operationId: "getSoc2Evidence", summary: "SOC 2 evidence for one criterion",
  description: "Criteria → event types: lib/analytics/soc2-criteria.ts and docs/analytics.md. Unknown criteria → 400 listing the known ones.", tags, scope: "audit:export",
  query: Soc2QuerySchema, responses: { 200: { description: "Evidence items with counts and signed CSV artifacts.", schema: Soc2 } },
});
registerRoute({
  method: "get", path: "/api/v1/audit/evidence/artifacts", operationId: "downloadEvidenceArtifact", summary: "A SOC 2 evidence CSV behind a signed link", tags, scope: null,
  query: z.object({ subject: z.string(), expires: z.string(), sig: z.string() }),
  responses: { 200: { description: "RFC 4180 CSV of the matching events.", content: { "text/csv": {} } } }, errors: [410],
});
registerRoute({
  method: "get", path: "/api/v1/audit/retention", operationId: "getRetentionPolicy", summary: "Retention policy, storage used, oldest entry", tags, scope: "audit:read",
  responses: { 200: { description: "The policy and what it applies to.", schema: ok(RetentionData) } },
});
registerRoute({
  method: "put", path: "/api/v1/audit/retention", operationId: "updateRetentionPolicy", summary: "Change the retention policy (audited)", tags, scope: "admin",
  body: RetentionPolicyUpdateSchema, responses: { 200: { description: "The new policy and the changes.", schema: ok(RetentionData.extend({ changes: z.record(z.string(), z.object({ old: z.number(), new: z.number() })) })) } }, errors: [422],
});
registerRoute({
  method: "post", path: "/api/v1/audit/retention/enforce", operationId: "enforceRetention", summary: "Run retention enforcement for the org now", tags, scope: "admin",
  responses: { 200: { description: "What was removed and why the cut stopped there.", schema: Enforcement } },
});
registerRoute({
  method: "get", path: "/api/v1/audit/legal-holds", operationId: "listLegalHolds", summary: "Legal holds of the org", tags, scope: "audit:read",
  query: z.object({ status: z.enum(["active", "released"]).optional() }), responses: { 200: { description: "Newest first.", schema: ok(z.array(Hold)) } },
});
registerRoute({
  method: "post", path: "/api/v1/audit/legal-holds", operationId: "createLegalHold", summary: "Place a legal hold (audited)", tags, scope: "admin",
  body: CreateLegalHoldSchema, responses: { 201: { description: "The hold.", schema: ok(Hold) } }, errors: [422],
});
registerRoute({
  method: "post", path: "/api/v1/audit/legal-holds/{id}/release", operationId: "releaseLegalHold", summary: "Release a legal hold (audited)", tags, scope: "admin",
  params: z.object({ id: z.string() }), body: ReleaseLegalHoldSchema, responses: { 200: { description: "The released hold.", schema: ok(Hold) } }, errors: [404, 409, 422],
});
