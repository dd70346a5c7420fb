import { AppError } from "@/lib/errors";
import { concatBytes, fromBase64, readU64be, u64be, utf8 } from "./encoding";
import { SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519, cosignatureMessage, parseNote, parseSignerKeyText } from "./note-format";
import { parseCheckpoint } from "./checkpoint";
import { parseVerifierKey, signatureLine, signerFromSeed, verifySignatureBytes, type NoteSigner, type NoteVerifier } from "./signed-note";

/**
 * C2SP tlog-cosignature `cosignature/v1` (https://c2sp.org/tlog-cosignature), Ed25519:
 *   key ID    = SHA-256(name ‖ "\n" ‖ 0x04 ‖ pubkey)[:4]
 *   message   = "cosignature/v1\n" ‖ "time <POSIX seconds>\n" ‖ checkpoint note text
 *   signature = keyid(4) ‖ timestamp(8, big-endian) ‖ Ed25519(message)(64)
 * A witness signs the checkpoint text; the line is appended to the log's signed note.
 */

export { cosignatureMessage } from "./note-format";
export { generateCosignerKey } from "./signed-note";

/**
 * A cosigner from a signer key. Accepts the cosigner form (type 0x04) and a plain Ed25519 note key
 * (type 0x01, whose seed is then used with the 0x04 key id, as transparency-dev's note package does).
 */
export function parseCosignerKey(skey: string): NoteSigner {
  const p = parseSignerKeyText(skey);
  if (p.type !== SIG_TYPE_COSIGNATURE_V1 && p.type !== SIG_TYPE_ED25519) {
    throw new AppError("invalid_parameter", "cosigner key must be an Ed25519 key (type 0x04 or 0x01)", { field: "signing_key" });
  }
  const check = signerFromSeed(p.name, p.type, p.key);
  if (check.keyId !== p.keyId) throw new AppError("invalid_parameter", "signer key: key id does not match the name and key", { field: "signing_key" });
  return p.type === SIG_TYPE_COSIGNATURE_V1 ? check : signerFromSeed(p.name, SIG_TYPE_COSIGNATURE_V1, p.key);
}

function checkpointTextOf(checkpointNote: string): string {
  // A signed note (text, blank line, signatures) or the bare checkpoint text.
  const text = checkpointNote.includes("\n\n") ? parseNote(checkpointNote).text : checkpointNote;
  parseCheckpoint(text);
  return text;
}

const toSeconds = (time: Date | number): bigint => {
  const s = time instanceof Date ? Math.floor(time.getTime() / 1000) : time;
  if (!Number.isSafeInteger(s) || s < 0) throw new AppError("invalid_parameter", "cosignature time must be non-negative POSIX seconds", { field: "time" });
  return BigInt(s);
};

/**
 * Cosign a checkpoint (signed note or bare text) at `time` (a Date, or POSIX seconds). Returns the
 * signature line `— <name> <base64>` (no newline) to append to the note (addSignatureLines).
 */
export function cosignCheckpoint({ checkpointNote, signer, time }: { checkpointNote: string; signer: NoteSigner | string; time: Date | number }): string {
  const s = typeof signer === "string" ? parseCosignerKey(signer) : signer;
  if (s.type !== SIG_TYPE_COSIGNATURE_V1) throw new AppError("invalid_parameter", "cosigning needs a cosignature/v1 (0x04) key; use parseCosignerKey", { field: "signer" });
  const text = checkpointTextOf(checkpointNote);
  const ts = toSeconds(time);
  const sig = s.sign(utf8(cosignatureMessage(text, ts)));
  return signatureLine(s, concatBytes(u64be(ts), sig));
}

/** Check one cosignature line against a cosigner's verifier key (type 0x04) over a checkpoint text. */
export function verifyCosignature({ checkpointText, line, verifier }: { checkpointText: string; line: string; verifier: NoteVerifier | string }): { ok: boolean; timestamp?: number } {
  const v = typeof verifier === "string" ? parseVerifierKey(verifier) : verifier;
  if (v.type !== SIG_TYPE_COSIGNATURE_V1) return { ok: false };
  const l = line.endsWith("\n") ? line.slice(0, -1) : line;
  const parts = l.split(" ");
  if (parts.length !== 3 || parts[0] !== "\u2014" || parts[1] !== v.name) return { ok: false };
  const raw = fromBase64(parts[2]!);
  if (!raw || raw.length !== 76) return { ok: false };
  const keyId = (((raw[0]! << 24) >>> 0) + (raw[1]! << 16) + (raw[2]! << 8) + raw[3]!) >>> 0;
  if (keyId !== v.keyId) return { ok: false };
  return verifySignatureBytes(v, checkpointText, raw.subarray(4));
}

/** The POSIX timestamp inside a cosignature/v1 signature (the base64 of a signature line), or null when it is not one. */
export function cosignatureTimestamp(signatureBase64: string): number | null {
  const raw = fromBase64(signatureBase64);
  if (!raw || raw.length !== 76) return null;
  const ts = readU64be(raw, 4);
  return ts > 2n ** 63n - 1n ? null : Number(ts);
}

export interface AcceptedCosignature {
  /** The signature line, normalised (no newline), ready for addSignatureLines. */
  line: string;
  keyName: string;
  keyIdHex: string;
  /** POSIX seconds the witness signed at. */
  timestamp: number;
  verifier: NoteVerifier;
}

/**
 * Server side of `POST …/checkpoint/cosignatures`: check one submitted cosignature line against a
 * stored checkpoint's text and the configured witness keys (type 0x04). Throws AppError naming
 * `field` (default "cosignature"): 400 for a malformed line, 422 when no configured witness has
 * that name and key id, when the signature does not verify, or when its timestamp is more than
 * `maxFutureSeconds` (default 300) after `now`.
 */
export function checkCosignatureLine({
  checkpointText,
  line,
  witnessKeys,
  now = new Date(),
  maxFutureSeconds = 300,
  field = "cosignature",
}: {
  checkpointText: string;
  line: string;
  witnessKeys: ReadonlyArray<NoteVerifier | string>;
  now?: Date;
  maxFutureSeconds?: number;
  field?: string;
}): AcceptedCosignature {
  const l = line.trim();
  let sig: ReturnType<typeof parseNote>["signatures"][number] | undefined;
  try {
    sig = parseNote(`x\n\n${l}\n`).signatures[0];
  } catch {
    sig = undefined;
  }
  if (!sig) throw new AppError("invalid_parameter", `${field}: must be one signature line "— <witness name> <base64>"`, { field });
  const keys = witnessKeys.map((k) => (typeof k === "string" ? parseVerifierKey(k) : k)).filter((k) => k.type === SIG_TYPE_COSIGNATURE_V1);
  const v = keys.find((k) => k.name === sig.name && k.keyId === sig.keyId);
  if (!v) throw new AppError("validation_failed", `${field}: ${sig.name}+${sig.keyIdHex} is not a configured witness key (AUDIT_WITNESS_KEYS)`, { field });
  const r = verifySignatureBytes(v, checkpointText, sig.signature);
  if (!r.ok || r.timestamp === undefined) throw new AppError("validation_failed", `${field}: the cosignature by ${sig.name}+${sig.keyIdHex} does not verify for this checkpoint`, { field });
  if (r.timestamp > Math.floor(now.getTime() / 1000) + maxFutureSeconds) {
    throw new AppError("validation_failed", `${field}: the cosignature's timestamp (${r.timestamp}) is in the future`, { field });
  }
  return { line: sig.line, keyName: sig.name, keyIdHex: sig.keyIdHex, timestamp: r.timestamp, verifier: v };
}
