import crypto from "node:crypto";
import { loadLogSigner } from "../integrity/load-log-signer";
import { AppError } from "../errors";
import { getStreamConfig } from "./stream-config";

/**
 * Destination secrets (a webhook's HMAC secret, a Splunk HEC or Datadog token) must be usable by
 * every instance, so they cannot be stored as one-way hashes: they are stored encrypted
 * (AES-256-GCM, `v1.<iv>.<tag>.<ciphertext>` in base64url). The key never lives in the database:
 * it is AUDIT_STREAMS_SECRET_KEY (through HKDF-SHA256) or, when unset, derived from the log signing
 * key (HKDF over its deterministic Ed25519 signature of a fixed label, which only the key holder can
 * make). Rotating that key makes stored destination secrets unreadable: such a stream fails with a
 * reason saying so, and PATCH with new secrets (rotate_secret / token) repairs it (docs/streams.md).
 */
const LABEL = "audit-trail/stream-secrets/v1";

let cachedKey: { fingerprint: string; key: Buffer } | undefined;

function secretKey(): Buffer {
  const explicit = getStreamConfig().AUDIT_STREAMS_SECRET_KEY;
  const signer = explicit ? undefined : loadLogSigner();
  const fingerprint = explicit ? `env:${crypto.createHash("sha256").update(explicit).digest("hex")}` : `log:${signer!.vkey}`;
  if (cachedKey?.fingerprint === fingerprint) return cachedKey.key;
  const ikm = explicit ? Buffer.from(explicit, "utf8") : Buffer.from(signer!.signer.sign(new TextEncoder().encode(LABEL)));
  const key = Buffer.from(crypto.hkdfSync("sha256", ikm, Buffer.alloc(0), LABEL, 32));
  cachedKey = { fingerprint, key };
  return key;
}

export function sealSecret(plain: string): string {
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv("aes-256-gcm", secretKey(), iv);
  const body = Buffer.concat([c.update(plain, "utf8"), c.final()]);
  return ["v1", iv.toString("base64url"), c.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
}

export function openSecret(sealed: string): string {
  const [v, iv, tag, body] = sealed.split(".");
  if (v !== "v1" || !iv || !tag || body === undefined) throw new AppError("internal_error", "stored destination secret has an unknown format");
  try {
    const d = crypto.createDecipheriv("aes-256-gcm", secretKey(), Buffer.from(iv, "base64url"));
    d.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([d.update(Buffer.from(body, "base64url")), d.final()]).toString("utf8");
  } catch {
    throw new AppError(
      "internal_error",
      "the stored destination secret cannot be decrypted (AUDIT_STREAMS_SECRET_KEY or the log signing key changed): set new secrets with PATCH",
    );
  }
}

export function newWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString("base64url")}`;
}
