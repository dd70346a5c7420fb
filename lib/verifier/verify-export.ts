import crypto from "node:crypto";
import { canonicalJson, chainHash } from "../audit/canonical-json";
import type { StoredEvent } from "../audit/event-schema";
import { AppError } from "../errors";
import {
  CANONICAL_KEY,
  ConsistencyBundleSchema,
  jsonlStatement,
  ManifestSchema,
  MANIFEST_FILE,
  MANIFEST_SIG_FILE,
  manifestStatement,
  MultiProofSchema,
  TRAILER_KEY,
  TrailerSchema,
  VERIFICATION_FILES,
  type ConsistencyBundle,
  type ConsistencyProof,
  type LogInfo,
  type MultiProof,
} from "../exports/verification-format";
import { CSV_COLUMNS, toAppSecPlusEntry, verifiableJsonlEntry } from "../exports/format-entries";
import { parseCheckpoint, type Checkpoint } from "../integrity/checkpoint";
import { fromHex, toHex } from "../integrity/encoding";
import { bytesEqual, leafHash, rootFromMultiProof, verifyConsistency } from "../integrity/merkle";
import { openNote, parseVerifierKey, type NoteVerifier } from "../integrity/signed-note";
import { isZip, readZip } from "./read-zip";

/**
 * The offline verifier (docs/exports.md, "npx audit-trail verify"): checks an evidence ZIP or a
 * JSONL log export with no network and reports every problem with its file, line and seq. Pure
 * apart from node:crypto and the ZIP reader: no database, no Next.js.
 */

export interface VerifyExportOptions {
  bytes: Buffer;
  /** The file's name, for messages. */
  fileName: string;
  /** The pinned log verifier key (text). Without it the package's own key is used (and the report says so). */
  key?: string;
  /** A checkpoint note saved earlier (text): consistency with the package's is checked. */
  savedCheckpoint?: string;
  /** Consistency proofs supplied by the auditor (GET /api/v1/audit/consistency), besides the package's own. */
  consistencyProofs?: ConsistencyProof[];
  /** Witness verifier keys (cosignature/v1) whose cosignatures the checkpoint must carry. */
  witnessKeys?: string[];
}

export interface Problem {
  file: string;
  line?: number;
  seq?: number;
  message: string;
}

export type CheckStatus = "ok" | "fail" | "skip";

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  file: string;
  kind: "evidence-zip" | "jsonl" | "unknown";
  keyPinned: boolean;
  logKey?: { name: string; keyId: string; vkey: string };
  checkpoint?: { origin: string; size: number; rootHash: string };
  entries: number;
  checks: CheckResult[];
  problems: Problem[];
  warnings: string[];
}

interface EntryRecord {
  seq: number;
  hash: string;
  previousHash: string | null;
  canonical: string;
  file: string;
  line: number;
}

/** How a CSV log export starts (lib/exports/format-entries.ts CSV_COLUMNS). */
const CSV_HEADER_START = Buffer.from(`${CSV_COLUMNS[0]},${CSV_COLUMNS[1]},`, "utf8");
const sha256Hex = (b: Uint8Array | string): string => crypto.createHash("sha256").update(b).digest("hex");
const HASH_RE = /^sha256:[0-9a-f]{64}$/;
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const fmt = (n: number): string => n.toLocaleString("en-US");

/** Collects problems per check so each check reports ok/fail with a count. */
class Recorder {
  readonly checks: CheckResult[] = [];
  readonly problems: Problem[] = [];
  readonly warnings: string[] = [];
  private mark = 0;

  problem(p: Problem): void {
    this.problems.push(p);
  }

  /** Closes a check: ok when no problem was recorded since the previous check. */
  check(name: string, okDetail: string, failDetail?: string): boolean {
    const n = this.problems.length - this.mark;
    this.mark = this.problems.length;
    this.checks.push(n === 0 ? { name, status: "ok", detail: okDetail } : { name, status: "fail", detail: `${failDetail ?? okDetail} — ${n} problem${n === 1 ? "" : "s"}` });
    return n === 0;
  }

  skip(name: string, detail: string): void {
    this.checks.push({ name, status: "skip", detail });
  }
}

/** The material of a package's verification part, wherever it came from (ZIP files or JSONL trailer). */
interface Material {
  source: { checkpoint: string; publicKey: string; proof: string; consistency: string; signature: string };
  checkpointNote?: string;
  publicKey?: string;
  proof?: MultiProof;
  consistency?: ConsistencyBundle;
  log?: LogInfo;
}

