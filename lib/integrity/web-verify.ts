import { parseCheckpoint, type Checkpoint } from "./checkpoint";
import { concatBytes, equalBytes, fromHex, readU32be, readU64be, toHex, utf8 } from "./encoding";
import { SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519, cosignatureMessage, parseNote, parseVerifierKeyText } from "./note-format";
import { consistencyPlan, inclusionSteps, isHash } from "./proof-steps";

/**
 * The verification of merkle.ts and signed-note.ts, async over WebCrypto (`crypto.subtle`: SHA-256
 * and Ed25519), for the browser (no node: imports; also runs in Node ≥ 20). The proof shapes come
 * from proof-steps.ts and the text formats from note-format.ts / checkpoint.ts, shared with the
 * server, so both sides check exactly the same thing.
 */

const subtle = (): SubtleCrypto => {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error("WebCrypto (crypto.subtle) is not available: a secure context (https or localhost) is needed");
  return s;
};

/** A copy on a plain ArrayBuffer (what WebCrypto's BufferSource typing wants). */
const buf = (b: Uint8Array): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(new ArrayBuffer(b.length));
  out.set(b);
  return out;
};

export async function sha256Async(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest("SHA-256", buf(data)));
}

export async function leafHashAsync(data: Uint8Array | string): Promise<Uint8Array> {
  return sha256Async(concatBytes(Uint8Array.of(0x00), typeof data === "string" ? utf8(data) : data));
}

export async function nodeHashAsync(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256Async(concatBytes(Uint8Array.of(0x01), left, right));
}


export async function rootFromInclusionProofAsync({
  index,
  size,
  leafHash,
  proof,
}: {
  index: number;
  size: number;
  leafHash: Uint8Array;
  proof: readonly Uint8Array[];
}): Promise<Uint8Array | null> {
  if (!isHash(leafHash) || !proof.every(isHash)) return null;
  const steps = inclusionSteps(index, size, proof.length);
  if (!steps) return null;
  let r = leafHash;
  for (let i = 0; i < steps.length; i++) r = steps[i] ? await nodeHashAsync(proof[i]!, r) : await nodeHashAsync(r, proof[i]!);
  return r;
}

export async function verifyInclusionAsync(input: {
  index: number;
  size: number;
  leafHash: Uint8Array;
  proof: readonly Uint8Array[];
  root: Uint8Array;
}): Promise<boolean> {
  const r = await rootFromInclusionProofAsync(input);
  return r !== null && isHash(input.root) && equalBytes(r, input.root);
}

export async function verifyConsistencyAsync({
  first,
  second,
  firstRoot,
  secondRoot,
  proof,
}: {
  first: number;
  second: number;
  firstRoot: Uint8Array;
  secondRoot: Uint8Array;
  proof: readonly Uint8Array[];
}): Promise<boolean> {
  const plan = consistencyPlan(first, second, proof.length);
  if (!plan) return false;
  if (plan.kind === "equal") return equalBytes(firstRoot, secondRoot);
  if (!isHash(firstRoot) || !isHash(secondRoot) || !proof.every(isHash)) return false;
  const path = plan.prependFirstRoot ? [firstRoot, ...proof] : proof;
  let fr = path[0]!;
  let sr = path[0]!;
  for (let i = 0; i < plan.steps.length; i++) {
    const c = path[i + 1]!;
    if (plan.steps[i] === "both") {
      fr = await nodeHashAsync(c, fr);
      sr = await nodeHashAsync(c, sr);
    } else {
      sr = await nodeHashAsync(sr, c);
    }
  }
  return equalBytes(fr, firstRoot) && equalBytes(sr, secondRoot);
}

// ---------------------------------------------------------------------------------------------------
// Signed notes

export interface WebVerifier {
  name: string;
  keyId: number;
  keyIdHex: string;
  type: number;
  kind: "ed25519" | "cosignature";
  key: CryptoKey;
}

/** Import a verifier key text (type 0x01 Ed25519 or 0x04 cosignature/v1), checking its key id. Throws on a bad key. */
export async function importVerifierKey(vkey: string): Promise<WebVerifier> {
  const p = parseVerifierKeyText(vkey);
  if (p.type !== SIG_TYPE_ED25519 && p.type !== SIG_TYPE_COSIGNATURE_V1) throw new Error(`unsupported key type ${p.type}`);
  const id = readU32be(await sha256Async(concatBytes(utf8(p.name), Uint8Array.of(0x0a, p.type), p.key)));
  if (id !== p.keyId) throw new Error("verifier key: key id does not match the name and public key");
  const key = await subtle().importKey("raw", buf(p.key), { name: "Ed25519" }, false, ["verify"]);
  return { name: p.name, keyId: p.keyId, keyIdHex: p.keyIdHex, type: p.type, kind: p.type === SIG_TYPE_ED25519 ? "ed25519" : "cosignature", key };
}

async function ed25519Verify(key: CryptoKey, message: Uint8Array, sig: Uint8Array): Promise<boolean> {
  if (sig.length !== 64) return false;
  try {
    return await subtle().verify({ name: "Ed25519" }, key, buf(sig), buf(message));
  } catch {
    return false;
  }
}

export interface WebOpenedSignature {
  name: string;
  keyId: string;
  verified: boolean;
  kind: "ed25519" | "cosignature" | "unknown";
  timestamp?: number;
  line: string;
}

