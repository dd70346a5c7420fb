import type { SqlExecutor } from "../db/sql";
import type { StoredEvent } from "./event-schema";
import { F, getEvent, listEvents } from "./query-events";

export interface EntryContext {
  event: StoredEvent;
  /** The chain neighbours (seq - 1 and seq + 1) in the same org, when they exist. */
  previous: { id: string; seq: number } | null;
  next: { id: string; seq: number } | null;
  /** Other events on the same resource, newest first (at most `timelineLimit`). */
  timeline: StoredEvent[];
}

/** One entry with what its page shows around it: chain neighbours and the resource's timeline. */
export async function getEntryContext(opts: { sql: SqlExecutor; orgId: string; id: string; timelineLimit?: number }): Promise<EntryContext | null> {
  const event = await getEvent(opts);
  if (!event) return null;
  const [neighbours, timeline] = await Promise.all([
    opts.sql.query<{ id: string; seq: number }>(`SELECT id, seq FROM audit_events WHERE org_id = $1 AND seq IN ($2, $3)`, [opts.orgId, event.seq - 1, event.seq + 1]),
    listEvents({ sql: opts.sql, orgId: opts.orgId, filter: { where: F.and(F.in("resource.type", event.resource.type), F.in("resource.id", event.resource.id)) }, limit: opts.timelineLimit ?? 50 }),
  ]);
  const at = (seq: number) => {
    const r = neighbours.find((n) => Number(n.seq) === seq);
    return r ? { id: r.id, seq: Number(r.seq) } : null;
  };
  return { event, previous: at(event.seq - 1), next: at(event.seq + 1), timeline };
}
