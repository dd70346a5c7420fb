/**
 * AMP dialect (`/v1/audit_logs`): the seed's envelope, offset paging and filters, mapped onto the
 * shared queries (lib/audit/query-events.ts). See docs/api.md for the mapping table.
 */
import { z } from "zod";
import type { StoredEvent } from "@/lib/audit/event-schema";
import type { EventFilter } from "@/lib/audit/query-events";
import { parseTimeRange } from "@/lib/audit/time-bounds";
import { intParam } from "@/lib/http/query-params";

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

export function toAmpEntry(e: StoredEvent): z.infer<typeof AmpEntry> {
  const changes = e.changes && Object.keys(e.changes).length > 0 ? Object.entries(e.changes) : undefined;
  return {
    event: e.action.slice(e.action.lastIndexOf(".") + 1),
    audit_log_type: e.resource.type,
    audit_log_id: e.resource.id,
    audit_log_user: e.actor.email ?? e.actor.id,
    created_at: `${new Date(e.timestamp).toISOString().slice(0, 19)}Z`,
    ...(changes && {
      old_attributes: Object.fromEntries(changes.map(([k, c]) => [k, c.old ?? null])),
      new_attributes: Object.fromEntries(changes.map(([k, c]) => [k, c.new ?? null])),
    }),
  };
}

export function toAmpFilter(q: AmpListQuery): EventFilter {
  const range = parseTimeRange({ from: q.start_time, to: q.end_time }, { from: "start_time", to: "end_time" });
  return {
    resourceType: q.audit_log_type,
    resourceId: q.audit_log_id,
    actionLastSegment: q.event,
    actor: q.audit_log_user,
    ...range,
  };
}

/** The seed's envelope: `links.self` is this request's URL; `links.next` only when more exist. */
export function toAmpList(opts: { url: URL; q: AmpListQuery; rows: StoredEvent[]; total: number }): z.infer<typeof AmpList> {
  const { url, q, rows, total } = opts;
  let next: string | undefined;
  if (q.offset + rows.length < total) {
    const n = new URL(url);
    n.searchParams.set("offset", String(q.offset + q.limit));
    next = n.toString();
  }
  return {
    version: AMP_VERSION,
    metadata: {
      links: { self: url.toString(), ...(next && { next }) },
      results: { total, current_item_count: rows.length, index: q.offset, items_per_page: q.limit },
    },
    data: rows.map(toAmpEntry),
  };
}
