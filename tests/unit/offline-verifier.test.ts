import crypto from "node:crypto";
import { ZipArchive } from "archiver";
import { describe, expect, it } from "vitest";
import { canonicalJson, chainHash } from "@/lib/audit/canonical-json";
import type { StoredEvent } from "@/lib/audit/event-schema";
import { csvHeader, csvLines, verifiableJsonlEntry } from "@/lib/exports/format-entries";
import {
  CONSISTENCY_FORMAT,
  JSONL_TRAILER_FORMAT,
  jsonlStatement,
  manifestStatement,
  MULTIPROOF_FORMAT,
  TRAILER_KEY,
  VERIFICATION_FILES,
} from "@/lib/exports/verification-format";
import { formatCheckpoint } from "@/lib/integrity/checkpoint";
import { cosignCheckpoint, generateCosignerKey } from "@/lib/integrity/cosignature";
import { toHex } from "@/lib/integrity/encoding";
import { addSignatureLines, generateSigner, signNote } from "@/lib/integrity/signed-note";
import { consistencyProofRanges, leafHash, multiProofRanges, rootFromLeafHashes } from "@/lib/integrity/merkle";
import { verifyExport, type VerifyReport } from "@/lib/verifier/verify-export";

/**
 * The offline verifier on packages assembled here from the pure libraries (the same format the
 * exporter writes; tests/integration/verifiable-exports.test.ts runs it on the real exporter's output).
 */

const log = generateSigner("audit.example/log");
const witness = generateCosignerKey("witness.example");
const ORIGIN = "audit.example/log/acme";

/** A chain of n entries; two share a timestamp; details with astral and BMP private-use keys. */
function chain(n: number): StoredEvent[] {
  const out: StoredEvent[] = [];
  let prev: string | null = null;
  for (let seq = 1; seq <= n; seq++) {
    const content = {
      id: `ev-${seq}`,
      seq,
      timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, Math.floor(seq / 2))).toISOString().replace(".000Z", "Z"),
      received_at: "2025-01-02T00:00:00Z",
      actor: { id: `u${seq % 3}`, type: "user" as const },
      action: seq % 2 ? "access.granted" : "config.changed",
      resource: { type: "policy", id: `p${seq % 4}` },
      ...(seq % 5 === 0 && { details: { "\uffff": 1, "😀": 2, n: seq } }),
    };
    const hash = chainHash(prev, canonicalJson(content));
    out.push({ ...content, hash, previous_hash: prev });
    prev = hash;
  }
  return out;
}

const leafOf = (e: StoredEvent) => {
  const { hash: _h, previous_hash: _p, ...content } = e;
  return leafHash(canonicalJson(content));
};

function material(all: StoredEvent[], included: StoredEvent[], size = all.length, witnessedAt: number[] = []) {
  const leaves = all.slice(0, size).map(leafOf);
  const root = rootFromLeafHashes(leaves);
  const checkpoint = signNote({ text: formatCheckpoint({ origin: ORIGIN, size, rootHash: root }), signer: log.skey });
  const nodes = multiProofRanges(
    included.map((e) => e.seq - 1),
    size,
  ).map((r) => ({ start: r.start, end: r.end, hash: toHex(rootFromLeafHashes(leaves.slice(r.start, r.end))) }));
  const proofs = [3, 10, ...witnessedAt].filter((f) => f < size).map((first) => ({ first, second: size, hashes: consistencyProofRanges(first, size).map((r) => toHex(rootFromLeafHashes(leaves.slice(r.start, r.end)))) }));
  return {
    log: { origin: ORIGIN, tree_size: size, root_hash: toHex(root) },
    checkpoint,
    publicKey: log.vkey,
    proof: { format: MULTIPROOF_FORMAT, origin: ORIGIN, tree_size: size, nodes },
    consistency: {
      format: CONSISTENCY_FORMAT,
      origin: ORIGIN,
      tree_size: size,
      proofs,
      ...(witnessedAt.length && {
        witnessed: witnessedAt.map((n) => {
          const note = signNote({ text: formatCheckpoint({ origin: ORIGIN, size: n, rootHash: rootFromLeafHashes(leaves.slice(0, n)) }), signer: log.skey });
          return addSignatureLines(note, [cosignCheckpoint({ checkpointNote: note, signer: witness.skey, time: 1_700_000_000 })]);
        }),
      }),
    },
  };
}

