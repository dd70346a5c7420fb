import { z } from "zod";
import { readEnvConfig } from "../read-env-config";

/**
 * Tuning knobs of the export worker, read from the environment once (docs/exports.md).
 * AUDIT_SIGNING_SECRET: HMAC key for download links; unset → generated once and kept in the database.
 */
const EnvSchema = z.object({
  AUDIT_SIGNING_SECRET: z.string().min(16, "AUDIT_SIGNING_SECRET must be at least 16 characters").optional(),
  /** 0 disables the worker in this instance (it still serves downloads). */
  AUDIT_EXPORT_WORKERS: z.coerce.number().int().min(0).max(8).default(1),
  AUDIT_EXPORT_POLL_MS: z.coerce.number().int().min(50).default(1000),
  AUDIT_EXPORT_HEARTBEAT_MS: z.coerce.number().int().min(100).default(5000),
  /** A processing job whose heartbeat is older than this belongs to a dead worker: it is taken over. */
  AUDIT_EXPORT_STALE_MS: z.coerce.number().int().min(500).default(30_000),
  AUDIT_EXPORT_BATCH_ROWS: z.coerce.number().int().min(1).max(50_000).default(2500),
  /** Pause between read batches (throttles an export's load on the database); 0 = none. */
  AUDIT_EXPORT_BATCH_DELAY_MS: z.coerce.number().int().min(0).default(0),
  AUDIT_EXPORT_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(3),
  AUDIT_EXPORT_LINK_HOURS: z.coerce.number().int().min(1).default(24),
  /** Bytes per stored chunk of an export file (a chunk ends at a row boundary at or after this size). */
  AUDIT_EXPORT_CHUNK_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
});

export type ExportConfig = z.infer<typeof EnvSchema>;

const config = readEnvConfig(EnvSchema);
export const getExportConfig: () => ExportConfig = config.get;
export const resetExportConfigForTests: () => void = config.reset;
