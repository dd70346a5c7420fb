import crypto from "node:crypto";

export { canonicalJson } from "./jcs";

export function sha256Hex(text: string): string {
  // One-shot hash (UTF-8 of the string): no Hash object per call.
  return crypto.hash("sha256", text, "hex");
}

/** `sha256:<hex>` — the form every hash travels in. */
export const HASH_PREFIX = "sha256:";

/**
 * The chain recipe (docs/integrity.md): hash = "sha256:" + hex(SHA-256(UTF-8(previous + content)))
 * where `previous` is the previous entry's hash string exactly as shown ("sha256:…"), or the empty
 * string for seq 1, and `content` is the entry's canonical JSON.
 */
export function chainHash(previousHash: string | null, content: string): string {
  return HASH_PREFIX + sha256Hex((previousHash ?? "") + content);
}