export async function verifyExport(opts: VerifyExportOptions): Promise<VerifyReport> {
  const rec = new Recorder();
  const entries = new Map<number, EntryRecord>();
  const report: VerifyReport = { ok: false, file: opts.fileName, kind: "unknown", keyPinned: Boolean(opts.key), entries: 0, checks: rec.checks, problems: rec.problems, warnings: rec.warnings };

  // The log key: pinned, or (loudly) the package's own.
  let pinned: NoteVerifier | undefined;
  if (opts.key) {
    try {
      pinned = parseVerifierKey(opts.key);
    } catch (e) {
      throw new AppError("invalid_parameter", `--key: ${errorText(e)}`, { field: "key" });
    }
  }
  const witnesses = (opts.witnessKeys ?? []).map((w) => {
    try {
      return parseVerifierKey(w);
    } catch (e) {
      throw new AppError("invalid_parameter", `--witness-key: ${errorText(e)}`, { field: "witness-key" });
    }
  });

  let material: Material;
  let signedStatement: { note: string; expected: string; file: string; what: string } | undefined;

  if (isZip(opts.bytes)) {
    report.kind = "evidence-zip";
    const r = await verifyZipFiles(opts, rec, entries);
    material = r.material;
    signedStatement = r.signedStatement;
  } else if (opts.bytes.subarray(0, CSV_HEADER_START.length).equals(CSV_HEADER_START)) {
    rec.problem({ file: opts.fileName, message: "this is a CSV export: CSV files are for spreadsheets and carry no proof (cells are neutralised against formula injection). Export JSONL to verify" });
    rec.check("format", "", "a verifiable file");
    report.ok = false;
    return report;
  } else {
    report.kind = "jsonl";
    const r = verifyJsonl(opts, rec, entries);
    material = r.material;
    signedStatement = r.signedStatement;
  }
  report.entries = entries.size;

  // Links between consecutive seqs (wherever they are in the package).
  let links = 0;
  for (const e of entries.values()) {
    if (e.seq === 1) {
      if (e.previousHash !== null) rec.problem({ file: e.file, line: e.line, seq: 1, message: "seq 1 must have previous_hash null" });
      continue;
    }
    const prev = entries.get(e.seq - 1);
    if (!prev) continue;
    links++;
    if (e.previousHash !== prev.hash) {
      rec.problem({ file: e.file, line: e.line, seq: e.seq, message: `previous_hash is not the hash of seq ${prev.seq} (${prev.file} line ${prev.line}): broken link` });
    }
  }
  rec.check("links", `${fmt(links)} links between consecutive seqs hold`, "links between consecutive seqs");

  // The log key.
  let logKey = pinned;
  if (material.publicKey !== undefined) {
    let packaged: NoteVerifier | undefined;
    try {
      packaged = parseVerifierKey(material.publicKey);
    } catch (e) {
      rec.problem({ file: material.source.publicKey, message: `not a verifier key: ${errorText(e)}` });
    }
    if (pinned && packaged && pinned.vkey !== packaged.vkey) {
      rec.problem({ file: material.source.publicKey, message: `the package's key ${packaged.name}+${packaged.keyIdHex} is not the pinned key ${pinned.name}+${pinned.keyIdHex}` });
    }
    logKey ??= packaged;
  }
  if (!pinned) {
    rec.warnings.push(
      "THE LOG KEY WAS NOT PINNED: the signatures were checked with the public key inside the package, which whoever can rewrite the package can replace as well. " +
        "Run again with --key <the log's verifier key as the operator published it> (GET /api/v1/audit/public-key, or the /integrity page).",
    );
  }
  if (logKey) report.logKey = { name: logKey.name, keyId: logKey.keyIdHex, vkey: logKey.vkey };
  else rec.problem({ file: material.source.publicKey, message: "missing: no log key in the package and none given with --key" });
  rec.check("log key", logKey ? `${logKey.name}+${logKey.keyIdHex}${pinned ? " (pinned with --key)" : " (from the package: NOT PINNED)"}` : "none", "log key");

  // The signature over the manifest / the JSONL lines.
  if (signedStatement && logKey) {
    checkSignedStatement(signedStatement, logKey, rec);
  } else if (!signedStatement) {
    rec.problem({ file: report.kind === "jsonl" ? opts.fileName : MANIFEST_SIG_FILE, message: "missing: the package carries no signature" });
  }
  rec.check("signature", signedStatement ? `${signedStatement.what} signed by the log key` : "signature", "signature");

  // The checkpoint.
  let checkpoint: Checkpoint | undefined;
  if (material.checkpointNote === undefined) {
    rec.problem({ file: material.source.checkpoint, message: "missing: no signed checkpoint in the package" });
  } else if (logKey) {
    checkpoint = checkCheckpoint(material.checkpointNote, material.source.checkpoint, logKey, rec);
  }
  if (checkpoint) {
    report.checkpoint = { origin: checkpoint.origin, size: checkpoint.size, rootHash: toHex(checkpoint.rootHash) };
    if (material.log) {
      const l = material.log;
      if (l.origin !== checkpoint.origin || l.tree_size !== checkpoint.size || l.root_hash !== toHex(checkpoint.rootHash)) {
        rec.problem({ file: report.kind === "jsonl" ? opts.fileName : MANIFEST_FILE, message: `log {origin, tree_size, root_hash} = {${l.origin}, ${l.tree_size}, ${l.root_hash}} is not the signed checkpoint's` });
      }
    }
  }
  rec.check(
    "checkpoint",
    checkpoint ? `origin ${checkpoint.origin}, tree size ${fmt(checkpoint.size)}, root ${toHex(checkpoint.rootHash)}, signed by the log key` : "checkpoint",
    "signed checkpoint",
  );

  // Merkle: the included entries + proof nodes give the checkpoint's root.
  if (checkpoint && material.proof) {
    checkMultiProof(material.proof, material.source.proof, checkpoint, entries, rec);
    rec.check("merkle proof", `the ${fmt(entries.size)} entries and ${fmt(material.proof.nodes.length)} proof nodes give the checkpoint's root`, "Merkle root of the entries");
  } else {
    if (!material.proof) rec.problem({ file: material.source.proof, message: "missing: no Merkle proof in the package" });
    rec.check("merkle proof", "", "Merkle root of the entries (not checked)");
  }

  // Witnesses.
  if (witnesses.length === 0) rec.skip("witnesses", "none requested (--witness-key)");
  else {
    let maxSeq = 0;
    for (const seq of entries.keys()) if (seq > maxSeq) maxSeq = seq;
    const found = checkWitnesses(material, checkpoint, logKey, witnesses, maxSeq, rec);
    rec.check("witnesses", found.join("; "), "witness cosignatures");
  }

  // A checkpoint the auditor kept.
  if (opts.savedCheckpoint === undefined) rec.skip("saved checkpoint", "none given (--checkpoint)");
  else if (!checkpoint || !logKey) rec.check("saved checkpoint", "", "consistency with the saved checkpoint (not checked: the package's checkpoint is not valid)");
  else {
    const detail = checkSavedCheckpoint(opts, material, checkpoint, logKey, rec);
    rec.check("saved checkpoint", detail, "consistency with the saved checkpoint");
  }

  report.ok = rec.problems.length === 0 && rec.checks.every((c) => c.status !== "fail");
  return report;
}