/** As signed-note.ts openNote, over WebCrypto. Throws (AppError) on a malformed note. */
export async function openNoteAsync({ note, verifiers }: { note: string; verifiers: ReadonlyArray<WebVerifier | string> }): Promise<{
  text: string;
  signatures: WebOpenedSignature[];
}> {
  const parsed = parseNote(note);
  const known = await Promise.all(verifiers.map((v) => (typeof v === "string" ? importVerifierKey(v) : v)));
  const signatures: WebOpenedSignature[] = [];
  for (const s of parsed.signatures) {
    const v = known.find((k) => k.name === s.name && k.keyId === s.keyId);
    if (!v) {
      signatures.push({ name: s.name, keyId: s.keyIdHex, verified: false, kind: "unknown", line: s.line });
      continue;
    }
    if (v.type === SIG_TYPE_ED25519) {
      signatures.push({ name: s.name, keyId: s.keyIdHex, verified: await ed25519Verify(v.key, utf8(parsed.text), s.signature), kind: v.kind, line: s.line });
    } else {
      let verified = false;
      let timestamp: number | undefined;
      if (s.signature.length === 72) {
        const ts = readU64be(s.signature, 0);
        if (ts <= 2n ** 63n - 1n) {
          timestamp = Number(ts);
          verified = await ed25519Verify(v.key, utf8(cosignatureMessage(parsed.text, ts)), s.signature.subarray(8));
        }
      }
      signatures.push({ name: s.name, keyId: s.keyIdHex, verified, kind: v.kind, line: s.line, ...(timestamp !== undefined ? { timestamp } : {}) });
    }
  }
  return { text: parsed.text, signatures };
}

export interface CheckpointCheck {
  /** The checkpoint, when the note parsed as one. */
  checkpoint: Checkpoint | null;
  /** The log key's signature verified (and no signature by a given key failed). */
  signatureValid: boolean;
  signatures: WebOpenedSignature[];
  error?: string;
}

/** Open a signed checkpoint with the log's verifier key (and optional witness keys). Never throws. */
export async function verifyCheckpointAsync({ note, vkey, witnessKeys = [] }: { note: string; vkey: string; witnessKeys?: readonly string[] }): Promise<CheckpointCheck> {
  try {
    const log = await importVerifierKey(vkey);
    const opened = await openNoteAsync({ note, verifiers: [log, ...(await Promise.all(witnessKeys.map(importVerifierKey)))] });
    const checkpoint = parseCheckpoint(opened.text);
    const logSig = opened.signatures.some((s) => s.verified && s.name === log.name && s.keyId === log.keyIdHex);
    const failed = opened.signatures.find((s) => s.kind !== "unknown" && !s.verified);
    return {
      checkpoint,
      signatureValid: logSig && !failed,
      signatures: opened.signatures,
      ...(failed ? { error: `signature by ${failed.name}+${failed.keyId} does not verify` } : logSig ? {} : { error: "the checkpoint is not signed by the log key" }),
    };
  } catch (e) {
    return { checkpoint: null, signatureValid: false, signatures: [], error: e instanceof Error ? e.message : String(e) };
  }
}

export interface EntryProofCheck extends CheckpointCheck {
  /** Leaf hash recomputed from the canonical content (hex), when content was given. */
  leafHash: string | null;
  /** The leaf hash given matches the content (true when only a leaf hash was given). */
  leafHashMatches: boolean;
  /** The inclusion proof leads to the checkpoint's root. */
  inclusionValid: boolean;
  /** Everything holds: signature, leaf hash, inclusion, and the proof's tree size is the checkpoint's. */
  ok: boolean;
}

/**
 * The entry page's check: the signed checkpoint verifies with the log key, the entry's canonical
 * content hashes to the leaf hash, and the inclusion proof (hex hashes) leads from it to the
 * checkpoint's root at the checkpoint's size. Never throws; `error` says what failed first.
 */
export async function verifyEntryProofAsync({
  checkpointNote,
  vkey,
  canonicalContent,
  leafHash,
  leafIndex,
  treeSize,
  proof,
}: {
  checkpointNote: string;
  vkey: string;
  /** The entry's canonical JSON (docs/integrity.md); its leaf hash is recomputed. */
  canonicalContent?: string;
  /** The leaf hash the API gave (hex). */
  leafHash?: string;
  leafIndex: number;
  treeSize: number;
  proof: readonly string[];
}): Promise<EntryProofCheck> {
  const cp = await verifyCheckpointAsync({ note: checkpointNote, vkey });
  const computed = canonicalContent !== undefined ? await leafHashAsync(canonicalContent) : null;
  const given = leafHash !== undefined ? fromHex(leafHash) : null;
  const leaf = computed ?? given;
  const leafHashMatches = leaf !== null && (given === null || computed === null || equalBytes(given, computed));
  const hashes = proof.map(fromHex);
  let inclusionValid = false;
  let error = cp.error;
  if (!cp.checkpoint) error ??= "no checkpoint";
  else if (cp.checkpoint.size !== treeSize) error ??= `the proof is for tree size ${treeSize}, the checkpoint is of size ${cp.checkpoint.size}`;
  else if (!leaf) error ??= "no leaf hash";
  else if (hashes.some((h) => h === null)) error ??= "a proof hash is not hex";
  else {
    inclusionValid = await verifyInclusionAsync({ index: leafIndex, size: treeSize, leafHash: leaf, proof: hashes as Uint8Array[], root: cp.checkpoint.rootHash });
    if (!inclusionValid) error ??= "the inclusion proof does not lead to the checkpoint's root";
  }
  if (!leafHashMatches) error ??= "the entry's content does not hash to the given leaf hash";
  const ok = cp.signatureValid && leafHashMatches && inclusionValid;
  return { ...cp, leafHash: computed ? toHex(computed) : null, leafHashMatches, inclusionValid, ok, ...(error && !ok ? { error } : {}) };
}
