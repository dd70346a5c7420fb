import crypto from "node:crypto";
import { AppError } from "@/lib/errors";
import { concatBytes, equalBytes, readU32be, readU64be, toBase64, toHex, u32be, utf8 } from "./encoding";
import {
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
  cosignatureMessage,
  isValidKeyName,
  parseNote,
  parseSignerKeyText,
  parseVerifierKeyText,
  type ParsedKey,
} from "./note-format";

/**
 * C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 over node:crypto: keys in the
 * golang.org/x/mod/sumdb/note text forms, signing, and opening a note against known keys. Verifier
 * keys of type 0x04 (C2SP tlog-cosignature `cosignature/v1`) are understood too, so one openNote
 * checks the log's signature and its witnesses' cosignatures.
 */

export { SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519, addSignatureLines, parseNote } from "./note-format";

// DER wrappers for raw Ed25519 keys (RFC 8410).
const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

export type KeyKind = "ed25519" | "cosignature";
const KIND: Record<number, KeyKind> = { [SIG_TYPE_ED25519]: "ed25519", [SIG_TYPE_COSIGNATURE_V1]: "cosignature" };

/** key ID = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4] as a uint32. */
export function computeKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const digest = crypto.hash("sha256", concatBytes(utf8(name), Uint8Array.of(0x0a, type), publicKey), "buffer");
  return readU32be(digest);
}

const hex8 = (n: number): string => toHex(u32be(n));

export function verifierKeyText(name: string, type: number, publicKey: Uint8Array): string {
  return `${name}+${hex8(computeKeyId(name, type, publicKey))}+${toBase64(concatBytes(Uint8Array.of(type), publicKey))}`;
}

export interface NoteVerifier {
  name: string;
  keyId: number;
  keyIdHex: string;
  type: number;
  kind: KeyKind;
  publicKey: Uint8Array;
  /** The verifier key text `<name>+<keyid>+<base64>`. */
  vkey: string;
  keyObject: crypto.KeyObject;
}

export interface NoteSigner extends Omit<NoteVerifier, "keyObject"> {
  /** Raw Ed25519 signature of `message`. */
  sign(message: Uint8Array): Uint8Array;
}

function publicKeyObject(pub: Uint8Array): crypto.KeyObject {
  return crypto.createPublicKey({ key: Buffer.from(concatBytes(SPKI_PREFIX, pub)), format: "der", type: "spki" });
}

function privateKeyObject(seed: Uint8Array): crypto.KeyObject {
  return crypto.createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_PREFIX, seed)), format: "der", type: "pkcs8" });
}

function rawPublicKey(priv: crypto.KeyObject): Uint8Array {
  const der = crypto.createPublicKey(priv).export({ format: "der", type: "spki" });
  return new Uint8Array(der.subarray(der.length - 32));
}

function checkKind(parsed: ParsedKey, field: string): KeyKind {
  const kind = KIND[parsed.type];
  if (!kind) throw new AppError("invalid_parameter", `unsupported key type 0x${parsed.type.toString(16).padStart(2, "0")} (only Ed25519 0x01 and cosignature/v1 0x04)`, { field });
  return kind;
}

/** Parse and check a verifier key `<name>+<keyid>+<base64(type ‖ pubkey)>` (type 0x01 Ed25519 or 0x04 cosignature/v1). */
export function parseVerifierKey(vkey: string): NoteVerifier {
  const p = parseVerifierKeyText(vkey);
  const kind = checkKind(p, "key");
  if (computeKeyId(p.name, p.type, p.key) !== p.keyId) throw new AppError("invalid_parameter", "verifier key: key id does not match the name and public key", { field: "key" });
  let keyObject: crypto.KeyObject;
  try {
    keyObject = publicKeyObject(p.key);
  } catch {
    throw new AppError("invalid_parameter", "verifier key: not a valid Ed25519 public key", { field: "key" });
  }
  return { name: p.name, keyId: p.keyId, keyIdHex: p.keyIdHex, type: p.type, kind, publicKey: p.key, vkey: verifierKeyText(p.name, p.type, p.key), keyObject };
}

