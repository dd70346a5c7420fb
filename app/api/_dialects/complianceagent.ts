/**
 * ComplianceAgent dialect (`/api/v1/audit/*`): the canonical shape. A thin mapping over the shared
 * queries in lib/audit; see docs/api.md for the field-by-field table.
 */
import { z } from "zod";
import type { StoredEvent } from "@/lib/audit/event-schema";
import type { EventFilter } from "@/lib/audit/query-events";
import { parseTimeRange } from "@/lib/audit/time-bounds";
import { intParam } from "@/lib/http/query-params";

const orderedActor = (a: StoredEvent["actor"]) => ({ type: a.type, id: a.id, ...(a.email && { email: a.email }), ...(a.name && { name: a.name }) });

/** A list entry, as the seed's "Get Audit Logs" response. */
export function toListEntry(e: StoredEvent) {
  return {
    id: e.id,
    event_type: e.action,
    actor: orderedActor(e.actor),
    resource: e.resource,
    ...(e.repository && { repository: e.repository }),
    details: e.details ?? {},
    ...(e.changes && { changes: e.changes }),
    ...(e.ip_address && { ip_address: e.ip_address }),
    ...(e.user_agent && { user_agent: e.user_agent }),
    timestamp: e.timestamp,
  };
}

/** A single entry, as the seed's "Get Single Log Entry" response (plus seq and received_at). */
export function toSingleEntry(e: StoredEvent) {
  return {
    id: e.id,
    event_type: e.action,
    actor: orderedActor(e.actor),
    resource: e.resource,
    ...(e.repository && { repository: e.repository }),
    details: e.details ?? {},
    ...(e.changes && { changes: e.changes }),
    metadata: {
      ...(e.ip_address && { ip_address: e.ip_address }),
      ...(e.user_agent && { user_agent: e.user_agent }),
      ...(e.session_id && { session_id: e.session_id }),
      ...(e.request_id && { request_id: e.request_id }),
    },
    timestamp: e.timestamp,
    received_at: e.received_at,
    seq: e.seq,
    hash: e.hash,
    previous_hash: e.previous_hash,
  };
}

export const ListQuerySchema = z.object({
  repository_id: z.string().min(1).max(256).optional(),
  event_type: z.string().min(1).max(512).optional(),
  actor: z.string().min(1).max(320).optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  page: intParam("page", 1, 1_000_000).default(1),
  limit: intParam("limit", 1, 1000).default(50),
});

/** `event_type` takes one name, a comma-separated list, or a `prefix.*` pattern. */
export function toFilter(q: { repository_id?: string; event_type?: string; actor?: string; from?: string; to?: string }): EventFilter {
  const range = parseTimeRange(q);
  const filter: EventFilter = { repositoryId: q.repository_id, actor: q.actor, ...range };
  if (q.event_type?.endsWith(".*")) filter.actionPrefix = q.event_type.slice(0, -1);
  else if (q.event_type) filter.actions = q.event_type.split(",").map((s) => s.trim()).filter(Boolean);
  return filter;
}
