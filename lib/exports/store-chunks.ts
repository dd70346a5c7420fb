import { Writable } from "node:stream";
import type { EventCursor } from "../audit/query-events";
import type { SqlClient } from "../db/sql";
import { getExportConfig } from "./export-config";
import { JobLostError } from "./export-jobs";

export interface ChunkProgress {
  /** Rows finished since the last append. */
  rows?: number;
  /** Where a resumed run continues: the last row now committed. */
  cursor?: EventCursor;
}

/**
 * Collects an export file's bytes and stores them as ~1 MB chunks in export_chunks. Each chunk is
 * written in one transaction with the job's progress, fenced on (worker_id, status = processing):
 * a cancelled or taken-over job stops at its next chunk and writes nothing more.
 */
export class ChunkStore {
  private parts: Buffer[] = [];
  private size = 0;
  private pendingRows = 0;
  private cursor: EventCursor | undefined;
  chunks: number;
  bytes: number;
  rows: number;
  private readonly chunkBytes = getExportConfig().AUDIT_EXPORT_CHUNK_BYTES;

  constructor(
    private readonly opts: { sql: SqlClient; jobId: string; workerId: string; start?: { chunks: number; bytes: number; rows: number } },
  ) {
    this.chunks = opts.start?.chunks ?? 0;
    this.bytes = opts.start?.bytes ?? 0;
    this.rows = opts.start?.rows ?? 0;
  }

  async append(buf: Buffer, progress: ChunkProgress = {}): Promise<void> {
    if (buf.length) {
      this.parts.push(buf);
      this.size += buf.length;
    }
    this.pendingRows += progress.rows ?? 0;
    if (progress.cursor) this.cursor = progress.cursor;
    // Chunks end where an append ended (a batch of whole rows), so the cursor is a safe resume point.
    if (this.size >= this.chunkBytes) await this.flush();
  }

  /** Counts finished rows without bytes (the ZIP writer: its bytes arrive through writable()). */
  noteRows(n: number): void {
    this.pendingRows += n;
  }

  /** Writes what is buffered as one chunk, with the progress it completes. */
  async flush(): Promise<void> {
    if (this.size === 0 && this.pendingRows === 0) return;
    const chunk = Buffer.concat(this.parts, this.size);
    const rows = this.pendingRows;
    const cursor = this.cursor;
    const { sql, jobId, workerId } = this.opts;
    await sql.transaction(async (tx) => {
      const held = await tx.query(
        `UPDATE export_jobs SET rows_written = rows_written + $3, bytes_written = bytes_written + $4,
           chunks_written = chunks_written + $5, heartbeat_at = now(),
           resume_cursor = $6::jsonb
         WHERE id = $1 AND worker_id = $2 AND status = 'processing' RETURNING id`,
        // The cursor object is built here: Citus refuses a CASE around jsonb_build_object (STABLE).
        [jobId, workerId, rows, chunk.length, chunk.length ? 1 : 0, cursor ? JSON.stringify({ timestamp: cursor.timestamp.toISOString(), seq: cursor.seq }) : null],
      );
      if (held.length === 0) throw new JobLostError(jobId);
      if (chunk.length) {
        // A Buffer travels as a binary bytea parameter on both drivers (no hex or escaping on the way).
        await tx.query(`INSERT INTO export_chunks (job_id, idx, data) VALUES ($1, $2, $3::bytea)`, [jobId, this.chunks, chunk]);
      }
    });
    if (chunk.length) this.chunks++;
    this.bytes += chunk.length;
    this.rows += rows;
    this.pendingRows = 0;
    this.parts = [];
    this.size = 0;
  }

  /** Removes the last stored chunk (a resumed JSONL export drops its old trailer), fenced like every write. */
  async dropLastChunk(idx: number, bytes: number): Promise<void> {
    if (idx !== this.chunks - 1 || this.size > 0) throw new Error(`chunk ${idx} is not the last stored chunk`);
    const { sql, jobId, workerId } = this.opts;
    await sql.transaction(async (tx) => {
      const held = await tx.query(
        `UPDATE export_jobs SET bytes_written = bytes_written - $3, chunks_written = chunks_written - 1, heartbeat_at = now()
         WHERE id = $1 AND worker_id = $2 AND status = 'processing' RETURNING id`,
        [jobId, workerId, bytes],
      );
      if (held.length === 0) throw new JobLostError(jobId);
      await tx.query(`DELETE FROM export_chunks WHERE job_id = $1 AND idx = $2`, [jobId, idx]);
    });
    this.chunks--;
    this.bytes -= bytes;
  }

  /** A byte stream into this store (for archiver). */
  writable(): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        this.append(chunk).then(() => cb(), cb);
      },
      final: (cb) => {
        this.flush().then(() => cb(), cb);
      },
    });
  }
}