/** A signer of `type` from a raw 32-byte Ed25519 seed. */
export function signerFromSeed(name: string, type: number, seed: Uint8Array): NoteSigner {
  const priv = privateKeyObject(seed);
  const publicKey = rawPublicKey(priv);
  const keyId = computeKeyId(name, type, publicKey);
  return {
    name,
    keyId,
    keyIdHex: hex8(keyId),
    type,
    kind: KIND[type]!,
    publicKey,
    vkey: verifierKeyText(name, type, publicKey),
    sign: (message) => new Uint8Array(crypto.sign(null, message, priv)),
  };
}

/**
 * Parse and check a signer key `PRIVATE+KEY+<name>+<keyid>+<base64(type ‖ seed32)>`: the key id must
 * be the one of the public key the seed gives.
 */
export function parseSignerKey(skey: string): NoteSigner {
  const p = parseSignerKeyText(skey);
  checkKind(p, "signing_key");
  const signer = signerFromSeed(p.name, p.type, p.key);
  if (signer.keyId !== p.keyId) throw new AppError("invalid_parameter", "signer key: key id does not match the name and key", { field: "signing_key" });
  return signer;
}

function generateKeyPair(name: string, type: number): { skey: string; vkey: string } {
  if (!isValidKeyName(name)) throw new AppError("invalid_parameter", 'key name must be non-empty without spaces or "+"', { field: "name" });
  const seed = new Uint8Array(crypto.randomBytes(32));
  const signer = signerFromSeed(name, type, seed);
  return { skey: `PRIVATE+KEY+${name}+${signer.keyIdHex}+${toBase64(concatBytes(Uint8Array.of(type), seed))}`, vkey: signer.vkey };
}

/** A new Ed25519 note key pair: `PRIVATE+KEY+<name>+<keyid>+<base64(0x01‖seed)>` and `<name>+<keyid>+<base64(0x01‖pubkey)>`. */
export function generateSigner(name: string): { skey: string; vkey: string } {
  return generateKeyPair(name, SIG_TYPE_ED25519);
}

/** A new cosigner (witness) key pair: as generateSigner with type byte 0x04 (cosignature/v1). */
export function generateCosignerKey(name: string): { skey: string; vkey: string } {
  return generateKeyPair(name, SIG_TYPE_COSIGNATURE_V1);
}

const asSigner = (s: NoteSigner | string): NoteSigner => (typeof s === "string" ? parseSignerKey(s) : s);
const asVerifier = (v: NoteVerifier | string): NoteVerifier => (typeof v === "string" ? parseVerifierKey(v) : v);

/** One signature line `— <name> <base64(keyid ‖ signature)>` (no newline). */
export function signatureLine(signer: Pick<NoteSigner, "name" | "keyId">, signature: Uint8Array): string {
  return `\u2014 ${signer.name} ${toBase64(concatBytes(u32be(signer.keyId), signature))}`;
}

/** Sign a note text (must end in "\n") with an Ed25519 (0x01) key: text + "\n" + "— name base64\n". */
export function signNote({ text, signer }: { text: string; signer: NoteSigner | string }): string {
  const s = asSigner(signer);
  if (s.type !== SIG_TYPE_ED25519) throw new AppError("invalid_parameter", "signNote needs an Ed25519 (0x01) key; cosign checkpoints with cosignCheckpoint", { field: "signer" });
  if (!text.endsWith("\n")) throw new AppError("invalid_parameter", "note text must end in a newline", { field: "text" });
  parseNote(`${text}\n\u2014 x AAAAAAA=\n`); // the text obeys the note's character rules
  return `${text}\n${signatureLine(s, s.sign(utf8(text)))}\n`;
}

