import { appendEvents, type AppendResult } from "../audit/append-events";
import { parseIngestBody } from "../audit/parse-ingest-body";
import { getConfig } from "../config";
import type { Database } from "../db/open-database";
import { readJsonBody } from "../http/read-json-body";

/** Reads, validates and appends an ingest request body; durable when it returns. */
export async function ingestRequest(opts: { db: Database; req: Request; orgId: string }): Promise<{ created: number; duplicates: number; events: AppendResult[] }> {
  const body = await readJsonBody(opts.req, getConfig().AUDIT_MAX_BODY_BYTES);
  const events = parseIngestBody(body);
  const isBatch = typeof body === "object" && body !== null && "events" in body;
  const results = await appendEvents({ sql: opts.db.sql, orgId: opts.orgId, events, fieldPrefix: isBatch ? "events" : "" });
  const created = results.filter((r) => r.status === "created").length;
  return { created, duplicates: results.length - created, events: results };
}
