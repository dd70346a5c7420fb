/**
 * OpenAPI registrations of the streams and alert-rules API (issue 13). Request schemas are the
 * ones the routes parse with. One line in lib/openapi/routes/index.ts imports this module.
 */
import { z } from "zod";
import { AlertRuleCreatedJson, AlertRuleJson, CreateAlertRuleSchema, UpdateAlertRuleSchema } from "../alerts/alert-schemas";
import { registerRoute } from "../openapi/registry";
import { CreateStreamSchema, ReplayStreamSchema, StreamCreatedJson, StreamJson, StreamTestResult, UpdateStreamSchema } from "./stream-schemas";

const ok = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data });
const IdParam = z.object({ id: z.string() });
const Deleted = ok(z.object({ id: z.string(), deleted: z.literal(true) }));
const security: ("bearer" | "basic" | "session")[] = ["bearer", "session"];
const streams = ["Streams"];
const alerts = ["Alert rules"];

registerRoute({
  method: "post",
  path: "/api/v1/streams",
  operationId: "createStream",
  summary: "Create a log stream (webhook, Splunk HEC, Datadog, syslog)",
  description:
    "The stream delivers the org's events after its cursor, in seq order, at least once (docs/streams.md). `start`: `now` (default: events after the newest) or `beginning`. A webhook's HMAC secret is in this answer only. Loopback/private destinations are refused unless AUDIT_STREAMS_ALLOW_PRIVATE=1; link-local always. Audited as `stream.created`.",
  tags: streams,
  scope: "admin",
  security,
  body: CreateStreamSchema,
  responses: { 201: { description: "Created (secret shown once).", schema: ok(StreamCreatedJson) } },
});
registerRoute({
  method: "get",
  path: "/api/v1/streams",
  operationId: "listStreams",
  summary: "The org's streams with status, cursor, lag, last success/error and deliveries/s",
  tags: streams,
  scope: "admin",
  security,
  responses: { 200: { description: "Streams, oldest first.", schema: ok(z.array(StreamJson)) } },
});
registerRoute({
  method: "get",
  path: "/api/v1/streams/{id}",
  operationId: "getStream",
  summary: "One stream",
  tags: streams,
  scope: "admin",
  security,
  params: IdParam,
  responses: { 200: { description: "The stream.", schema: ok(StreamJson) } },
  errors: [404],
});
registerRoute({
  method: "patch",
  path: "/api/v1/streams/{id}",
  operationId: "updateStream",
  summary: "Pause, resume (from the cursor), rename, refilter, re-target, rotate the webhook secret",
  description: "Audited with old/new values (`stream.paused`, `stream.resumed` or `stream.updated`). A rotated or new webhook secret is in this answer only.",
  tags: streams,
  scope: "admin",
  security,
  params: IdParam,
  body: UpdateStreamSchema,
  responses: { 200: { description: "The stream after the change.", schema: ok(StreamJson.extend({ secret: z.string().optional() })) } },
  errors: [404],
});
registerRoute({
  method: "delete",
  path: "/api/v1/streams/{id}",
  operationId: "deleteStream",
  summary: "Delete a stream (audited as stream.deleted)",
  tags: streams,
  scope: "admin",
  security,
  params: IdParam,
  responses: { 200: { description: "Deleted.", schema: Deleted } },
  errors: [404],
});
registerRoute({
  method: "post",
  path: "/api/v1/streams/{id}/replay",
  operationId: "replayStream",
  summary: "Deliver again from a seq or a time",
  description: "Sets the cursor to `from_seq − 1`, or before the first event received at or after `from_time`. Audited as `stream.replayed` with the old/new cursor.",
  tags: streams,
  scope: "admin",
  security,
  params: IdParam,
  body: ReplayStreamSchema,
  responses: { 200: { description: "The stream with its new cursor.", schema: ok(StreamJson) } },
  errors: [404],
});
registerRoute({
  method: "post",
  path: "/api/v1/streams/{id}/test",
  operationId: "testStream",
  summary: "Send a test event now",
  description: "A synthetic `stream.test` event (seq 0, header `X-Audit-Test: 1`), signed like any delivery. The cursor does not move.",
  tags: streams,
  scope: "admin",
  security,
  params: IdParam,
  responses: { 200: { description: "What the destination answered.", schema: ok(StreamTestResult) } },
  errors: [404],
});

registerRoute({
  method: "post",
  path: "/api/v1/alert-rules",
  operationId: "createAlertRule",
  summary: "Create an alert rule (saved query + target + throttle)",
  description: "When new events match, one notification per `throttle_seconds` window with the count, the first matching events and an explorer link. Audited as `alert_rule.created`; each firing as `alert.fired`.",
  tags: alerts,
  scope: "admin",
  security,
  body: CreateAlertRuleSchema,
  responses: { 201: { description: "Created (a webhook target's secret shown once).", schema: ok(AlertRuleCreatedJson) } },
});
registerRoute({
  method: "get",
  path: "/api/v1/alert-rules",
  operationId: "listAlertRules",
  summary: "The org's alert rules with their recent firings",
  tags: alerts,
  scope: "admin",
  security,
  responses: { 200: { description: "Rules, oldest first.", schema: ok(z.array(AlertRuleJson)) } },
});
registerRoute({
  method: "get",
  path: "/api/v1/alert-rules/{id}",
  operationId: "getAlertRule",
  summary: "One alert rule with its last 20 firings",
  tags: alerts,
  scope: "admin",
  security,
  params: IdParam,
  responses: { 200: { description: "The rule.", schema: ok(AlertRuleJson) } },
  errors: [404],
});
registerRoute({
  method: "patch",
  path: "/api/v1/alert-rules/{id}",
  operationId: "updateAlertRule",
  summary: "Change an alert rule (audited as alert_rule.updated with old/new values)",
  tags: alerts,
  scope: "admin",
  security,
  params: IdParam,
  body: UpdateAlertRuleSchema,
  responses: { 200: { description: "The rule after the change.", schema: ok(AlertRuleJson.extend({ secret: z.string().optional() })) } },
  errors: [404],
});
registerRoute({
  method: "delete",
  path: "/api/v1/alert-rules/{id}",
  operationId: "deleteAlertRule",
  summary: "Delete an alert rule (audited as alert_rule.deleted)",
  tags: alerts,
  scope: "admin",
  security,
  params: IdParam,
  responses: { 200: { description: "Deleted.", schema: Deleted } },
  errors: [404],
});
