import type { SqlClient } from "../db/sql";
import { appendEvents, type AppendResult } from "./append-events";
import type { EventInput } from "./event-schema";

/** Writes one event that the service itself produces (admin actions, sign-ins, exports). */
export async function recordEvent(opts: { sql: SqlClient; orgId: string; event: EventInput }): Promise<AppendResult> {
  const [result] = await appendEvents({ sql: opts.sql, orgId: opts.orgId, events: [opts.event], fieldPrefix: "" });
  return result!;
}
