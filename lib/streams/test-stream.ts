import { formatTimestamp } from "../audit/format-timestamp";
import type { Actor } from "../audit/event-schema";
import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import { formatDelivery, newDeliveryId, type Delivery } from "./format-delivery";
import { openSecret } from "./secret-box";
import { sendDelivery } from "./send-delivery";
import { destinationOf, selectStream } from "./stream-rows";
import type { StreamTestResult } from "./stream-schemas";

/**
 * Sends one synthetic event (`action: "stream.test"`, `seq: 0`, no hash, header `X-Audit-Test: 1`)
 * to the stream's destination now, signed like any delivery, and says what came back. The cursor
 * does not move and nothing is written to the log.
 */
export async function testStream(opts: { db: Database; orgId: string; id: string; actor: Actor }): Promise<StreamTestResult> {
  const row = await selectStream(opts.db.sql, opts.orgId, opts.id);
  if (!row) throw new AppError("not_found", `stream "${opts.id}" not found`);
  const org = row.org_slug ?? opts.orgId;
  const now = formatTimestamp(new Date());
  const delivery: Delivery = {
    id: newDeliveryId(),
    streamId: row.id,
    org,
    test: true,
    seqFrom: 0,
    seqTo: 0,
    events: [
      {
        org,
        seq: 0,
        id: `test-${Date.now()}`,
        timestamp: now,
        received_at: now,
        action: "stream.test",
        actor: { ...opts.actor },
        resource: { type: "stream", id: row.id, name: row.name },
        details: { test: true, message: "A test event from Audit Trail: this stream's destination works." },
        hash: null,
        previous_hash: null,
      },
    ],
  };
  let secret: string | null;
  try {
    secret = row.secret_box ? openSecret(row.secret_box) : null;
  } catch (e) {
    return { delivered: false, status: null, duration_ms: 0, error: (e as Error).message, delivery_id: delivery.id };
  }
  const r = await sendDelivery(formatDelivery(destinationOf(row), secret, delivery));
  return { delivered: r.ok, status: r.status, duration_ms: r.durationMs, error: r.error, delivery_id: delivery.id };
}