const newestFirst = (es: StoredEvent[]) => [...es].sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp) || b.seq - a.seq);
const jsonl = (es: StoredEvent[], shape: (e: StoredEvent) => unknown = (e) => e) => es.map((e) => `${JSON.stringify(shape(e))}\n`).join("");
const sha = (b: Buffer | string) => crypto.createHash("sha256").update(b).digest("hex");

async function buildZip(files: Array<[string, Buffer]>): Promise<Buffer> {
  const archive = new ZipArchive({ zlib: { level: 6 } });
  const parts: Buffer[] = [];
  archive.on("data", (d: Buffer) => parts.push(d));
  const ended = new Promise<void>((res, rej) => {
    archive.on("end", () => res());
    archive.on("error", rej);
  });
  for (const [name, b] of files) archive.append(b, { name });
  await archive.finalize();
  await ended;
  return Buffer.concat(parts);
}

interface ZipParts {
  witnessedAt?: number[];
  events?: string;
  section?: string;
  checkpoint?: string;
  sig?: (manifestSha: string) => string;
  manifest?: (m: Record<string, unknown>) => Record<string, unknown>;
}

/** An evidence ZIP of entries 5..30 of a 40-entry log (checkpoint at 40), with a section file. */
async function evidenceZip(parts: ZipParts = {}) {
  const all = chain(40);
  const included = newestFirst(all.slice(4, 30));
  const m = material(all, included, all.length, parts.witnessedAt);
  const events = parts.events ?? jsonl(included);
  const section = parts.section ?? jsonl(included.filter((e) => e.action === "access.granted"));
  const files: Array<[string, Buffer]> = [
    ["README.md", Buffer.from("# readme\n")],
    ["events.jsonl", Buffer.from(events)],
    ["access_logs.jsonl", Buffer.from(section)],
    [VERIFICATION_FILES.checkpoint, Buffer.from(parts.checkpoint ?? m.checkpoint)],
    [VERIFICATION_FILES.publicKey, Buffer.from(`${m.publicKey}\n`)],
    [VERIFICATION_FILES.proof, Buffer.from(JSON.stringify(m.proof))],
    [VERIFICATION_FILES.consistency, Buffer.from(JSON.stringify(m.consistency))],
  ];
  const clean = { events: jsonl(included), section: jsonl(included.filter((e) => e.action === "access.granted")) };
  let manifest: Record<string, unknown> = {
    files: files.map(([name, b]) => {
      // The manifest lists the untampered files (the tampering happened after packaging).
      const orig = name === "events.jsonl" ? Buffer.from(clean.events) : name === "access_logs.jsonl" ? Buffer.from(clean.section) : name === VERIFICATION_FILES.checkpoint ? Buffer.from(m.checkpoint) : b;
      return { name, sha256: sha(orig), bytes: orig.length, ...(name.endsWith(".jsonl") && { entries: orig.toString().split("\n").length - 1 }) };
    }),
    log: m.log,
  };
  if (parts.manifest) manifest = parts.manifest(manifest);
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2));
  files.push(["manifest.json", manifestBytes]);
  files.push(["manifest.sig", Buffer.from(parts.sig ? parts.sig(sha(manifestBytes)) : signNote({ text: manifestStatement(sha(manifestBytes)), signer: log.skey }))]);
  return { zip: await buildZip(files), all, included, m, clean };
}

function jsonlExport(lines?: (ls: string[]) => string[], opts: { signer?: string; none?: boolean } = {}) {
  const all = chain(40);
  const included = opts.none ? [] : newestFirst(all.filter((e) => e.action === "config.changed" && e.seq <= 36));
  const m = material(all, included);
  let ls = included.length ? jsonl(included, verifiableJsonlEntry).split("\n").slice(0, -1) : [];
  const bodySha = sha(ls.map((l) => `${l}\n`).join(""));
  const trailer = {
    format: JSONL_TRAILER_FORMAT,
    lines: ls.length,
    sha256: bodySha,
    ...m,
    public_key: m.publicKey,
    signature: signNote({ text: jsonlStatement(bodySha, ls.length), signer: opts.signer ?? log.skey }),
  };
  delete (trailer as { publicKey?: string }).publicKey;
  if (lines) ls = lines(ls);
  return { bytes: Buffer.from(`${[...ls, JSON.stringify({ [TRAILER_KEY]: trailer })].join("\n")}\n`), included, m };
}