// ---------------------------------------------------------------------------------------------------
// Entry lines

interface LineCheck {
  file: string;
  /** Line text without its newline. */
  text: string;
  line: number;
}

const seqHint = (text: string): number | undefined => {
  const m = /"seq":(\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
};

function asStoredEntry(value: unknown): StoredEvent | string {
  if (!value || typeof value !== "object" || Array.isArray(value)) return "is not a JSON object";
  const e = value as Record<string, unknown>;
  if (!Number.isSafeInteger(e.seq) || (e.seq as number) < 1) return "has no valid seq";
  if (typeof e.hash !== "string" || !HASH_RE.test(e.hash)) return "has no valid hash";
  if (e.previous_hash !== null && (typeof e.previous_hash !== "string" || !HASH_RE.test(e.previous_hash))) return "has no valid previous_hash";
  if (typeof e.timestamp !== "string" || Number.isNaN(Date.parse(e.timestamp))) return "has no valid timestamp";
  return value as StoredEvent;
}

/**
 * Checks one file's entry lines: JSON, each entry's hash, newest-first order, and (for a JSONL log
 * export) that the AppSec+ members are the ones derived from `canonical`. Adds each distinct entry
 * to `entries`; a seq met twice must be the same entry. Returns the seqs of the file's lines.
 */
function checkEntryLines(lines: Iterable<LineCheck>, mode: "canonical" | "appsecplus", entries: Map<number, EntryRecord>, rec: Recorder): number[] {
  const seqs: number[] = [];
  let prev: { time: number; seq: number; line: number } | undefined;
  for (const { file, text, line } of lines) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      rec.problem({ file, line, seq: seqHint(text), message: "not valid JSON (changed or cut)" });
      continue;
    }
    let stored: unknown = parsed;
    if (mode === "appsecplus") {
      const obj = parsed as Record<string, unknown>;
      if (!obj || typeof obj !== "object" || !(CANONICAL_KEY in obj)) {
        rec.problem({ file, line, seq: seqHint(text), message: `no "${CANONICAL_KEY}" member: not a verifiable export line` });
        continue;
      }
      stored = obj[CANONICAL_KEY];
    }
    const entry = asStoredEntry(stored);
    if (typeof entry === "string") {
      rec.problem({ file, line, seq: seqHint(text), message: `entry ${entry}` });
      continue;
    }
    const { hash, previous_hash: previousHash, ...content } = entry;
    const canonical = canonicalJson(content);
    seqs.push(entry.seq);
    if (chainHash(previousHash, canonical) !== hash) {
      rec.problem({ file, line, seq: entry.seq, message: "hash does not recompute from the content (docs/integrity.md): the entry was changed" });
    }
    // The AppSec+ members must be the ones derived from `canonical`: the exporter's own line for this
    // entry is rebuilt and compared as text (one stringify); only when it differs is the comparison
    // repeated member by member (canonical JSON), so that a mere re-serialisation is not blamed.
    if (mode === "appsecplus" && JSON.stringify(verifiableJsonlEntry(entry)) !== text) {
      const { [CANONICAL_KEY]: _omit, ...shown } = parsed as Record<string, unknown>;
      if (canonicalJson(shown) !== canonicalJson(toAppSecPlusEntry(entry))) {
        rec.problem({ file, line, seq: entry.seq, message: `the AppSec+ members differ from the entry's "${CANONICAL_KEY}" content: the line was changed` });
      }
    }
    const time = Date.parse(entry.timestamp);
    if (prev && !(time < prev.time || (time === prev.time && entry.seq < prev.seq))) {
      rec.problem({ file, line, seq: entry.seq, message: `out of order: the file is newest first (timestamp, then seq), but this line follows line ${prev.line} (seq ${prev.seq}) — lines were reordered` });
    }
    prev = { time, seq: entry.seq, line };
    const seen = entries.get(entry.seq);
    if (!seen) entries.set(entry.seq, { seq: entry.seq, hash, previousHash, canonical, file, line });
    else if (seen.canonical !== canonical || seen.hash !== hash || seen.previousHash !== previousHash) {
      rec.problem({ file, line, seq: entry.seq, message: `differs from the same seq in ${seen.file} line ${seen.line}` });
    } else if (seen.file === file) {
      rec.problem({ file, line, seq: entry.seq, message: `duplicate of line ${seen.line}` });
    }
  }
  return seqs;
}

