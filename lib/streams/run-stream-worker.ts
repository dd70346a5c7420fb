import crypto from "node:crypto";
import { withAuditedChange } from "../audit/audit-change";
import type { Database } from "../db/open-database";
import { formatDelivery } from "./format-delivery";
import { readStreamBatch } from "./read-stream-batch";
import { openSecret } from "./secret-box";
import { sendDelivery, type SendResult } from "./send-delivery";
import { getStreamConfig } from "./stream-config";
import { destinationOf, type StreamRow } from "./stream-rows";

export const SYSTEM_ACTOR = { id: "audit-trail", type: "system" as const, name: "Audit Trail" };

export function newStreamWorkerId(): string {
  return `sw_${process.pid}_${crypto.randomBytes(4).toString("hex")}`;
}

/** How long a claim holds a stream: two delivery timeouts and a second, renewed with every acknowledgement. */
export function leaseMs(): number {
  return getStreamConfig().AUDIT_STREAMS_TIMEOUT_MS * 2 + 1000;
}

/**
 * Claims one due stream for this worker: active, due (next_attempt_at), and not leased by another
 * worker (or leased by one that stopped renewing: a crashed instance). FOR UPDATE SKIP LOCKED makes
 * concurrent workers of any number of instances pick different streams; the lease (worker_id,
 * lease_until) then keeps it theirs, and fences every cursor update.
 */
export async function claimStream(opts: { db: Database; workerId: string }): Promise<(StreamRow & { org_slug: string }) | null> {
  const rows = await opts.db.sql.query<StreamRow & { org_slug: string }>(
    `WITH picked AS (
       SELECT org_id, id FROM audit_streams
       WHERE status = 'active' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
       ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
     UPDATE audit_streams s SET worker_id = $1, lease_until = now() + ($2::int8 * interval '1 millisecond')
     FROM picked p WHERE s.org_id = p.org_id AND s.id = p.id
     RETURNING s.*, (SELECT o.slug FROM orgs o WHERE o.id = s.org_id) AS org_slug`,
    [opts.workerId, leaseMs()],
  );
  return rows[0] ?? null;
}

