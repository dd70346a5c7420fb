import type { SqlExecutor } from "../db/sql";
import { appendEventsInTx, type AppendResult } from "./append-events";
import type { EventInput } from "./event-schema";

/**
 * Writes one event that the service itself produces, in the caller's transaction `tx`, so it commits
 * with the change it records. Administrative actions go through withAuditedChange
 * (lib/audit/audit-change.ts), which opens that transaction.
 */
export async function recordEvent(opts: { tx: SqlExecutor; orgId: string; event: EventInput }): Promise<AppendResult> {
  const [result] = await appendEventsInTx({ tx: opts.tx, orgId: opts.orgId, events: [opts.event], fieldPrefix: "" });
  return result!;
}