/**
 * The lines of a file (each ending in "\n"), decoded one at a time: a file of any size (an events
 * file of millions of entries is larger than the longest string V8 allows) is never one string. A
 * last line without newline is reported.
 */
function* splitLines(file: string, buf: Buffer, rec: Recorder): Generator<LineCheck> {
  let start = 0;
  let line = 1;
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0) {
      const text = buf.toString("utf8", start);
      rec.problem({ file, line, seq: seqHint(text), message: "last line has no newline (the file was cut)" });
      yield { file, text, line };
      return;
    }
    yield { file, text: buf.toString("utf8", start, nl), line };
    start = nl + 1;
    line++;
  }
}

function countLines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------------
// Evidence ZIP

async function verifyZipFiles(opts: VerifyExportOptions, rec: Recorder, entries: Map<number, EntryRecord>) {
  const material: Material = {
    source: {
      checkpoint: VERIFICATION_FILES.checkpoint,
      publicKey: VERIFICATION_FILES.publicKey,
      proof: VERIFICATION_FILES.proof,
      consistency: VERIFICATION_FILES.consistency,
      signature: MANIFEST_SIG_FILE,
    },
  };
  let zip: Awaited<ReturnType<typeof readZip>>;
  try {
    zip = await readZip(opts.bytes);
  } catch (e) {
    rec.problem({ file: opts.fileName, message: `the ZIP cannot be read: ${errorText(e)}` });
    rec.check("files", "", "files against manifest.json");
    return { material, signedStatement: undefined };
  }
  for (const [name, why] of zip.unreadable) rec.problem({ file: name, message: `cannot be read from the ZIP (${why}): its bytes were changed` });

  const manifestBytes = zip.files.get(MANIFEST_FILE);
  let manifest: ReturnType<typeof ManifestSchema.parse> | undefined;
  if (!manifestBytes) rec.problem({ file: MANIFEST_FILE, message: "missing" });
  else {
    try {
      const parsed = ManifestSchema.safeParse(JSON.parse(manifestBytes.toString("utf8")));
      if (parsed.success) manifest = parsed.data;
      else rec.problem({ file: MANIFEST_FILE, message: `not an evidence manifest with a log section: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}` });
    } catch {
      rec.problem({ file: MANIFEST_FILE, message: "not valid JSON" });
    }
  }

  // Every file's SHA-256 and size against the manifest; nothing missing, nothing extra.
  if (manifest) {
    const listed = new Set(manifest.files.map((f) => f.name));
    for (const f of manifest.files) {
      const b = zip.files.get(f.name);
      if (!b) {
        if (!zip.unreadable.has(f.name)) rec.problem({ file: f.name, message: "listed in manifest.json but missing from the ZIP" });
        continue;
      }
      if (b.length !== f.bytes) rec.problem({ file: f.name, message: `${fmt(b.length)} bytes, manifest.json says ${fmt(f.bytes)}` });
      if (sha256Hex(b) !== f.sha256) rec.problem({ file: f.name, message: "SHA-256 differs from manifest.json: the file was changed" });
    }
    for (const name of zip.files.keys()) {
      if (name !== MANIFEST_FILE && name !== MANIFEST_SIG_FILE && !listed.has(name)) rec.problem({ file: name, message: "not listed in manifest.json (added)" });
    }
    material.log = manifest.log;
  }
  rec.check("files", `${fmt(zip.files.size)} files; every file's SHA-256 and size match manifest.json`, "files against manifest.json");

  // Entries of every JSONL file; section files must be subsets of events.jsonl.
  const jsonlFiles = [...zip.files.keys()].filter((n) => n.endsWith(".jsonl")).sort((a, b) => (a === "events.jsonl" ? -1 : b === "events.jsonl" ? 1 : a.localeCompare(b)));
  let lines = 0;
  let eventsSeqs: Set<number> | undefined;
  for (const name of jsonlFiles) {
    const seqs = checkEntryLines(splitLines(name, zip.files.get(name)!, rec), "canonical", entries, rec);
    lines += seqs.length;
    const expected = manifest?.files.find((f) => f.name === name)?.entries;
    if (expected !== undefined && expected !== seqs.length) {
      rec.problem({ file: name, message: `${fmt(seqs.length)} entries, manifest.json says ${fmt(expected)}: lines were dropped or added` });
    }
    if (name === "events.jsonl") eventsSeqs = new Set(seqs);
    else if (eventsSeqs) {
      for (const s of seqs) if (!eventsSeqs.has(s)) rec.problem({ file: name, seq: s, message: "this entry is not in events.jsonl" });
    }
  }
  rec.check("entries", `${fmt(entries.size)} distinct entries (${fmt(lines)} lines in ${jsonlFiles.length} files): every hash recomputes; newest first`, "entries");

  const text = (name: string): string | undefined => zip.files.get(name)?.toString("utf8");
  material.checkpointNote = text(VERIFICATION_FILES.checkpoint);
  material.publicKey = text(VERIFICATION_FILES.publicKey)?.trim();
  material.proof = parseJsonFile(text(VERIFICATION_FILES.proof), VERIFICATION_FILES.proof, MultiProofSchema, rec);
  material.consistency = parseJsonFile(text(VERIFICATION_FILES.consistency), VERIFICATION_FILES.consistency, ConsistencyBundleSchema, rec);

  const sig = text(MANIFEST_SIG_FILE);
  const signedStatement =
    sig !== undefined && manifestBytes ? { note: sig, expected: manifestStatement(sha256Hex(manifestBytes)), file: MANIFEST_SIG_FILE, what: "manifest.json" } : undefined;
  return { material, signedStatement };
}

