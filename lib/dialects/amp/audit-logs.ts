/**
 * AMP dialect (`/v1/audit_logs`): the seed's envelope, offset paging and filters, mapped onto the
 * shared queries (lib/audit/query-events.ts). See docs/api.md for the mapping table.
 */
import type { StoredEvent } from "../../audit/event-schema";
import { F, type EventFilter } from "../../audit/query-events";
import { parseTimeRange } from "../../audit/time-bounds";
import { AMP_VERSION, type AmpEntry, type AmpList, type AmpListQuery } from "./audit-logs.types";

export { AMP_VERSION, AmpListQuery } from "./audit-logs.types";

export function toAmpEntry(e: StoredEvent): AmpEntry {
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
    ...range,
    where: F.and(
      F.eq("resource.type", q.audit_log_type),
      F.eq("resource.id", q.audit_log_id),
      // `event` is the action's last dotted segment.
      q.event === undefined ? undefined : F.or(F.in("action", q.event), F.like("action", `*.${q.event}`)),
      q.audit_log_user === undefined ? undefined : F.actor(q.audit_log_user),
    ),
  };
}

/** The seed's envelope: `links.self` is this request's URL; `links.next` only when more exist. */
export function toAmpList(opts: { url: URL; q: AmpListQuery; rows: StoredEvent[]; total: number }): AmpList {
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