function expectProblem(r: VerifyReport, match: { file?: string; line?: number; seq?: number; message: RegExp }) {
  expect(r.ok).toBe(false);
  const hit = r.problems.find((p) => match.message.test(p.message) && (match.file === undefined || p.file === match.file) && (match.line === undefined || p.line === match.line) && (match.seq === undefined || p.seq === match.seq));
  expect(hit, `no problem like ${String(match.message)} (${JSON.stringify(match)}) in ${JSON.stringify(r.problems, null, 1)}`).toBeDefined();
}

const verify = (bytes: Buffer, extra: Partial<Parameters<typeof verifyExport>[0]> = {}) => verifyExport({ bytes, fileName: "pkg", key: log.vkey, ...extra });

describe("offline verifier: evidence ZIP", () => {
  it("a sound package verifies (entries, links, order, files, signatures, multiproof)", async () => {
    const { zip } = await evidenceZip();
    const r = await verify(zip);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.entries).toBe(26);
    expect(r.checkpoint).toMatchObject({ origin: ORIGIN, size: 40 });
    expect(r.checks.map((c) => [c.name, c.status])).toEqual([
      ["files", "ok"],
      ["entries", "ok"],
      ["links", "ok"],
      ["log key", "ok"],
      ["signature", "ok"],
      ["checkpoint", "ok"],
      ["merkle proof", "ok"],
      ["witnesses", "skip"],
      ["saved checkpoint", "skip"],
    ]);
    const unpinned = await verifyExport({ bytes: zip, fileName: "pkg" });
    expect(unpinned.ok).toBe(true);
    expect(unpinned.warnings.join(" ")).toMatch(/NOT PINNED/);
  });

  it("one changed byte in an entry: named by file, line and seq", async () => {
    const { clean } = await evidenceZip();
    const ls = clean.events.split("\n");
    const k = ls.findIndex((l, i) => i >= 5 && l.includes('"access.granted"'));
    ls[k] = ls[k]!.replace('"action":"', '"action":"x');
    const seq = (JSON.parse(ls[k]!) as { seq: number }).seq;
    const r = await verify((await evidenceZip({ events: ls.join("\n") })).zip);
    expectProblem(r, { file: "events.jsonl", line: k + 1, seq, message: /hash does not recompute/ });
    expectProblem(r, { file: "events.jsonl", message: /SHA-256 differs from manifest/ });
    expectProblem(r, { file: "access_logs.jsonl", seq, message: new RegExp(`differs from the same seq in events\\.jsonl line ${k + 1}`) });
  });

  it("a dropped line: the proved seq that is absent is named, with its neighbour", async () => {
    const { clean } = await evidenceZip();
    const ls = clean.events.split("\n");
    const k = ls.findIndex((l, i) => i >= 8 && l.includes('"config.changed"'));
    const seq = (JSON.parse(ls[k]!) as { seq: number }).seq;
    ls.splice(k, 1);
    const r = await verify((await evidenceZip({ events: ls.join("\n") })).zip);
    expectProblem(r, { seq, message: new RegExp(`seq ${seq} is part of the proved entries but absent from the package \\(it would be next to events\\.jsonl line \\d+, seq \\d+\\): a line was dropped`) });
    expectProblem(r, { file: "events.jsonl", message: /25 entries, manifest\.json says 26/ });
    // An entry dropped from events.jsonl that a section still holds: named in the section.
    const j = clean.events.split("\n").findIndex((l) => l.includes('"access.granted"'));
    const accessSeq = (JSON.parse(clean.events.split("\n")[j]!) as { seq: number }).seq;
    const r1 = await verify((await evidenceZip({ events: clean.events.split("\n").filter((_, i) => i !== j).join("\n") })).zip);
    expectProblem(r1, { file: "access_logs.jsonl", seq: accessSeq, message: /not in events\.jsonl/ });
    // A section entry dropped (it is still in events.jsonl): the section's count and hash name it.
    const sec = clean.section.split("\n");
    sec.splice(2, 1);
    const r2 = await verify((await evidenceZip({ section: sec.join("\n") })).zip);
    expectProblem(r2, { file: "access_logs.jsonl", message: /entries, manifest\.json says/ });
  });

  it("two lines swapped: out of order at the second one", async () => {
    const { clean } = await evidenceZip();
    const ls = clean.events.split("\n");
    [ls[3], ls[4]] = [ls[4]!, ls[3]!];
    const r = await verify((await evidenceZip({ events: ls.join("\n") })).zip);
    expectProblem(r, { file: "events.jsonl", line: 5, seq: (JSON.parse(ls[4]!) as { seq: number }).seq, message: /out of order/ });
  });

  it("manifest.sig by another key, manifest.sig over other content, a wrong pinned key, an extra or a missing file", async () => {
    const other = generateSigner("audit.example/log");
    const forged = await evidenceZip({ sig: (s) => signNote({ text: manifestStatement(s), signer: other.skey }) });
    expectProblem(await verify(forged.zip), { file: "manifest.sig", message: /no valid signature by the log key/ });
    const stale = await evidenceZip({ sig: () => signNote({ text: manifestStatement("0".repeat(64)), signer: log.skey }) });
    expectProblem(await verify(stale.zip), { file: "manifest.sig", message: /the signed content was changed/ });
    const { zip } = await evidenceZip();
    expectProblem(await verify(zip, { key: other.vkey }), { file: VERIFICATION_FILES.publicKey, message: /is not the pinned key/ });
    const extra = await evidenceZip({ manifest: (m) => ({ ...m, files: (m.files as Array<{ name: string }>).filter((f) => f.name !== "README.md") }) });
    expectProblem(await verify(extra.zip), { file: "README.md", message: /not listed in manifest\.json/ });
    const missing = await evidenceZip({ manifest: (m) => ({ ...m, files: [...(m.files as object[]), { name: "gone.jsonl", sha256: "0".repeat(64), bytes: 1 }] }) });
    expectProblem(await verify(missing.zip), { file: "gone.jsonl", message: /missing from the ZIP/ });
  });

  it("a forged checkpoint (changed size, root or origin; another key) fails", async () => {
    const all = chain(40);
    const other = generateSigner("audit.example/log");
    const good = material(all, all.slice(4, 30));
    const text = good.checkpoint.split("\n\n")[0]! + "\n";
    const swapLine = (i: number, v: string) => {
      const l = text.split("\n");
      l[i] = v;
      return l.join("\n");
    };
    const sigLines = good.checkpoint.slice(text.length);
    for (const [what, note] of [
      ["size", swapLine(1, "41") + sigLines],
      ["origin", swapLine(0, "evil.example/acme") + sigLines],
      ["root", swapLine(2, Buffer.alloc(32, 7).toString("base64")) + sigLines],
      ["key", signNote({ text, signer: other.skey })],
    ] as const) {
      const r = await verify((await evidenceZip({ checkpoint: note })).zip);
      expectProblem(r, { file: VERIFICATION_FILES.checkpoint, message: /(no valid signature by the log key|not a signed note)/ });
      expect(r.ok, what).toBe(false);
    }
  });

  it("witness cosignatures: required keys must have cosigned", async () => {
    const { m } = await evidenceZip();
    const cosigned = addSignatureLines(m.checkpoint, [cosignCheckpoint({ checkpointNote: m.checkpoint, signer: witness.skey, time: 1_700_000_000 })]);
    const ok = await verify((await evidenceZip({ checkpoint: cosigned, manifest: (x) => x })).zip, { witnessKeys: [witness.vkey] });
    // The checkpoint file differs from the one the manifest hashed (cosignatures arrive later): named, but the cosignature holds.
    expect(ok.checks.find((c) => c.name === "witnesses")?.status).toBe("ok");
    // The package's own checkpoint is not cosigned, but an earlier one it carries is: it counts when it covers every entry (seq ≤ 30).
    const earlier = await verify((await evidenceZip({ witnessedAt: [35] })).zip, { witnessKeys: [witness.vkey] });
    expect(earlier.problems).toEqual([]);
    expect(earlier.checks.find((c) => c.name === "witnesses")?.detail).toMatch(/cosigned tree size 35, which covers every entry/);
    const tooOld = await verify((await evidenceZip({ witnessedAt: [20] })).zip, { witnessKeys: [witness.vkey] });
    expectProblem(tooOld, { message: /size 20\) does not count: it does not cover seq 21–30/ });
    const other = generateCosignerKey("witness2.example");
    const r = await verify((await evidenceZip()).zip, { witnessKeys: [other.vkey] });
    expectProblem(r, { file: VERIFICATION_FILES.checkpoint, message: /no cosignature by witness witness2\.example/ });
  });

  it("a saved checkpoint: same size, a packaged consistency proof, a missing one (named API call), a fork", async () => {
    const { zip, all } = await evidenceZip();
    const leaves = all.map(leafOf);
    const saved = (size: number, ls = leaves) => signNote({ text: formatCheckpoint({ origin: ORIGIN, size, rootHash: rootFromLeafHashes(ls.slice(0, size)) }), signer: log.skey });
    expect((await verify(zip, { savedCheckpoint: saved(40) })).ok).toBe(true);
    const viaPackage = await verify(zip, { savedCheckpoint: saved(10) });
    expect(viaPackage.problems).toEqual([]);
    expect(viaPackage.checks.find((c) => c.name === "saved checkpoint")?.detail).toMatch(/extends the saved checkpoint \(size 10\)/);
    const r = await verify(zip, { savedCheckpoint: saved(20) });
    expectProblem(r, { file: "--checkpoint", message: /missing: a consistency proof from tree size 20 to 40.*GET \/api\/v1\/audit\/consistency\?first=20&second=40/ });
    const hashes = consistencyProofRanges(20, 40).map((x) => toHex(rootFromLeafHashes(leaves.slice(x.start, x.end))));
    expect((await verify(zip, { savedCheckpoint: saved(20), consistencyProofs: [{ first: 20, second: 40, hashes }] })).ok).toBe(true);
    const forked = leaves.map((l, i) => (i === 2 ? leafHash("rewritten") : l));
    expectProblem(await verify(zip, { savedCheckpoint: saved(10, forked) }), { message: /does not extend the one of size 10/ });
    expectProblem(await verify(zip, { savedCheckpoint: saved(40, forked) }), { message: /different root: the log was rewritten/ });
  });
});

