import path from "node:path";
import { z } from "zod";
import { readEnvConfig } from "./read-env-config";

/** Every environment variable the service reads, parsed once. README's configuration table mirrors this. */
const EnvSchema = z.object({
  DATABASE_URL: z.string().optional().transform((v) => v || undefined),
  AUDIT_DATA_DIR: z.string().min(1).default(".data"),
  AUDIT_DEMO: z.string().optional(),
  AUDIT_ROOT_TOKEN: z.string().min(16, "AUDIT_ROOT_TOKEN must be at least 16 characters").optional(),
  AUDIT_ADMIN_EMAIL: z.string().optional(),
  AUDIT_ADMIN_PASSWORD: z.string().optional(),
  AUDIT_ADMIN_ORG: z.string().default("acme"),
  AUDIT_MAX_BODY_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024),
  AUDIT_DB_POOL_SIZE: z.coerce.number().int().positive().default(10),
  /** Events of one org that may wait for their turn in this process, all requests together (lib/audit/queue-appends.ts); beyond: 503. */
  AUDIT_INGEST_QUEUE: z.coerce.number().int().positive().default(50_000),
  /** How long one ingest request may wait for its org's turn (ms); beyond: 503, nothing stored. */
  AUDIT_INGEST_WAIT_MS: z.coerce.number().int().positive().default(30_000),
  PORT: z.coerce.number().int().positive().default(3000),
  /** Issue #9: the log's signing key (C2SP signed-note `PRIVATE+KEY+name+keyid+base64`); lib/integrity/load-log-signer.ts. */
  AUDIT_LOG_SIGNING_KEY: z.string().optional().transform((v) => v?.trim() || undefined),
  /** A file holding that key (one line). */
  AUDIT_LOG_SIGNING_KEY_FILE: z.string().optional().transform((v) => v || undefined),
  /** Checkpoint origin prefix (default: the signing key's name); each org's origin is `<this>/<org slug>`. */
  AUDIT_LOG_ORIGIN: z.string().optional().transform((v) => v?.replace(/\/+$/, "") || undefined),
  /** Witness verifier keys (cosignature/v1, `name+keyid+base64`), separated by commas, spaces or newlines. */
  AUDIT_WITNESS_KEYS: z.string().optional().transform((v) => (v ?? "").split(/[\s,]+/).filter(Boolean)),
});

export type AppConfig = z.infer<typeof EnvSchema> & { dataDir: string; demo: boolean };

const config = readEnvConfig(EnvSchema, (env): AppConfig => ({
  ...env,
  dataDir: path.resolve(/*turbopackIgnore: true*/ process.cwd(), env.AUDIT_DATA_DIR),
  demo: env.AUDIT_DEMO !== "0" && env.AUDIT_DEMO !== "false",
}));
export const getConfig: () => AppConfig = config.get;
/** Tests change the environment between suites. */
export const resetConfigForTests: () => void = config.reset;
