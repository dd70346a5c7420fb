/**
 * ComplianceAgent dialect (`/api/v1/audit/*`): the canonical shape. A thin mapping over the shared
 * queries in lib/audit; see docs/api.md for the field-by-field table.
 */
import { actionPattern } from "../../audit/action-pattern";
import type { StoredEvent } from "../../audit/event-schema";
import { F, type EventFilter } from "../../audit/query-events";
import { parseTimeRange } from "../../audit/time-bounds";
import type { EntryBase, ListEntry, SingleEntry } from "./logs.types";

export { ListQuerySchema } from "./logs.types";

// Built member by member in the seed's key order (optional members only when truthy), not with
// conditional spreads: a list page maps 50 entries per request and spreads cost twice the CPU.
const orderedActor = (a: StoredEvent["actor"]): EntryBase["actor"] => {
  const o: EntryBase["actor"] = { type: a.type, id: a.id };
  if (a.email) o.email = a.email;
  if (a.name) o.name = a.name;
  return o;
};

function base<T extends EntryBase>(e: StoredEvent): T {
  const b: Partial<EntryBase> = { id: e.id, event_type: e.action, actor: orderedActor(e.actor), resource: e.resource };
  if (e.repository) b.repository = e.repository;
  b.details = e.details ?? {};
  if (e.changes) b.changes = e.changes;
  return b as T;
}

/** A list entry, as the seed's "Get Audit Logs" response. */
export function toListEntry(e: StoredEvent): ListEntry {
  const entry = base<ListEntry>(e);
  if (e.ip_address) entry.ip_address = e.ip_address;
  if (e.user_agent) entry.user_agent = e.user_agent;
  entry.timestamp = e.timestamp;
  return entry;
}

/** A single entry, as the seed's "Get Single Log Entry" response (plus seq and received_at). */
export function toSingleEntry(e: StoredEvent): SingleEntry {
  return {
    ...base<EntryBase>(e),
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

/** `event_type` takes one name, a comma-separated list, or a `prefix.*` pattern. */
export function toFilter(q: { repository_id?: string; event_type?: string; actor?: string; from?: string; to?: string }): EventFilter {
  const range = parseTimeRange(q);
  return { ...range, where: F.and(F.eq("repository.id", q.repository_id), q.actor === undefined ? undefined : F.actor(q.actor), actionPattern(q.event_type, { list: true })) };
}
