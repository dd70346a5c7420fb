/**
 * AMP dialect (`GET /v1/audit_logs`): request and response schemas. The route parses with
 * AmpListQuery; audit-logs.ts maps the canonical entry to AmpList (typed from it); register-openapi.ts
 * documents both; tests/integration/openapi.test.ts checks real answers against them.
 */
import { z } from "zod";
import { intParam } from "../../http/query-params";

export const AMP_VERSION = "v1.2.0";
const text = z.string().min(1, "must not be empty").max(512, "at most 512 characters");

export const AmpListQuery = z.object({
  audit_log_type: text.optional().describe("Resource type, e.g. User, Computer, Group."),
  audit_log_id: text.optional().describe("Resource id."),
  event: text.optional().describe("Last dotted segment of the action: create, update, login…"),
  start_time: z.string().optional().describe("ISO 8601, e.g. 2015-10-01T00:00:00+00:00 (inclusive)."),
  end_time: z.string().optional().describe("ISO 8601, e.g. 2018-10-01T00:00:00+00:00 (inclusive)."),
  audit_log_user: text.optional().describe("The actor's email, or its id when it has none."),
  limit: intParam("limit", 1, 500).default(500).describe("1–500, default 500."),
  offset: intParam("offset", 0, 100_000_000).default(0).describe("Entries to skip."),
});
export type AmpListQuery = z.infer<typeof AmpListQuery>;

const Attributes = z.record(z.string(), z.unknown());
export const AmpEntry = z.object({
  event: z.string(),
  audit_log_type: z.string(),
  audit_log_id: z.string(),
  audit_log_user: z.string(),
  created_at: z.string().describe("ISO 8601 to the second, e.g. 2022-03-18T11:40:03Z."),
  old_attributes: Attributes.optional(),
  new_attributes: Attributes.optional(),
});
export const AmpList = z.object({
  version: z.string(),
  metadata: z.object({
    links: z.object({ self: z.string(), next: z.string().optional() }),
    results: z.object({ total: z.number().int(), current_item_count: z.number().int(), index: z.number().int(), items_per_page: z.number().int() }),
  }),
  data: z.array(AmpEntry),
});
export type AmpEntry = z.infer<typeof AmpEntry>;
export type AmpList = z.infer<typeof AmpList>;