function parseJsonFile<T>(text: string | undefined, file: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, rec: Recorder): T | undefined {
  if (text === undefined) return undefined;
  try {
    const r = schema.safeParse(JSON.parse(text));
    if (r.success) return r.data;
    const i = r.error.issues[0];
    rec.problem({ file, message: `not in the expected format: ${i?.path.map(String).join(".")} ${i?.message}` });
  } catch {
    rec.problem({ file, message: "not valid JSON" });
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// JSONL log export

function verifyJsonl(opts: VerifyExportOptions, rec: Recorder, entries: Map<number, EntryRecord>) {
  const file = opts.fileName;
  const material: Material = {
    source: { checkpoint: `${file} (trailer.checkpoint)`, publicKey: `${file} (trailer.public_key)`, proof: `${file} (trailer.proof)`, consistency: `${file} (trailer.consistency)`, signature: `${file} (trailer.signature)` },
  };
  const buf = opts.bytes;
  // The trailer is the last line: find the start of the last non-empty line.
  let end = buf.length;
  if (end > 0 && buf[end - 1] === 0x0a) end--;
  const trailerStart = buf.lastIndexOf(0x0a, end - 1) + 1;
  const body = buf.subarray(0, trailerStart);
  const bodyLines = countLines(body);
  const trailerLine = bodyLines + 1;
  let trailer: ReturnType<typeof TrailerSchema.parse> | undefined;
  /** Whether the last line is an entry (the trailer was dropped) rather than a (damaged) trailer. */
  let lastIsEntry = false;
  try {
    const obj = JSON.parse(buf.subarray(trailerStart).toString("utf8")) as Record<string, unknown>;
    if (obj && typeof obj === "object" && TRAILER_KEY in obj) {
      const r = TrailerSchema.safeParse(obj[TRAILER_KEY]);
      if (r.success) trailer = r.data;
      else rec.problem({ file, line: trailerLine, message: `trailer not in the expected format: ${r.error.issues[0]?.path.join(".")} ${r.error.issues[0]?.message}` });
    } else {
      lastIsEntry = true;
      rec.problem({ file, line: trailerLine, seq: seqHint(buf.subarray(trailerStart).toString("utf8")), message: `the last line is not the "${TRAILER_KEY}" trailer: the file was cut, or it is not a verifiable export` });
    }
  } catch {
    rec.problem({ file, line: trailerLine, message: "the last line (the trailer) is not valid JSON" });
  }
  const lines: Iterable<LineCheck> = splitLines(file, lastIsEntry ? buf : body, rec);
  const seqs = checkEntryLines(lines, "appsecplus", entries, rec);
  if (trailer && trailer.lines !== bodyLines) {
    rec.problem({ file, line: trailerLine, message: `${fmt(bodyLines)} entry lines, the trailer says ${fmt(trailer.lines)}: lines were dropped or added` });
  }
  rec.check("entries", `${fmt(seqs.length)} entry lines: every hash recomputes; AppSec+ members match; newest first`, "entries");
  if (!trailer) return { material, signedStatement: undefined };
  const bodySha = sha256Hex(body);
  if (bodySha !== trailer.sha256) rec.problem({ file, message: `SHA-256 of lines 1–${fmt(bodyLines)} differs from the trailer's: the lines were changed` });
  rec.check("file bytes", `SHA-256 of lines 1–${fmt(bodyLines)} matches the trailer`, "file bytes");
  material.checkpointNote = trailer.checkpoint;
  material.publicKey = trailer.public_key.trim();
  material.proof = trailer.proof;
  material.consistency = trailer.consistency;
  material.log = trailer.log;
  return { material, signedStatement: { note: trailer.signature, expected: jsonlStatement(bodySha, bodyLines), file: material.source.signature, what: `lines 1–${fmt(bodyLines)} (SHA-256)` } };
}

// ---------------------------------------------------------------------------------------------------
// Signatures, checkpoint, proofs

function checkSignedStatement(s: { note: string; expected: string; file: string }, logKey: NoteVerifier, rec: Recorder): void {
  let opened: ReturnType<typeof openNote>;
  try {
    opened = openNote({ note: s.note, verifiers: [logKey] });
  } catch (e) {
    rec.problem({ file: s.file, message: `not a signed note: ${errorText(e)}` });
    return;
  }
  if (!opened.signatures.some((x) => x.verified)) {
    const by = opened.signatures.map((x) => `${x.name}+${x.keyId}`).join(", ") || "nobody";
    rec.problem({ file: s.file, message: `no valid signature by the log key ${logKey.name}+${logKey.keyIdHex} (signed by ${by}): forged or changed` });
  }
  if (opened.text !== s.expected) {
    rec.problem({ file: s.file, message: `signs ${JSON.stringify(opened.text)} but the content gives ${JSON.stringify(s.expected)}: the signed content was changed` });
  }
}

function checkCheckpoint(note: string, file: string, logKey: NoteVerifier, rec: Recorder): Checkpoint | undefined {
  let opened: ReturnType<typeof openNote>;
  try {
    opened = openNote({ note, verifiers: [logKey] });
  } catch (e) {
    rec.problem({ file, message: `not a signed note: ${errorText(e)}` });
    return undefined;
  }
  const own = opened.signatures.filter((s) => s.name === logKey.name && s.keyId === logKey.keyIdHex);
  if (!own.some((s) => s.verified)) {
    rec.problem({ file, message: `checkpoint has no valid signature by the log key ${logKey.name}+${logKey.keyIdHex}: forged or changed` });
  }
  let cp: Checkpoint | undefined;
  try {
    cp = parseCheckpoint(opened.text);
  } catch (e) {
    rec.problem({ file, message: `not a checkpoint: ${errorText(e)}` });
  }
  return own.some((s) => s.verified) ? cp : undefined;
}

/**
 * Each witness key must have cosigned the package's checkpoint, or a checkpoint the package carries
 * (consistency.json `witnessed`) that covers every entry of the package and that the package's
 * checkpoint extends (its consistency proof is in the bundle). Returns what was found, in words.
 */
function checkWitnesses(material: Material, cp: Checkpoint | undefined, logKey: NoteVerifier | undefined, witnesses: NoteVerifier[], maxSeq: number, rec: Recorder): string[] {
  const file = material.source.checkpoint;
  const found: string[] = [];
  if (!cp || !logKey || material.checkpointNote === undefined) {
    rec.problem({ file, message: "witness cosignatures not checked: the package's checkpoint is not valid" });
    return found;
  }
  const cosignedBy = (note: string, w: NoteVerifier): { ok: boolean; failed: boolean; checkpoint?: Checkpoint } => {
    try {
      const opened = openNote({ note, verifiers: [logKey, w] });
      const logOk = opened.signatures.some((x) => x.verified && x.name === logKey.name && x.keyId === logKey.keyIdHex);
      const sig = opened.signatures.find((x) => x.name === w.name && x.keyId === w.keyIdHex);
      return { ok: logOk && sig?.verified === true, failed: sig !== undefined && !sig.verified, checkpoint: logOk ? parseCheckpoint(opened.text) : undefined };
    } catch {
      return { ok: false, failed: false };
    }
  };
  for (const w of witnesses) {
    const own = cosignedBy(material.checkpointNote, w);
    if (own.failed) {
      rec.problem({ file, message: `the cosignature by witness ${w.name}+${w.keyIdHex} does not verify: forged or changed` });
      continue;
    }
    if (own.ok) {
      found.push(`${w.name}+${w.keyIdHex} cosigned the package's checkpoint (size ${fmt(cp.size)})`);
      continue;
    }
    // An earlier witnessed checkpoint that covers the entries and that the package's extends.
    let best: { size: number; why?: string } | undefined;
    for (const note of material.consistency?.witnessed ?? []) {
      const r = cosignedBy(note, w);
      if (!r.ok || !r.checkpoint || r.checkpoint.origin !== cp.origin) continue;
      const n = r.checkpoint.size;
      const proof = material.consistency?.proofs.find((p) => p.first === n && p.second === cp.size);
      const consistent =
        n === cp.size
          ? bytesEqual(r.checkpoint.rootHash, cp.rootHash)
          : proof !== undefined && verifyConsistency({ first: n, second: cp.size, firstRoot: r.checkpoint.rootHash, secondRoot: cp.rootHash, proof: proof.hashes.map((h) => fromHex(h)!) });
      const why = !consistent ? `the package's checkpoint does not extend it (no valid consistency proof from ${n})` : n < maxSeq ? `it does not cover seq ${fmt(n + 1)}–${fmt(maxSeq)}` : undefined;
      if (!best || n > best.size || (n === best.size && !why)) best = { size: n, why };
    }
    if (best && !best.why) {
      found.push(`${w.name}+${w.keyIdHex} cosigned tree size ${fmt(best.size)}, which covers every entry and which the package's checkpoint extends`);
    } else {
      rec.problem({
        file,
        message: best
          ? `witness ${w.name}+${w.keyIdHex}: the newest checkpoint it cosigned in the package (size ${fmt(best.size)}) does not count: ${best.why}`
          : `no cosignature by witness ${w.name}+${w.keyIdHex} on the package's checkpoint or on a checkpoint the package carries`,
      });
    }
  }
  return found;
}

function checkMultiProof(proof: MultiProof, file: string, cp: Checkpoint, entries: Map<number, EntryRecord>, rec: Recorder): void {
  if (proof.origin !== cp.origin || proof.tree_size !== cp.size) {
    rec.problem({ file, message: `proof is for ${proof.origin} size ${proof.tree_size}, the checkpoint is ${cp.origin} size ${cp.size}` });
    return;
  }
  const seqs = [...entries.keys()].sort((a, b) => a - b);
  const beyond = seqs.filter((s) => s > cp.size);
  for (const s of beyond.slice(0, 20)) {
    const e = entries.get(s)!;
    rec.problem({ file: e.file, line: e.line, seq: s, message: `seq ${s} is beyond the checkpoint's tree size ${cp.size}` });
  }
  if (beyond.length) return;
  // The leaves the proof expects are exactly those no proof node covers.
  const nodes = new Map<string, Uint8Array>();
  let pos = 0;
  const missing: number[] = [];
  const covered: number[] = [];
  const sortedNodes = [...proof.nodes].sort((a, b) => a.start - b.start);
  let si = 0;
  for (const n of sortedNodes) {
    if (n.start < pos || n.end <= n.start || n.end > cp.size) {
      rec.problem({ file, message: `proof node [${n.start}, ${n.end}) overlaps another or lies outside the tree` });
      return;
    }
    for (; pos < n.start; pos++) {
      while (si < seqs.length && seqs[si]! - 1 < pos) si++;
      if (seqs[si] !== pos + 1) missing.push(pos + 1);
    }
    while (si < seqs.length && seqs[si]! - 1 < n.start) si++;
    while (si < seqs.length && seqs[si]! - 1 < n.end) covered.push(seqs[si++]!);
    nodes.set(`${n.start}-${n.end}`, fromHex(n.hash)!);
    pos = n.end;
  }
  for (; pos < cp.size; pos++) {
    while (si < seqs.length && seqs[si]! - 1 < pos) si++;
    if (seqs[si] !== pos + 1) missing.push(pos + 1);
  }
  for (const s of missing.slice(0, 50)) {
    rec.problem({ file, seq: s, message: `seq ${s} is part of the proved entries but absent from the package${neighbours(entries, s)}: a line was dropped` });
  }
  if (missing.length > 50) rec.problem({ file, message: `… and ${fmt(missing.length - 50)} more proved entries absent` });
  for (const s of covered.slice(0, 50)) {
    const e = entries.get(s)!;
    rec.problem({ file: e.file, line: e.line, seq: s, message: "this entry is not one the proof was made for: a line was added" });
  }
  if (missing.length || covered.length) return;
  const leaves = new Map<number, Uint8Array>();
  for (const e of entries.values()) leaves.set(e.seq - 1, leafHash(e.canonical));
  let root: Uint8Array;
  try {
    root = rootFromMultiProof({ size: cp.size, leaves, nodes });
  } catch (e) {
    rec.problem({ file, message: `proof does not fit the entries: ${errorText(e)}` });
    return;
  }
  if (!bytesEqual(root, cp.rootHash)) {
    rec.problem({ file, message: `the root computed from the entries and the proof (${toHex(root)}) is not the checkpoint's root (${toHex(cp.rootHash)}): an entry or a proof node was changed` });
  }
}

function neighbours(entries: Map<number, EntryRecord>, seq: number): string {
  const after = entries.get(seq + 1);
  const before = entries.get(seq - 1);
  const at = after ?? before;
  if (!at) return "";
  return ` (it would be next to ${at.file} line ${at.line}, seq ${at.seq})`;
}

function checkSavedCheckpoint(opts: VerifyExportOptions, material: Material, cp: Checkpoint, logKey: NoteVerifier, rec: Recorder): string {
  const file = "--checkpoint";
  let saved: Checkpoint;
  try {
    const opened = openNote({ note: opts.savedCheckpoint!, verifiers: [logKey] });
    if (!opened.signatures.some((s) => s.verified)) {
      rec.problem({ file, message: `the saved checkpoint has no valid signature by the log key ${logKey.name}+${logKey.keyIdHex}` });
      return "";
    }
    saved = parseCheckpoint(opened.text);
  } catch (e) {
    rec.problem({ file, message: `not a signed checkpoint: ${errorText(e)}` });
    return "";
  }
  if (saved.origin !== cp.origin) {
    rec.problem({ file, message: `the saved checkpoint is of log ${saved.origin}, the package's of ${cp.origin}` });
    return "";
  }
  if (saved.size === cp.size) {
    if (!bytesEqual(saved.rootHash, cp.rootHash)) rec.problem({ file, message: `same tree size ${cp.size} but a different root: the log was rewritten (fork)` });
    return `same tree size ${fmt(cp.size)}, same root`;
  }
  const [first, second] = saved.size < cp.size ? [saved, cp] : [cp, saved];
  const proofs = [...(opts.consistencyProofs ?? []), ...(material.consistency?.proofs ?? [])];
  const p = proofs.find((x) => x.first === first.size && x.second === second.size);
  if (!p) {
    rec.problem({
      file,
      message:
        `missing: a consistency proof from tree size ${first.size} to ${second.size}. The package carries proofs from sizes ` +
        `[${(material.consistency?.proofs ?? []).map((x) => x.first).join(", ") || "none"}]. Fetch GET /api/v1/audit/consistency?first=${first.size}&second=${second.size} ` +
        `from the service and pass it with --consistency-proof <file>`,
    });
    return "";
  }
  const hashes = p.hashes.map((h) => fromHex(h)!);
  if (!verifyConsistency({ first: first.size, second: second.size, firstRoot: first.rootHash, secondRoot: second.rootHash, proof: hashes })) {
    rec.problem({ file, message: `the tree of size ${second.size} does not extend the one of size ${first.size}: entries up to seq ${first.size} were changed or removed (the consistency proof fails)` });
  }
  return saved.size < cp.size
    ? `the package's tree (size ${fmt(cp.size)}) extends the saved checkpoint (size ${fmt(saved.size)}): consistency proof verified`
    : `the saved checkpoint (size ${fmt(saved.size)}) extends the package's tree (size ${fmt(cp.size)}): consistency proof verified`;
}
