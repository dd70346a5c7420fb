import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCheckpoint } from "@/lib/integrity/checkpoint";
import { fromBase64, toHex } from "@/lib/integrity/encoding";
import { consistencyProofRanges, inclusionProofRanges, leafHash, rootFromLeafHashes, verifyConsistency, verifyInclusion, type Range } from "@/lib/integrity/merkle";
import { generateSigner, openNote, signNote } from "@/lib/integrity/signed-note";
import {
  importVerifierKey,
  leafHashAsync,
  openNoteAsync,
  verifyCheckpointAsync,
  verifyConsistencyAsync,
  verifyEntryProofAsync,
  verifyInclusionAsync,
} from "@/lib/integrity/web-verify";
import consistencyProbes from "./vectors/transparency-dev-merkle-consistency-probes.json";
import inclusionProbes from "./vectors/transparency-dev-merkle-inclusion-probes.json";
import v from "./vectors/signed-note-vectors.json";

const b64 = (s: string | null | undefined): Uint8Array => (s ? fromBase64(s)! : new Uint8Array(0));
const hashOfRange = (leaves: Uint8Array[]) => (r: Range) => rootFromLeafHashes(leaves.slice(r.start, r.end));

describe("web-verify runs in the browser", () => {
  it("nothing it imports (transitively) uses node: modules", () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = fs.readFileSync(file, "utf8");
      expect(src, file).not.toMatch(/from\s+["']node:|require\(["']node:|from\s+["'](crypto|fs|path|buffer)["']/);
      for (const m of src.matchAll(/from\s+["'](\.{1,2}\/[^"']+|@\/[^"']+)["']/g)) {
        const spec = m[1]!;
        const base = spec.startsWith("@/") ? path.join(root, spec.slice(2)) : path.resolve(path.dirname(file), spec);
        visit(fs.existsSync(`${base}.ts`) ? `${base}.ts` : base);
      }
    };
    visit(path.join(root, "lib/integrity/web-verify.ts"));
    expect(seen.size).toBeGreaterThan(3);
  });

  it("WebCrypto has Ed25519 here", async () => {
    const key = await importVerifierKey(v.golangNote.peterVkey);
    expect(key.kind).toBe("ed25519");
  });
});

describe("transparency-dev/merkle probes over WebCrypto", () => {
  it("inclusion", async () => {
    const wrong: string[] = [];
    for (const p of inclusionProbes.probes) {
      const ok = await verifyInclusionAsync({ index: p.leafIdx, size: p.treeSize, leafHash: b64(p.leafHash), proof: (p.proof ?? []).map(b64), root: b64(p.root) });
      if (ok === p.wantErr) wrong.push(p.path);
    }
    expect(inclusionProbes.probes.length).toBeGreaterThan(90);
    expect(wrong).toEqual([]);
  });

  it("consistency", async () => {
    const wrong: string[] = [];
    for (const p of consistencyProbes.probes) {
      const ok = await verifyConsistencyAsync({ first: p.size1, second: p.size2, firstRoot: b64(p.root1), secondRoot: b64(p.root2), proof: (p.proof ?? []).map(b64) });
      if (ok === p.wantErr) wrong.push(p.path);
    }
    expect(wrong).toEqual([]);
  });
});

describe("same verdicts as the sync implementation", () => {
  it("random trees, proofs and flipped bits", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.nat(), fc.nat(), fc.nat(), async (size, a, b, bit) => {
        const leaves = Array.from({ length: size }, (_, i) => leafHash(`leaf ${i} of ${a}`));
        expect(toHex(await leafHashAsync(`leaf 0 of ${a}`))).toBe(toHex(leaves[0]!));
        const root = rootFromLeafHashes(leaves);
        const index = a % size;
        const proof = inclusionProofRanges(index, size).map(hashOfRange(leaves));
        const flip = (x: Uint8Array) => {
          const c = x.slice();
          c[bit % 32]! ^= 1 << bit % 8;
          return c;
        };
        for (const args of [
          { index, size, leafHash: leaves[index]!, proof, root },
          { index, size, leafHash: flip(leaves[index]!), proof, root },
          { index, size, leafHash: leaves[index]!, proof, root: flip(root) },
          { index, size, leafHash: leaves[index]!, proof: proof.map((p, i) => (i === bit % Math.max(1, proof.length) ? flip(p) : p)), root },
        ]) {
          expect(await verifyInclusionAsync(args)).toBe(verifyInclusion(args));
        }
        expect(await verifyInclusionAsync({ index, size, leafHash: leaves[index]!, proof, root })).toBe(true);
        const first = 1 + (b % size);
        const cproof = consistencyProofRanges(first, size).map(hashOfRange(leaves));
        const firstRoot = rootFromLeafHashes(leaves.slice(0, first));
        for (const args of [
          { first, second: size, firstRoot, secondRoot: root, proof: cproof },
          { first, second: size, firstRoot: flip(firstRoot), secondRoot: root, proof: cproof },
          { first, second: size, firstRoot, secondRoot: root, proof: cproof.map((p, i) => (i === bit % Math.max(1, cproof.length) ? flip(p) : p)) },
        ]) {
          expect(await verifyConsistencyAsync(args)).toBe(verifyConsistency(args));
        }
        expect(await verifyConsistencyAsync({ first, second: size, firstRoot, secondRoot: root, proof: cproof })).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("signed notes: the published vectors", async () => {
    const go = v.golangNote;
    const r = v.realCheckpoint;
    const cases: Array<{ note: string; verifiers: string[] }> = [
      { note: go.text + "\n" + go.peterSig + go.enochSig, verifiers: [go.peterVkey] },
      { note: go.text + "\n" + go.peterSig + go.enochSig, verifiers: [go.peterVkey, go.enochVkey] },
      { note: go.invalidPeterSignatureNote, verifiers: [go.peterVkey] },
      { note: v.c2spSignedNote.note, verifiers: [v.c2spSignedNote.vkey] },
      { note: r.note, verifiers: [r.logVkey, r.witnessVkey] },
      { note: r.note.replace("\n1432088532\n", "\n42\n"), verifiers: [r.logVkey, r.witnessVkey] },
    ];
    for (const c of cases) expect(await openNoteAsync(c)).toEqual(openNote(c));
    expect((await openNoteAsync(cases[4]!)).signatures.filter((s) => s.verified)).toHaveLength(2);
    for (const note of go.malformedNotes) await expect(openNoteAsync({ note, verifiers: [go.peterVkey] })).rejects.toThrow();
    for (const k of [...go.badVkeys, ...v.formatsCosig.invalidVkeys]) await expect(importVerifierKey(k)).rejects.toThrow();
  });

  it("verifyCheckpointAsync: the real cosigned checkpoint", async () => {
    const r = v.realCheckpoint;
    const ok = await verifyCheckpointAsync({ note: r.note, vkey: r.logVkey, witnessKeys: [r.witnessVkey] });
    expect(ok.signatureValid).toBe(true);
    expect(ok.checkpoint?.size).toBe(1432088532);
    const other = await verifyCheckpointAsync({ note: r.note, vkey: v.c2spSignedNote.vkey });
    expect(other.signatureValid).toBe(false);
    expect(other.error).toMatch(/not signed by the log key/);
  });
});

describe("verifyEntryProofAsync (the entry page's check)", () => {
  const log = generateSigner("audit.example/acme");
  const contents = Array.from({ length: 11 }, (_, i) => JSON.stringify({ id: `e${i}`, seq: i + 1, details: { "\uffff": 1, "😀": 2 } }));
  const leaves = contents.map((c) => leafHash(c));
  const size = leaves.length;
  const note = signNote({ text: formatCheckpoint({ origin: "audit.example/acme", size, rootHash: rootFromLeafHashes(leaves) }), signer: log.skey });
  const proofFor = (i: number) => inclusionProofRanges(i, size).map(hashOfRange(leaves)).map(toHex);

  it("accepts every entry of the tree", async () => {
    for (let i = 0; i < size; i++) {
      const r = await verifyEntryProofAsync({ checkpointNote: note, vkey: log.vkey, canonicalContent: contents[i]!, leafHash: toHex(leaves[i]!), leafIndex: i, treeSize: size, proof: proofFor(i) });
      expect(r, JSON.stringify(r.error)).toMatchObject({ ok: true, signatureValid: true, inclusionValid: true, leafHashMatches: true });
    }
  });

  it("rejects changed content, a proof for another entry, another key, another tree size", async () => {
    const base = { checkpointNote: note, vkey: log.vkey, canonicalContent: contents[3]!, leafIndex: 3, treeSize: size, proof: proofFor(3) };
    const changed = await verifyEntryProofAsync({ ...base, canonicalContent: contents[3]!.replace("e3", "e4") });
    expect(changed.ok).toBe(false);
    expect(changed.error).toMatch(/inclusion proof/);
    const mismatch = await verifyEntryProofAsync({ ...base, leafHash: toHex(leaves[4]!) });
    expect(mismatch.ok).toBe(false);
    const otherProof = await verifyEntryProofAsync({ ...base, proof: proofFor(4) });
    expect(otherProof.ok).toBe(false);
    const otherKey = await verifyEntryProofAsync({ ...base, vkey: generateSigner("audit.example/acme").vkey });
    expect(otherKey).toMatchObject({ ok: false, signatureValid: false });
    const otherSize = await verifyEntryProofAsync({ ...base, treeSize: size + 1 });
    expect(otherSize.ok).toBe(false);
    expect(otherSize.error).toMatch(/tree size/);
  });
});
