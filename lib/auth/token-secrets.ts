import crypto from "node:crypto";

/** Secrets look like `audt_` + 43 base64url characters (256 bits); ids like `tok_` + 16 hex. */
export const TOKEN_PREFIX = "audt_";

export function generateTokenSecret(): string {
  return TOKEN_PREFIX + crypto.randomBytes(32).toString("base64url");
}

export function generateTokenId(): string {
  return `tok_${crypto.randomBytes(8).toString("hex")}`;
}

/** Stored form: SHA-256 hex. A 256-bit random secret needs no slow hash. */
export function hashTokenSecret(secret: string): string {
  return crypto.createHash("sha256").update(secret, "utf8").digest("hex");
}

export function safeEqual(a: string, b: string): boolean {
  const x = crypto.createHash("sha256").update(a).digest();
  const y = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(x, y);
}
