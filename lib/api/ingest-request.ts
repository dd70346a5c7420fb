import type { AppendResult } from "../audit/append-events";
import { parseIngestBody } from "../audit/parse-ingest-body";
import { queueAppends } from "../audit/queue-appends";
import { getConfig } from "../config";
import type { Database } from "../db/open-database";
import { readJsonBody } from "../http/read-json-body";

/** Reads, validates and appends an ingest request body; durable when it returns. */
export async function ingestRequest(opts: { db: Database; req: Request; orgId: string }): Promise<{ created: number; duplicates: number; events: AppendResult[] }> {
  const body = await readJsonBody(opts.req, getConfig().AUDIT_MAX_BODY_BYTES);
  const events = parseIngestBody(body);
  const isBatch = typeof body === "object" && body !== null && "events" in body;
  // In the org's in-process queue (lib/audit/queue-appends.ts): waiting for the org's turn holds no
  // connection and no statement; waiting requests are appended together.
  const cfg = getConfig();
  const results = await queueAppends({
    sql: opts.db.sql,
    orgId: opts.orgId,
    events,
    fieldPrefix: isBatch ? "events" : "",
    limits: { maxWaitingEvents: cfg.AUDIT_INGEST_QUEUE, maxWaitMs: cfg.AUDIT_INGEST_WAIT_MS },
    vectorsAhead: opts.db.kind === "postgresql", // PGlite is one session (lib/audit/queue-appends.ts)
  });
  const created = results.filter((r) => r.status === "created").length;
  return { created, duplicates: results.length - created, events: results };
}
