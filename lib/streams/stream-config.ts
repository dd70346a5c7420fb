import { z } from "zod";
import { readEnvConfig } from "../read-env-config";

/** Tuning knobs of log streams and alert rules, read from the environment once (docs/streams.md). */
const flag = z
  .string()
  .optional()
  .transform((v) => v === "1" || v === "true");

const EnvSchema = z.object({
  /** 1: destinations on loopback and private networks are allowed (link-local never is). */
  AUDIT_STREAMS_ALLOW_PRIVATE: flag,
  /** Delivery loops in this instance; 0 turns the stream worker (and alert evaluation) off here. */
  AUDIT_STREAMS_WORKERS: z.coerce.number().int().min(0).max(16).default(2),
  /** How often an idle stream looks for new events. */
  AUDIT_STREAMS_POLL_MS: z.coerce.number().int().min(10).default(250),
  /** Events per delivery (at most), and bytes per delivery (at most; one event alone may exceed it). */
  AUDIT_STREAMS_BATCH_EVENTS: z.coerce.number().int().min(1).max(10_000).default(500),
  AUDIT_STREAMS_BATCH_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  /** Seqs a filtered stream scans per step (its cursor moves past non-matching events in steps of this). */
  AUDIT_STREAMS_SCAN_SEQS: z.coerce.number().int().min(100).max(1_000_000).default(20_000),
  /** Timeout of one delivery (connect + answer). */
  AUDIT_STREAMS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Backoff after a failed delivery: base · 2^(failures-1), capped, with full jitter (50–100 %). */
  AUDIT_STREAMS_BACKOFF_BASE_MS: z.coerce.number().int().min(10).default(1000),
  AUDIT_STREAMS_BACKOFF_MAX_MS: z.coerce.number().int().min(10).default(300_000),
  /** A stream failing for this long (no 2xx) pauses with a reason; its cursor stays. */
  AUDIT_STREAMS_PAUSE_AFTER_SECONDS: z.coerce.number().min(1).default(24 * 3600),
  /** Longest Retry-After honoured (a larger one is capped to this). */
  AUDIT_STREAMS_MAX_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).default(3600),
  /** PEM file of extra CA certificates trusted for HTTPS/TLS destinations (a private CA). */
  AUDIT_STREAMS_CA_FILE: z.string().optional().transform((v) => v || undefined),
  /** Key that encrypts destination secrets in the database (≥ 16 characters); default: derived from the log signing key. */
  AUDIT_STREAMS_SECRET_KEY: z.string().min(16, "AUDIT_STREAMS_SECRET_KEY must be at least 16 characters").optional(),
  /** How often alert rules are evaluated. */
  AUDIT_ALERTS_POLL_MS: z.coerce.number().int().min(50).default(1000),
  /** Base URL of the dashboard for links in alert notifications (default http://localhost:PORT). */
  AUDIT_PUBLIC_URL: z.string().url().optional(),
});

export type StreamConfig = z.infer<typeof EnvSchema>;

const config = readEnvConfig(EnvSchema);
export const getStreamConfig: () => StreamConfig = config.get;
export const resetStreamConfigForTests: () => void = config.reset;
