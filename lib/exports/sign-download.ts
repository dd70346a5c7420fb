import crypto from "node:crypto";
import type { SqlExecutor } from "../db/sql";
import { AppError } from "../errors";
import { getExportConfig } from "./export-config";

const SECRET_NAME = "export_download_signing_key";
const KEY = Symbol.for("audit-trail.export-signing-secret");
type Holder = { [KEY]?: string };

/**
 * The HMAC key for download links: AUDIT_SIGNING_SECRET, or else a random key generated once and
 * kept in service_secrets, so that every instance signs and checks with the same key.
 */
export async function getSigningSecret(opts: { sql: SqlExecutor }): Promise<string> {
  const env = getExportConfig().AUDIT_SIGNING_SECRET;
  if (env) return env;
  const g = globalThis as Holder;
  if (g[KEY]) return g[KEY];
  await opts.sql.query(`INSERT INTO service_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
    SECRET_NAME,
    crypto.randomBytes(32).toString("base64url"),
  ]);
  const rows = await opts.sql.query<{ value: string }>(`SELECT value FROM service_secrets WHERE name = $1`, [SECRET_NAME]);
  g[KEY] = rows[0]!.value;
  return g[KEY];
}

export function resetSigningSecretCacheForTests(): void {
  delete (globalThis as Holder)[KEY];
}

function signature(secret: string, exportId: string, expires: number): string {
  return crypto.createHmac("sha256", secret).update(`export-download\n${exportId}\n${expires}`).digest("base64url");
}

/** `/api/v1/exports/{id}/download?expires=<unix seconds>&sig=<HMAC>`: works without a bearer header. */
export async function signDownloadPath(opts: { sql: SqlExecutor; exportId: string; expiresAt: Date }): Promise<string> {
  const expires = Math.floor(opts.expiresAt.getTime() / 1000);
  const sig = signature(await getSigningSecret(opts), opts.exportId, expires);
  return `/api/v1/exports/${encodeURIComponent(opts.exportId)}/download?expires=${expires}&sig=${sig}`;
}

/** Refuses a missing or wrong signature (403) and an expired link (410). */
export async function verifyDownloadSignature(opts: { sql: SqlExecutor; exportId: string; expires?: string | null; sig?: string | null; now?: Date }): Promise<void> {
  if (!opts.sig || !opts.expires) {
    throw new AppError("forbidden", "download links must carry expires and sig: ask GET on the export for a signed downloadUrl", { field: "sig" });
  }
  if (!/^\d{1,12}$/.test(opts.expires)) throw new AppError("invalid_parameter", "expires: must be a Unix time in seconds", { field: "expires" });
  const expires = Number(opts.expires);
  const expected = Buffer.from(signature(await getSigningSecret(opts), opts.exportId, expires));
  const given = Buffer.from(opts.sig);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    throw new AppError("forbidden", "invalid download signature", { field: "sig" });
  }
  if (expires * 1000 <= (opts.now ?? new Date()).getTime()) throw new ExpiredError();
}

/** 410 Gone: the link or the file has expired. */
export class ExpiredError extends AppError {
  constructor(message = "this download link has expired: create the export again") {
    super("gone", message);
  }
}
