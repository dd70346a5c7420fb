import { AppError } from "@/lib/errors";
import { fromBase64, fromHex, readU32be, toHex } from "./encoding";

/**
 * The text formats of C2SP signed-note (https://c2sp.org/signed-note) and of its keys, with no
 * cryptography and no node: imports, so the server (signed-note.ts) and the browser
 * (web-verify.ts) parse exactly alike. The rules follow golang.org/x/mod/sumdb/note.
 */

/** Signature type bytes (C2SP signed-note §Signature types). */
export const SIG_TYPE_ED25519 = 0x01;
export const SIG_TYPE_COSIGNATURE_V1 = 0x04;

/** Notes with more signature lines than this are refused (Go's limit; the spec asks for at least 16). */
export const MAX_NOTE_SIGNATURES = 100;

const malformed = (message: string, field = "note"): AppError => new AppError("invalid_parameter", message, { field });

/** Key names: non-empty, no Unicode space, no "+". */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s\u0085+]/u.test(name) && !hasLoneSurrogate(name);
}

function hasLoneSurrogate(s: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

export interface ParsedKey {
  name: string;
  /** Key id as a number (uint32) and as 8 lowercase hex digits. */
  keyId: number;
  keyIdHex: string;
  /** Signature type byte: 0x01 Ed25519, 0x04 cosignature/v1, … */
  type: number;
  /** Key material after the type byte (Ed25519: the 32-byte public key or private seed). */
  key: Uint8Array;
}

function parseKeyParts(name: string, hex: string, b64: string, field: string, what: string): ParsedKey {
  if (!isValidKeyName(name)) throw malformed(`${what}: key name must be non-empty without spaces or "+"`, field);
  const id = hex.length === 8 ? fromHex(hex) : null;
  if (!id) throw malformed(`${what}: key id must be 8 hex digits`, field);
  const raw = fromBase64(b64);
  if (!raw || raw.length < 2) throw malformed(`${what}: key material must be standard padded base64 of a type byte and a key`, field);
  const type = raw[0]!;
  const key = raw.slice(1);
  if ((type === SIG_TYPE_ED25519 || type === SIG_TYPE_COSIGNATURE_V1) && key.length !== 32) {
    throw malformed(`${what}: an Ed25519 key is 32 bytes, this one is ${key.length}`, field);
  }
  return { name, keyId: readU32be(id), keyIdHex: toHex(id), type, key };
}

/** Syntax of a verifier key `<name>+<hex keyid>+<base64(type ‖ public key)>` (the key id is not checked here). */
export function parseVerifierKeyText(vkey: string): ParsedKey {
  const text = vkey.trim();
  const a = text.indexOf("+");
  const b = a < 0 ? -1 : text.indexOf("+", a + 1);
  if (a < 0 || b < 0) throw malformed("verifier key must look like <name>+<keyid>+<base64 key>", "key");
  return parseKeyParts(text.slice(0, a), text.slice(a + 1, b), text.slice(b + 1), "key", "verifier key");
}

/** Syntax of a signer key `PRIVATE+KEY+<name>+<hex keyid>+<base64(type ‖ seed)>` (the key id is not checked here). */
export function parseSignerKeyText(skey: string): ParsedKey {
  const text = skey.trim();
  if (!text.startsWith("PRIVATE+KEY+")) throw malformed("signer key must start with PRIVATE+KEY+", "signing_key");
  const rest = text.slice("PRIVATE+KEY+".length);
  const a = rest.indexOf("+");
  const b = a < 0 ? -1 : rest.indexOf("+", a + 1);
  if (a < 0 || b < 0) throw malformed("signer key must look like PRIVATE+KEY+<name>+<keyid>+<base64 key>", "signing_key");
  return parseKeyParts(rest.slice(0, a), rest.slice(a + 1, b), rest.slice(b + 1), "signing_key", "signer key");
}

export interface SignatureLine {
  name: string;
  keyId: number;
  keyIdHex: string;
  /** The signature bytes after the 4-byte key id. */
  signature: Uint8Array;
  /** The line's base64 exactly as written. */
  base64: string;
  /** The full line without its newline. */
  line: string;
}

export interface ParsedNote {
  /** The note text, including its final newline, excluding the blank separator line. */
  text: string;
  signatures: SignatureLine[];
}

/**
 * Split a signed note into text and signature lines (C2SP signed-note §Format). Throws AppError
 * (invalid_parameter, field "note") when it is not one. Identical signature lines are kept once.
 */
export function parseNote(note: string): ParsedNote {
  if (hasLoneSurrogate(note)) throw malformed("note is not valid UTF-8");
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) throw malformed("note contains a control character other than newline");
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw malformed("note has no blank line before its signatures");
  const text = note.slice(0, split + 1);
  const sigs = note.slice(split + 2);
  if (sigs.length === 0 || !sigs.endsWith("\n")) throw malformed("note signatures must be lines ending in a newline");
  const lines = sigs.slice(0, -1).split("\n");
  if (lines.length > MAX_NOTE_SIGNATURES) throw malformed(`note has more than ${MAX_NOTE_SIGNATURES} signatures`);
  const seen = new Set<string>();
  const signatures: SignatureLine[] = [];
  for (const line of lines) {
    if (!line.startsWith("\u2014 ")) throw malformed(`signature line must start with "— ": ${JSON.stringify(line.slice(0, 40))}`);
    const body = line.slice(2);
    const sp = body.indexOf(" ");
    const name = sp < 0 ? body : body.slice(0, sp);
    const b64 = sp < 0 ? "" : body.slice(sp + 1);
    const raw = b64 === "" ? null : fromBase64(b64);
    if (!isValidKeyName(name) || !raw || raw.length < 5) throw malformed(`malformed signature line for key ${JSON.stringify(name)}`);
    if (seen.has(line)) continue;
    seen.add(line);
    signatures.push({ name, keyId: readU32be(raw), keyIdHex: toHex(raw.subarray(0, 4)), signature: raw.slice(4), base64: b64, line });
  }
  return { text, signatures };
}

/** The text a cosignature/v1 signs (C2SP tlog-cosignature §Ed25519 signed message). */
export function cosignatureMessage(checkpointText: string, timestamp: bigint): string {
  return `cosignature/v1\ntime ${timestamp.toString()}\n${checkpointText}`;
}

/** Append signature lines (each `— name base64`, with or without newline) to a signed note, skipping ones it already has. */
export function addSignatureLines(note: string, lines: readonly string[]): string {
  const parsed = parseNote(note);
  const have = new Set(parsed.signatures.map((s) => s.line));
  let out = note;
  for (const l of lines) {
    const line = l.endsWith("\n") ? l.slice(0, -1) : l;
    if (have.has(line)) continue;
    parseNote(`x\n\n${line}\n`); // syntax check of the one line
    have.add(line);
    out += `${line}\n`;
  }
  return out;
}