export interface OpenedSignature {
  name: string;
  keyId: string;
  /** true only when a given key with this name and id verified it. */
  verified: boolean;
  /** The kind of the given key it matched; "unknown" when no given key has this name and id. */
  kind: KeyKind | "unknown";
  /** cosignature/v1: the POSIX time the witness signed at. */
  timestamp?: number;
  /** The signature line as written (without newline). */
  line: string;
}

/** Verify one signature line's bytes against a known key over the note text. */
export function verifySignatureBytes(v: NoteVerifier, text: string, sig: Uint8Array): { ok: boolean; timestamp?: number } {
  try {
    if (v.type === SIG_TYPE_ED25519) {
      return { ok: sig.length === 64 && crypto.verify(null, utf8(text), v.keyObject, sig) };
    }
    if (v.type === SIG_TYPE_COSIGNATURE_V1) {
      if (sig.length !== 72) return { ok: false };
      const ts = readU64be(sig, 0);
      if (ts > 2n ** 63n - 1n) return { ok: false };
      const ok = crypto.verify(null, utf8(cosignatureMessage(text, ts)), v.keyObject, sig.subarray(8));
      return { ok, timestamp: Number(ts) };
    }
  } catch {
    return { ok: false };
  }
  return { ok: false };
}

/**
 * Open a signed note: parse it (AppError on malformed notes) and check every signature whose name
 * and key id match a given key. Unknown signatures are kept, with kind "unknown" and verified false.
 * This does not decide trust: use requireVerifiedNote (or check `verified` yourself).
 */
export function openNote({ note, verifiers }: { note: string; verifiers: ReadonlyArray<NoteVerifier | string> }): {
  text: string;
  signatures: OpenedSignature[];
} {
  const parsed = parseNote(note);
  const known = verifiers.map(asVerifier);
  const signatures = parsed.signatures.map((s): OpenedSignature => {
    const matches = known.filter((v) => v.name === s.name && v.keyId === s.keyId);
    const distinct = new Set(matches.map((v) => v.vkey));
    if (distinct.size > 1) throw new AppError("invalid_parameter", `ambiguous key ${s.name}+${s.keyIdHex}: two different keys given`, { field: "key" });
    const v = matches[0];
    if (!v) return { name: s.name, keyId: s.keyIdHex, verified: false, kind: "unknown", line: s.line };
    const r = verifySignatureBytes(v, parsed.text, s.signature);
    return { name: s.name, keyId: s.keyIdHex, verified: r.ok, kind: v.kind, line: s.line, ...(r.timestamp !== undefined ? { timestamp: r.timestamp } : {}) };
  });
  return { text: parsed.text, signatures };
}

/**
 * Open a note and insist (C2SP signed-note §Signatures): at least one signature by a given key
 * verifies, and no signature by a given key fails. With `require`, each named key must have a
 * verified signature. Throws AppError("validation_failed") naming the key otherwise.
 */
export function requireVerifiedNote({
  note,
  verifiers,
  require = [],
}: {
  note: string;
  verifiers: ReadonlyArray<NoteVerifier | string>;
  require?: ReadonlyArray<NoteVerifier | string>;
}): { text: string; signatures: OpenedSignature[] } {
  const opened = openNote({ note, verifiers: [...verifiers, ...require] });
  const bad = opened.signatures.find((s) => s.kind !== "unknown" && !s.verified);
  if (bad) throw new AppError("validation_failed", `signature by ${bad.name}+${bad.keyId} does not verify`, { field: "note" });
  if (!opened.signatures.some((s) => s.verified)) throw new AppError("validation_failed", "note has no signature by a known key", { field: "note" });
  for (const r of require.map(asVerifier)) {
    if (!opened.signatures.some((s) => s.verified && s.name === r.name && s.keyId === r.keyIdHex)) {
      throw new AppError("validation_failed", `note is not signed by ${r.name}+${r.keyIdHex}`, { field: "note" });
    }
  }
  return opened;
}

/** Whether two verifier keys are the same key. */
export const sameKey = (a: NoteVerifier, b: NoteVerifier): boolean => a.name === b.name && a.type === b.type && equalBytes(a.publicKey, b.publicKey);
