import crypto from "node:crypto";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { listEvents, type EventCursor } from "../audit/query-events";
import type { SqlClient } from "../db/sql";
import { logExportFilter } from "./export-filter";
import { JobLostError } from "./export-jobs";
import type { LogExportRequest } from "./export-schemas";
import { CANONICAL_KEY, TRAILER_KEY } from "./verification-format";
import { buildVerification, jsonlTrailer } from "./build-verification";
import { csvHeader, csvLines, jsonlLines, verifiableJsonlEntry } from "./format-entries";
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

type Item = { buf: Buffer; ownChunk?: boolean } & ChunkProgress;

/**
 * Streams a log export: keyset batches of the filtered query (newest first, exactly what the list
 * API returns) → JSONL or CSV text → ChunkStore. Memory holds one batch and one chunk (and, for
 * JSONL, the seqs written). JSONL ends with the verification trailer (docs/exports.md): the SHA-256
 * of every line before it, signed, with the checkpoint and the multiproof of the entries.
 */
export async function writeLogExport(opts: WriteLogExportOptions): Promise<{ treeSize?: number }> {
  const filter = logExportFilter(opts.request);
  const csv = opts.request.format === "csv";
  let cursor = opts.resumeFrom;
  const body = crypto.createHash("sha256");
  const seqs: number[] = [];
  if (!csv && opts.store.chunks > 0) await replayStoredChunks(opts, body, seqs);
  let treeSize: number | undefined;
  async function* batches(): AsyncGenerator<Item> {
    yield* rows();
    if (csv) return;
    const material = await buildVerification({ sql: opts.sql, orgId: opts.orgId, seqs });
    treeSize = material.log.tree_size;
    // The trailer goes into a chunk of its own, so a resumed job can tell it apart (replayStoredChunks).
    yield { buf: Buffer.from(jsonlTrailer(material, body.digest("hex"), seqs.length), "utf8"), ownChunk: true };
  }
  async function* rows(): AsyncGenerator<Item> {
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
      const text = csv ? csvLines(events) : jsonlLines(events, verifiableJsonlEntry);
      const buf = Buffer.from(text, "utf8");
      if (!csv) {
        body.update(buf);
        for (const e of events) seqs.push(e.seq);
      }
      yield { buf, rows: events.length, cursor };
      if (!full) return;
      if (opts.batchDelayMs) await sleep(opts.batchDelayMs);
    }
  }
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 1,
    write: (item: Item, _enc, cb) => {
      const store = opts.store;
      (item.ownChunk ? store.flush().then(() => store.append(item.buf, item)).then(() => store.flush()) : store.append(item.buf, item)).then(() => cb(), cb);
    },
    final: (cb) => {
      opts.store.flush().then(() => cb(), cb);
    },
  });
  await pipeline(Readable.from(batches(), { highWaterMark: 1 }), sink);
  return { treeSize };
}

/**
 * A resumed JSONL export: re-reads the chunks already stored to continue the SHA-256 of the lines
 * and the list of seqs (both are needed for the trailer). A chunk holding a trailer (the previous
 * attempt stopped after writing it but before completing) is removed: it is written again.
 */
async function replayStoredChunks(opts: WriteLogExportOptions, body: crypto.Hash, seqs: number[]): Promise<void> {
  const stored = await opts.sql.query<{ idx: number; data: Uint8Array }>(`SELECT idx, data FROM export_chunks WHERE job_id = $1 AND idx < $2 ORDER BY idx`, [
    opts.jobId,
    opts.store.chunks,
  ]);
  for (const chunk of stored) {
    const buf = Buffer.from(chunk.data);
    if (buf.subarray(0, TRAILER_PREFIX.length).equals(TRAILER_PREFIX)) {
      await opts.store.dropLastChunk(chunk.idx, buf.length);
      return;
    }
    body.update(buf);
    const text = buf.toString("utf8");
    for (let start = 0; start < text.length; ) {
      const nl = text.indexOf("\n", start);
      const line = JSON.parse(text.slice(start, nl)) as { [CANONICAL_KEY]: { seq: number } };
      seqs.push(line[CANONICAL_KEY].seq);
      start = nl + 1;
    }
  }
}

const TRAILER_PREFIX = Buffer.from(`{"${TRAILER_KEY}":`, "utf8");