describe("offline verifier: JSONL export", () => {
  it("a sound export verifies; the AppSec+ members are checked against canonical", async () => {
    const { bytes, included } = jsonlExport();
    const r = await verify(bytes);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.entries).toBe(included.length);
    const shown = jsonlExport((ls) => ls.map((l, i) => (i === 2 ? l.replace('"type":"policy"', '"type":"polic3"') : l)));
    expectProblem(await verify(shown.bytes), { line: 3, seq: shown.included[2]!.seq, message: /AppSec\+ members differ/ });
  });

  it("changed byte, dropped line, swapped lines, cut trailer, forged signature, wrong key", async () => {
    const { included } = jsonlExport();
    const changed = jsonlExport((ls) => ls.map((l, i) => (i === 4 ? l.replace(/("canonical":\{.*"id":"ev-)/, "$1 ") : l)));
    expectProblem(await verify(changed.bytes), { line: 5, seq: included[4]!.seq, message: /hash does not recompute/ });
    expectProblem(await verify(changed.bytes), { message: /SHA-256 of lines 1–\d+ differs/ });
    const dropped = jsonlExport((ls) => ls.filter((_, i) => i !== 4));
    expectProblem(await verify(dropped.bytes), { seq: included[4]!.seq, message: /absent from the package/ });
    const swapped = jsonlExport((ls) => {
      const c = [...ls];
      [c[1], c[2]] = [c[2]!, c[1]!];
      return c;
    });
    expectProblem(await verify(swapped.bytes), { line: 3, seq: included[1]!.seq, message: /out of order/ });
    const cut = Buffer.from(jsonlExport().bytes.toString().split("\n").slice(0, -2).join("\n") + "\n");
    expectProblem(await verify(cut), { message: /not the "audit_trail_verification" trailer/ });
    const forged = jsonlExport(undefined, { signer: generateSigner("audit.example/log").skey });
    expectProblem(await verify(forged.bytes), { message: /no valid signature by the log key/ });
    expect((await verify(jsonlExport().bytes, { key: generateSigner("x").vkey })).ok).toBe(false);
  });

  it("an export that matched nothing verifies (the proof is the whole tree), and a line added to it is named", async () => {
    const empty = jsonlExport(undefined, { none: true });
    const r = await verify(empty.bytes);
    expect(r.problems).toEqual([]);
    expect(r.entries).toBe(0);
    const added = jsonlExport((ls) => [JSON.stringify(verifiableJsonlEntry(chain(40)[9]!)), ...ls], { none: true });
    expectProblem(await verify(added.bytes), { line: 1, seq: 10, message: /not one the proof was made for/ });
  });

  it("a CSV export is named as not verifiable", async () => {
    const r = await verify(Buffer.from(`${csvHeader()}${csvLines(chain(3))}`));
    expectProblem(r, { file: "pkg", message: /CSV export: .*Export JSONL to verify/ });
  });
});
