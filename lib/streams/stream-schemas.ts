import { z } from "zod";

/** Request and answer shapes of the streams API (issue 13); the routes parse with these and OpenAPI documents them. */
export const DESTINATION_TYPES = ["webhook", "splunk_hec", "datadog", "syslog"] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

export const DEFAULT_DATADOG_URL = "https://http-intake.logs.datadoghq.com/api/v2/logs";

const HttpUrl = z
  .string()
  .max(2048, "at most 2048 characters")
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === "https:" || u.protocol === "http:") && u.hostname !== "" && !u.username && !u.password;
    } catch {
      return false;
    }
  }, "must be an absolute http(s) URL without credentials")
  .describe("https:// (http:// only with AUDIT_STREAMS_ALLOW_PRIVATE=1).");
const Token = z.string().min(1, "must not be empty").max(1024, "at most 1024 characters").regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces");
const Label = z.string().min(1).max(128).regex(/^[A-Za-z0-9._:/@-]+$/, "letters, digits and . _ : / @ - only");

export const WebhookDestination = z.object({ type: z.literal("webhook"), url: HttpUrl }).strict();
export const SplunkDestination = z
  .object({
    type: z.literal("splunk_hec"),
    url: HttpUrl.describe("The HEC base URL (https://splunk:8088) or its /services/collector/event endpoint."),
    token: Token.describe("HEC token (sent as `Authorization: Splunk <token>`; stored encrypted, never shown again)."),
    index: Label.optional(),
    sourcetype: Label.optional(),
  })
  .strict();
export const DatadogDestination = z
  .object({
    type: z.literal("datadog"),
    url: HttpUrl.optional().describe(`Logs intake endpoint (default ${DEFAULT_DATADOG_URL}).`),
    token: Token.describe("Datadog API key (sent as `DD-API-KEY`; stored encrypted, never shown again)."),
    service: Label.optional(),
    tags: z.array(z.string().min(1).max(200).regex(/^[^,\s]+$/, "no commas or spaces")).max(20).optional(),
  })
  .strict();
export const SyslogDestination = z
  .object({
    type: z.literal("syslog"),
    host: z.string().min(1).max(253).regex(/^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+|[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?)$/, "a host name or IP address"),
    port: z.number().int().min(1).max(65535),
    tls: z.boolean().optional().describe("TLS (RFC 5425); default false (plain TCP, RFC 6587 octet counting)."),
  })
  .strict();
export const DestinationInput = z.discriminatedUnion("type", [WebhookDestination, SplunkDestination, DatadogDestination, SyslogDestination]);
export type DestinationInput = z.infer<typeof DestinationInput>;

/** A destination as stored and shown: no secrets. */
export interface DestinationView {
  type: DestinationType;
  url?: string;
  host?: string;
  port?: number;
  tls?: boolean;
  index?: string;
  sourcetype?: string;
  service?: string;
  tags?: string[];
}

const Query = z.string().max(2000, "at most 2000 characters").describe("Filter in the explorer's query language (docs: README, Explorer); empty = every event.");

export const CreateStreamSchema = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(100, "at most 100 characters"),
    destination: DestinationInput,
    query: Query.optional(),
    start: z.enum(["now", "beginning"]).optional().describe("Where the cursor starts: after the newest event (default) or before the first."),
  })
  .strict();
export type CreateStream = z.infer<typeof CreateStreamSchema>;

export const UpdateStreamSchema = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(100, "at most 100 characters").optional(),
    status: z.enum(["active", "paused"]).optional().describe("paused stops delivery (the cursor stays); active resumes from the cursor."),
    query: Query.optional(),
    destination: DestinationInput.optional().describe("Replaces the destination (a token must be given again)."),
    rotate_secret: z.literal(true).optional().describe("Webhook: make a new signing secret (shown once in the answer)."),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: "give at least one of name, status, query, destination, rotate_secret", path: [] });
export type UpdateStream = z.infer<typeof UpdateStreamSchema>;

export const ReplayStreamSchema = z
  .object({
    from_seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
    from_time: z.string().max(64).optional().describe("RFC 3339 date-time: replay from the first event received at or after it."),
  })
  .strict()
  .refine((v) => (v.from_seq === undefined) !== (v.from_time === undefined), { message: "give exactly one of from_seq and from_time", path: ["from_seq"] });
export type ReplayStream = z.infer<typeof ReplayStreamSchema>;

export const StreamStatus = z.enum(["active", "paused", "failing"]);
export const StreamJson = z.object({
  id: z.string(),
  name: z.string(),
  destination: z.object({
    type: z.enum(DESTINATION_TYPES),
    url: z.string().optional(),
    host: z.string().optional(),
    port: z.number().optional(),
    tls: z.boolean().optional(),
    index: z.string().optional(),
    sourcetype: z.string().optional(),
    service: z.string().optional(),
    tags: z.array(z.string()).optional(),
    secret_set: z.boolean().describe("A secret (webhook signing secret or token) is stored (encrypted); it is never shown again."),
  }),
  query: z.string(),
  status: StreamStatus,
  pause_reason: z.string().nullable(),
  cursor_seq: z.number().describe("Last acknowledged seq: every event up to it was delivered (or filtered out)."),
  head_seq: z.number().describe("The org's newest seq."),
  lag_events: z.number().describe("head_seq − cursor_seq."),
  lag_seconds: z.number().describe("Age of the oldest event not yet delivered (0 when caught up)."),
  last_success_at: z.string().nullable(),
  last_error: z.string().nullable(),
  last_error_at: z.string().nullable(),
  failing_since: z.string().nullable(),
  next_attempt_at: z.string().nullable(),
  deliveries: z.number(),
  events_delivered: z.number(),
  deliveries_per_second: z.number(),
  created_at: z.string(),
  updated_at: z.string(),
  created_by: z.string(),
});
export type StreamJson = z.infer<typeof StreamJson>;

export const StreamCreatedJson = StreamJson.extend({
  secret: z.string().nullable().describe("Webhook only: the HMAC-SHA256 signing secret, shown once."),
});

export const StreamTestResult = z.object({
  delivered: z.boolean(),
  status: z.number().nullable().describe("HTTP status (null for syslog or when no answer came)."),
  duration_ms: z.number(),
  error: z.string().nullable(),
  delivery_id: z.string(),
});
export type StreamTestResult = z.infer<typeof StreamTestResult>;
