import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { listEvents, type EventCursor } from "../audit/query-events";
import type { SqlClient } from "../db/sql";
import { logExportFilter } from "./export-filter";
import { JobLostError } from "./export-jobs";
import type { LogExportRequest } from "./export-schemas";
import { csvHeader, csvLines, jsonlLines, toAppSecPlusEntry } from "./format-entries";
import type { ChunkProgress, ChunkStore } from "./store-chunks";

export interface WriteLogExportOptions {
  sql: SqlClient;
  orgId: string;
  jobId: string;
  request: LogExportRequest;
  store: ChunkStore;
  /** Where a resumed job continues (the last row already stored). */
  resumeFrom?: EventCursor;
  batchRows: number;
  batchDelayMs: number;
  signal: AbortSignal;
}

/**
 * Streams a log export: keyset batches of the filtered query (newest first, exactly what the list
 * API returns) → JSONL or CSV text → ChunkStore. Memory holds one batch and one chunk.
 */
export async function writeLogExport(opts: WriteLogExportOptions): Promise<void> {
  const filter = logExportFilter(opts.request);
  const csv = opts.request.format === "csv";
  let cursor = opts.resumeFrom;
  async function* batches(): AsyncGenerator<{ buf: Buffer } & ChunkProgress> {
    if (csv && !cursor && opts.store.chunks === 0) yield { buf: Buffer.from(csvHeader(), "utf8") };
    // The next batch is read while this one is formatted and stored (one batch ahead, no more).
    const read = (after: EventCursor | undefined) => {
      const p = listEvents({ sql: opts.sql, orgId: opts.orgId, filter, limit: opts.batchRows, after });
      p.catch(() => undefined); // awaited below; this only keeps an abandoned read from being "unhandled"
      return p;
    };
    let next = read(cursor);
    for (;;) {
      if (opts.signal.aborted) throw new JobLostError(opts.jobId);
      const events = await next;
      if (events.length === 0) return;
      const last = events[events.length - 1]!;
      cursor = { timestamp: new Date(last.timestamp), seq: last.seq };
      const full = events.length === opts.batchRows;
      if (full) next = read(cursor);
      const text = csv ? csvLines(events) : jsonlLines(events, toAppSecPlusEntry);
      yield { buf: Buffer.from(text, "utf8"), rows: events.length, cursor };
      if (!full) return;
      if (opts.batchDelayMs) await sleep(opts.batchDelayMs);
    }
  }
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 1,
    write: (item: { buf: Buffer } & ChunkProgress, _enc, cb) => {
      opts.store.append(item.buf, item).then(() => cb(), cb);
    },
    final: (cb) => {
      opts.store.flush().then(() => cb(), cb);
    },
  });
  await pipeline(Readable.from(batches(), { highWaterMark: 1 }), sink);
}