/** Backoff after `failures` consecutive failures: base·2^(failures−1), capped, full jitter in [50 %, 100 %]. */
export function backoffMs(failures: number, random = Math.random): number {
  const cfg = getStreamConfig();
  const exp = Math.min(cfg.AUDIT_STREAMS_BACKOFF_MAX_MS, cfg.AUDIT_STREAMS_BACKOFF_BASE_MS * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return Math.round(exp * (0.5 + 0.5 * random()));
}

export interface RunStreamResult {
  delivered: number;
  events: number;
  outcome: "caught_up" | "failed" | "lost" | "paused" | "yield";
}

/**
 * Runs a claimed stream: delivers batch after batch from its cursor, in order, and moves the
 * cursor after each acknowledgement (fenced by the lease: a replay or a takeover makes the update
 * miss, and the worker stops). Stops when caught up (due again after the poll interval), after a
 * failure (due again after the backoff or Retry-After; paused with a reason once it has failed for
 * AUDIT_STREAMS_PAUSE_AFTER_SECONDS), or after `budgetMs` so other streams get their turn.
 */
export async function runStream(opts: { db: Database; stream: StreamRow & { org_slug: string }; workerId: string; budgetMs?: number; log?: (line: string) => void }): Promise<RunStreamResult> {
  const { db, stream, workerId } = opts;
  const cfg = getStreamConfig();
  const log = opts.log ?? (() => undefined);
  const started = Date.now();
  const budget = opts.budgetMs ?? 5000;
  let cursor = Number(stream.cursor_seq);
  let delivered = 0;
  let eventsSent = 0;
  const dest = destinationOf(stream);
  let secret: string | null = null;
  try {
    secret = stream.secret_box ? openSecret(stream.secret_box) : null;
  } catch (e) {
    await recordFailure({ db, stream, workerId, result: { ok: false, status: null, error: (e as Error).message, durationMs: 0 }, log });
    return { delivered, events: eventsSent, outcome: "failed" };
  }
  for (;;) {
    // PGlite answers in-process: without a macrotask turn, a busy loop here could keep the event
    // loop from polling sockets (this instance's HTTP requests and other loops' deliveries).
    await new Promise<void>((resolve) => setImmediate(resolve));
    const batch = await readStreamBatch({ sql: db.sql, orgId: stream.org_id, orgSlug: stream.org_slug, streamId: stream.id, query: stream.query, cursor });
    if (!batch) {
      await db.sql.query(
        `UPDATE audit_streams SET worker_id = NULL, lease_until = NULL, next_attempt_at = now() + ($4::int8 * interval '1 millisecond')
         WHERE org_id = $1 AND id = $2 AND worker_id = $3`,
        [stream.org_id, stream.id, workerId, cfg.AUDIT_STREAMS_POLL_MS],
      );
      return { delivered, events: eventsSent, outcome: "caught_up" };
    }
    let result: SendResult = { ok: true, status: null, error: null, durationMs: 0 };
    if (batch.events.length) result = await sendDelivery(formatDelivery(dest, secret, batch));
    if (!result.ok) {
      await recordFailure({ db, stream, workerId, result, log });
      return { delivered, events: eventsSent, outcome: "failed" };
    }
    const sent = batch.events.length ? 1 : 0;
    const acked = await db.sql.query<{ status: string }>(
      // Inside CASE the transaction time is c.t (= now(), from a subselect): Citus refuses a
      // non-IMMUTABLE function inside CASE/COALESCE of an UPDATE, and a STABLE one (timestamptz +
      // interval) applied to a column, so c.t appears only bare or in immutable arithmetic.
      `UPDATE audit_streams s SET cursor_seq = $5,
         lease_until = now() + ($6::int8 * interval '1 millisecond'),
         failures = 0, failing_since = NULL,
         last_success_at = CASE WHEN $7::int4 > 0 THEN c.t ELSE s.last_success_at END,
         deliveries = s.deliveries + $7::int4, events_delivered = s.events_delivered + $8::int4,
         rate_previous = CASE WHEN c.t - s.rate_since > interval '60 seconds' THEN s.rate_count / greatest(1, extract(epoch FROM c.t - s.rate_since)) ELSE s.rate_previous END,
         rate_count = CASE WHEN c.t - s.rate_since > interval '60 seconds' THEN $7::int4 ELSE s.rate_count + $7::int4 END,
         rate_since = CASE WHEN c.t - s.rate_since > interval '60 seconds' THEN c.t ELSE s.rate_since END
       FROM (SELECT now() AS t) c
       WHERE s.org_id = $1 AND s.id = $2 AND s.worker_id = $3 AND s.cursor_seq = $4
       RETURNING s.status`,
      [stream.org_id, stream.id, workerId, cursor, batch.seqTo, leaseMs(), sent, batch.events.length],
    );
    if (acked.length === 0) {
      log(`[streams] ${stream.id}: delivery ${batch.id} (${batch.seqFrom}-${batch.seqTo}) acknowledged, but the stream was replayed or taken over meanwhile; stopping`);
      return { delivered, events: eventsSent, outcome: "lost" };
    }
    cursor = batch.seqTo;
    delivered += sent;
    eventsSent += batch.events.length;
    if (acked[0]!.status !== "active") {
      await releaseLease(db, stream, workerId);
      return { delivered, events: eventsSent, outcome: "paused" };
    }
    if (Date.now() - started > budget) {
      await db.sql.query(`UPDATE audit_streams SET worker_id = NULL, lease_until = NULL, next_attempt_at = now() WHERE org_id = $1 AND id = $2 AND worker_id = $3`, [
        stream.org_id,
        stream.id,
        workerId,
      ]);
      return { delivered, events: eventsSent, outcome: "yield" };
    }
  }
}

async function releaseLease(db: Database, stream: StreamRow, workerId: string): Promise<void> {
  await db.sql.query(`UPDATE audit_streams SET worker_id = NULL, lease_until = NULL WHERE org_id = $1 AND id = $2 AND worker_id = $3`, [stream.org_id, stream.id, workerId]);
}

/** Records a failed delivery: backoff (or Retry-After), and a pause with a reason once it has failed long enough. */
async function recordFailure(opts: { db: Database; stream: StreamRow; workerId: string; result: SendResult; log: (line: string) => void }): Promise<void> {
  const { db, stream, workerId, result } = opts;
  const cfg = getStreamConfig();
  const error = (result.error ?? "delivery failed").slice(0, 1000);
  const failures = stream.failures + 1;
  const delay = result.retryAfterMs !== undefined ? Math.max(result.retryAfterMs, 10) : backoffMs(failures);
  const rows = await db.sql.query<{ failing_since: Date; failures: number }>(
    // Inside COALESCE now() comes from a subselect (c.t): Citus refuses a non-IMMUTABLE function there.
    `UPDATE audit_streams s SET failures = s.failures + 1, failing_since = coalesce(s.failing_since, c.t), last_error = $4, last_error_at = now(),
       next_attempt_at = now() + ($5::int8 * interval '1 millisecond'), worker_id = NULL, lease_until = NULL
     FROM (SELECT now() AS t) c
     WHERE s.org_id = $1 AND s.id = $2 AND s.worker_id = $3
     RETURNING s.failing_since, s.failures`,
    [stream.org_id, stream.id, workerId, error, delay],
  );
  const row = rows[0];
  if (!row) return;
  opts.log(`[streams] ${stream.id}: delivery failed (${row.failures} in a row): ${error}; next attempt in ${delay} ms`);
  const failingFor = (Date.now() - new Date(row.failing_since).getTime()) / 1000;
  if (failingFor < cfg.AUDIT_STREAMS_PAUSE_AFTER_SECONDS) return;
  const reason = `paused automatically: deliveries failed for ${Math.round(failingFor)} s (since ${new Date(row.failing_since).toISOString()}); last error: ${error}`.slice(0, 1000);
  await withAuditedChange({ db, orgId: stream.org_id }, async (tx) => {
    const paused = await tx.sql.query<{ cursor_seq: number | string }>(
      `UPDATE audit_streams SET status = 'paused', pause_reason = $3, updated_at = now() WHERE org_id = $1 AND id = $2 AND status = 'active' RETURNING cursor_seq`,
      [stream.org_id, stream.id, reason],
    );
    if (!paused.length) return { value: undefined, events: [] };
    return {
      value: undefined,
      events: [
        {
          actor: SYSTEM_ACTOR,
          action: "stream.paused",
          resource: { type: "stream", id: stream.id, name: stream.name },
          changes: { status: { old: "active", new: "paused" } },
          details: { reason, cursor_seq: Number(paused[0]!.cursor_seq), failures: row.failures },
        },
      ],
    };
  });
  opts.log(`[streams] ${stream.id}: ${reason}`);
}
