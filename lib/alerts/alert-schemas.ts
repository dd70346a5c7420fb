import { z } from "zod";

/** Request and answer shapes of the alert rules API (issue 13). */
const Url = z
  .string()
  .max(2048, "at most 2048 characters")
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === "https:" || u.protocol === "http:") && u.hostname !== "" && !u.username && !u.password;
    } catch {
      return false;
    }
  }, "must be an absolute http(s) URL without credentials");

export const AlertTargetInput = z.discriminatedUnion("type", [
  z.object({ type: z.literal("stream"), stream_id: z.string().min(1).max(100) }).strict(),
  z.object({ type: z.literal("webhook"), url: Url.describe("Receives one signed JSON notification per window (an e-mail relay, a chat webhook…).") }).strict(),
]);
export type AlertTargetInput = z.infer<typeof AlertTargetInput>;

const Query = z.string().trim().min(1, "must not be empty").max(2000, "at most 2000 characters").describe("The saved query (explorer query language).");
const Throttle = z.number().int().min(1, "at least 1 second").max(7 * 86400, "at most 7 days").describe("Window: at most one notification per this many seconds.");

export const CreateAlertRuleSchema = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(100, "at most 100 characters"),
    query: Query,
    target: AlertTargetInput,
    throttle_seconds: Throttle.optional().describe("Default 300."),
    enabled: z.boolean().optional(),
  })
  .strict();
export type CreateAlertRule = z.infer<typeof CreateAlertRuleSchema>;

export const UpdateAlertRuleSchema = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(100, "at most 100 characters").optional(),
    query: Query.optional(),
    target: AlertTargetInput.optional(),
    throttle_seconds: Throttle.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: "give at least one of name, query, target, throttle_seconds, enabled", path: [] });
export type UpdateAlertRule = z.infer<typeof UpdateAlertRuleSchema>;

export const AlertFiringJson = z.object({
  id: z.string(),
  fired_at: z.string(),
  count: z.number(),
  from_seq: z.number(),
  to_seq: z.number(),
  delivered: z.boolean(),
  error: z.string().nullable(),
});

export const AlertRuleJson = z.object({
  id: z.string(),
  name: z.string(),
  query: z.string(),
  target: z.object({ type: z.enum(["stream", "webhook"]), stream_id: z.string().optional(), url: z.string().optional(), secret_set: z.boolean() }),
  throttle_seconds: z.number(),
  enabled: z.boolean(),
  cursor_seq: z.number(),
  pending_count: z.number().describe("Matches waiting for the next window."),
  last_fired_at: z.string().nullable(),
  firings: z.number(),
  last_error: z.string().nullable(),
  recent_firings: z.array(AlertFiringJson),
  created_at: z.string(),
  updated_at: z.string(),
  created_by: z.string(),
});
export type AlertRuleJson = z.infer<typeof AlertRuleJson>;

export const AlertRuleCreatedJson = AlertRuleJson.extend({
  secret: z.string().nullable().describe("Webhook target only: the HMAC-SHA256 signing secret of notifications, shown once."),
});
