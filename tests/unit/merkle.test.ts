import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromBase64, fromHex, toHex } from "@/lib/integrity/encoding";
import {
  EMPTY_ROOT,
  consistencyProofRanges,
  extendFrontier,
  extendFrontierWithRoots,
  frontierRoot,
  hashFromPerfectSubtrees,
  inclusionProofRanges,
  leafHash,
  multiProofRanges,
  nodeHash,
  rangeKey,
  rangeToPerfectSubtrees,
  rootFromInclusionProof,
  rootFromLeafHashes,
  rootFromMultiProof,
  verifyConsistency,
  verifyInclusion,
  type Range,
} from "@/lib/integrity/merkle";
import consistencyProbes from "./vectors/transparency-dev-merkle-consistency-probes.json";
import inclusionProbes from "./vectors/transparency-dev-merkle-inclusion-probes.json";
import reference from "./vectors/transparency-dev-merkle-reference.json";

const hex = (s: string): Uint8Array => {
  const b = fromHex(s);
  if (!b) throw new Error(`bad hex ${s}`);
  return b;
};
/** The probes' []byte fields: base64 as Go's encoding/json writes them; null → empty. */
const b64 = (s: string | null | undefined): Uint8Array => {
  if (s === null || s === undefined) return new Uint8Array(0);
  const b = fromBase64(s);
  if (!b) throw new Error(`bad base64 ${s}`);
  return b;
};

const refLeaves = reference.leafInputs.map((h) => leafHash(hex(h)));
const refRoot = (size: number): Uint8Array => hex(reference.rootHashes[size]!);
const hashOfRange = (leaves: Uint8Array[]) => (r: Range) => rootFromLeafHashes(leaves.slice(r.start, r.end));

/** RFC 9162 §2.1.3.1 PATH and §2.1.4.1 PROOF written recursively, straight from the RFC, as an oracle. */
const largestPow2Below = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};
function rfcPath(m: number, start: number, end: number): Range[] {
  const n = end - start;
  if (n <= 1) return [];
  const k = largestPow2Below(n);
  return m < k ? [...rfcPath(m, start, start + k), { start: start + k, end }] : [...rfcPath(m - k, start + k, end), { start, end: start + k }];
}
function rfcSubproof(m: number, start: number, end: number, b: boolean): Range[] {
  const n = end - start;
  if (m === n) return b ? [] : [{ start, end }];
  const k = largestPow2Below(n);
  return m <= k
    ? [...rfcSubproof(m, start, start + k, b), { start: start + k, end }]
    : [...rfcSubproof(m - k, start + k, end, false), { start, end: start + k }];
}

const flipBit = (b: Uint8Array, bit: number): Uint8Array => {
  const c = b.slice();
  c[Math.floor(bit / 8) % c.length]! ^= 1 << bit % 8;
  return c;
};

describe("transparency-dev/merkle reference tree (testonly/constants.go)", () => {
  it("leaf hashes are the level-0 node hashes", () => {
    expect(refLeaves.map(toHex)).toEqual(reference.nodeHashes[0]);
  });

  it("roots for sizes 0..8", () => {
    expect(toHex(EMPTY_ROOT)).toBe(reference.rootHashes[0]);
    for (let size = 0; size <= 8; size++) expect(toHex(rootFromLeafHashes(refLeaves.slice(0, size)))).toBe(reference.rootHashes[size]);
  });

  it("interior node hashes", () => {
    reference.nodeHashes.forEach((level, l) =>
      level.forEach((h, i) => expect(toHex(rootFromLeafHashes(refLeaves.slice(i * 2 ** l, (i + 1) * 2 ** l)))).toBe(h)),
    );
    expect(toHex(nodeHash(refLeaves[0]!, refLeaves[1]!))).toBe(reference.nodeHashes[1]![0]);
  });

  it("the right frontier after each size is the reference compact tree, and its root the reference root", () => {
    let state = { frontier: [] as Uint8Array[], size: 0 };
    for (let size = 0; size <= 8; size++) {
      if (size > 0) state = extendFrontier({ ...state, leafHashes: [refLeaves[size - 1]!] });
      expect(state.frontier.map(toHex)).toEqual(reference.compactTrees[size]);
      expect(toHex(frontierRoot(state.frontier))).toBe(reference.rootHashes[size]);
    }
  });

  it("completed subtrees are exactly the reference interior nodes", () => {
    const { completed } = extendFrontier({ frontier: [], size: 0, leafHashes: refLeaves });
    const got = completed.map((c) => `${c.level}/${c.index}/${toHex(c.hash)}`).sort();
    const want = reference.nodeHashes.flatMap((level, l) => (l === 0 ? [] : level.map((h, i) => `${l}/${i}/${h}`))).sort();
    expect(got).toEqual(want);
  });

  it("golden inclusion proofs (leaf numbers 1-based, as in the Go table)", () => {
    expect(reference.inclusionProofs.length).toBeGreaterThan(3);
    for (const v of reference.inclusionProofs) {
      if (v.leaf === 0 || v.leaf > v.size) {
        expect(() => inclusionProofRanges(v.leaf - 1, v.size)).toThrow();
        continue;
      }
      const ranges = inclusionProofRanges(v.leaf - 1, v.size);
      expect(ranges.map(hashOfRange(refLeaves)).map(toHex)).toEqual(v.proof);
      expect(verifyInclusion({ index: v.leaf - 1, size: v.size, leafHash: refLeaves[v.leaf - 1]!, proof: v.proof.map(hex), root: refRoot(v.size) })).toBe(true);
    }
  });

  it("golden consistency proofs", () => {
    expect(reference.consistencyProofs.length).toBeGreaterThan(3);
    for (const v of reference.consistencyProofs) {
      expect(consistencyProofRanges(v.size1, v.size2).map(hashOfRange(refLeaves)).map(toHex)).toEqual(v.proof);
      expect(
        verifyConsistency({ first: v.size1, second: v.size2, firstRoot: refRoot(v.size1), secondRoot: refRoot(v.size2), proof: v.proof.map(hex) }),
      ).toBe(true);
    }
  });

  it("every inclusion and consistency proof over the 8 leaves matches the RFC's recursive definition and verifies", () => {
    for (let size = 1; size <= 8; size++) {
      for (let i = 0; i < size; i++) {
        const ranges = inclusionProofRanges(i, size);
        expect(ranges).toEqual(rfcPath(i, 0, size));
        expect(verifyInclusion({ index: i, size, leafHash: refLeaves[i]!, proof: ranges.map(hashOfRange(refLeaves)), root: refRoot(size) })).toBe(true);
      }
      for (let m = 1; m <= size; m++) {
        const ranges = consistencyProofRanges(m, size);
        expect(ranges).toEqual(m === size ? [] : rfcSubproof(m, 0, size, true));
        expect(verifyConsistency({ first: m, second: size, firstRoot: refRoot(m), secondRoot: refRoot(size), proof: ranges.map(hashOfRange(refLeaves)) })).toBe(true);
      }
    }
  });
});

describe("transparency-dev/merkle JSON probes (testdata/)", () => {
  it(`inclusion: ${inclusionProbes.probes.length} probes give the expected verdict`, () => {
    expect(inclusionProbes.probes.length).toBeGreaterThan(90);
    const wrong = inclusionProbes.probes.filter((p) => {
      const ok = verifyInclusion({ index: p.leafIdx, size: p.treeSize, leafHash: b64(p.leafHash), proof: (p.proof ?? []).map(b64), root: b64(p.root) });
      return ok === p.wantErr;
    });
    expect(wrong.map((p) => `${p.path}: ${p.desc}`)).toEqual([]);
    expect(inclusionProbes.probes.some((p) => !p.wantErr)).toBe(true);
    expect(inclusionProbes.probes.some((p) => p.wantErr)).toBe(true);
  });

  it(`consistency: ${consistencyProbes.probes.length} probes give the expected verdict`, () => {
    expect(consistencyProbes.probes.length).toBeGreaterThan(90);
    const wrong = consistencyProbes.probes.filter((p) => {
      const ok = verifyConsistency({ first: p.size1, second: p.size2, firstRoot: b64(p.root1), secondRoot: b64(p.root2), proof: (p.proof ?? []).map(b64) });
      return ok === p.wantErr;
    });
    expect(wrong.map((p) => `${p.path}: ${p.desc}`)).toEqual([]);
  });
});

describe("ranges", () => {
  it("rangeToPerfectSubtrees: examples", () => {
    expect(rangeToPerfectSubtrees(0, 0)).toEqual([]);
    expect(rangeToPerfectSubtrees(0, 7)).toEqual([{ level: 2, index: 0 }, { level: 1, index: 2 }, { level: 0, index: 6 }]);
    expect(rangeToPerfectSubtrees(3, 13)).toEqual([{ level: 0, index: 3 }, { level: 2, index: 1 }, { level: 2, index: 2 }, { level: 0, index: 12 }]);
    expect(rangeToPerfectSubtrees(2 ** 40, 2 ** 40 + 2 ** 39 + 1)).toEqual([{ level: 39, index: 2 }, { level: 0, index: 2 ** 40 + 2 ** 39 }]);
  });

  it("multiProofRanges: examples", () => {
    expect(multiProofRanges([], 5)).toEqual([{ start: 0, end: 5 }]);
    expect(multiProofRanges([], 0)).toEqual([]);
    expect(multiProofRanges([2], 5)).toEqual(inclusionProofRanges(2, 5).sort((a, b) => a.start - b.start));
    expect(multiProofRanges([0, 1, 2, 3, 4], 5)).toEqual([]);
    expect(multiProofRanges([1, 6], 8)).toEqual([{ start: 0, end: 1 }, { start: 2, end: 4 }, { start: 4, end: 6 }, { start: 7, end: 8 }]);
    expect(() => multiProofRanges([5], 5)).toThrow(/within tree size/);
  });

  it("proof builders refuse impossible arguments", () => {
    expect(() => inclusionProofRanges(3, 3)).toThrow();
    expect(() => inclusionProofRanges(-1, 3)).toThrow();
    expect(() => consistencyProofRanges(4, 3)).toThrow();
    expect(() => extendFrontier({ frontier: [], size: 3, leafHashes: [] })).toThrow(/frontier/);
  });
});

// ---------------------------------------------------------------------------------------------------
// Property tests over random trees

/** Random leaves, all distinct (the position is part of the data). */
const leavesArb = (min: number, max: number) =>
  fc.array(fc.uint8Array({ minLength: 0, maxLength: 12 }), { minLength: min, maxLength: max }).map((ds) => ds.map((d, i) => leafHash(`${i}:${toHex(d)}`)));

describe("properties (random trees)", () => {
  it("every inclusion proof verifies; any flipped bit in proof, leaf or root, or another index, fails", () => {
    fc.assert(
      fc.property(leavesArb(1, 70), fc.nat(), fc.nat(), (leaves, iSeed, bit) => {
        const size = leaves.length;
        const index = iSeed % size;
        const root = rootFromLeafHashes(leaves);
        const ranges = inclusionProofRanges(index, size);
        expect(ranges).toEqual(rfcPath(index, 0, size));
        const proof = ranges.map(hashOfRange(leaves));
        // the decomposition into perfect subtrees gives the same range hashes (how storage computes them)
        ranges.forEach((r, k) => {
          const parts = rangeToPerfectSubtrees(r.start, r.end).map((s) => rootFromLeafHashes(leaves.slice(s.index * 2 ** s.level, (s.index + 1) * 2 ** s.level)));
          expect(toHex(hashFromPerfectSubtrees(parts))).toBe(toHex(proof[k]!));
        });
        expect(verifyInclusion({ index, size, leafHash: leaves[index]!, proof, root })).toBe(true);
        expect(toHex(rootFromInclusionProof({ index, size, leafHash: leaves[index]!, proof })!)).toBe(toHex(root));
        expect(verifyInclusion({ index, size, leafHash: flipBit(leaves[index]!, bit), proof, root })).toBe(false);
        expect(verifyInclusion({ index, size, leafHash: leaves[index]!, proof, root: flipBit(root, bit) })).toBe(false);
        if (proof.length > 0) {
          const k = bit % proof.length;
          const bad = proof.map((p, j) => (j === k ? flipBit(p, Math.floor(bit / proof.length)) : p));
          expect(verifyInclusion({ index, size, leafHash: leaves[index]!, proof: bad, root })).toBe(false);
          expect(verifyInclusion({ index, size, leafHash: leaves[index]!, proof: proof.slice(1), root })).toBe(false);
          expect(verifyInclusion({ index, size, leafHash: leaves[index]!, proof: [...proof, proof[0]!], root })).toBe(false);
          expect(verifyInclusion({ index: (index + 1) % size, size, leafHash: leaves[index]!, proof, root })).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("every consistency proof verifies; any flipped bit in proof or either root fails", () => {
    fc.assert(
      fc.property(leavesArb(1, 70), fc.nat(), fc.nat(), (leaves, mSeed, bit) => {
        const second = leaves.length;
        const first = 1 + (mSeed % second);
        const firstRoot = rootFromLeafHashes(leaves.slice(0, first));
        const secondRoot = rootFromLeafHashes(leaves);
        const ranges = consistencyProofRanges(first, second);
        expect(ranges).toEqual(first === second ? [] : rfcSubproof(first, 0, second, true));
        const proof = ranges.map(hashOfRange(leaves));
        expect(verifyConsistency({ first, second, firstRoot, secondRoot, proof })).toBe(true);
        expect(verifyConsistency({ first, second, firstRoot: flipBit(firstRoot, bit), secondRoot, proof })).toBe(false);
        expect(verifyConsistency({ first, second, firstRoot, secondRoot: flipBit(secondRoot, bit), proof })).toBe(false);
        if (proof.length > 0) {
          const k = bit % proof.length;
          const bad = proof.map((p, j) => (j === k ? flipBit(p, Math.floor(bit / proof.length)) : p));
          expect(verifyConsistency({ first, second, firstRoot, secondRoot, proof: bad })).toBe(false);
          expect(verifyConsistency({ first, second, firstRoot, secondRoot, proof: proof.slice(0, -1) })).toBe(false);
        }
        // a rewritten history (one leaf below `first` changed) has no valid proof from the old root
        const forged = leaves.slice();
        forged[bit % first] = leafHash(`forged ${bit}`);
        const forgedProof = consistencyProofRanges(first, second).map(hashOfRange(forged));
        expect(verifyConsistency({ first, second, firstRoot, secondRoot: rootFromLeafHashes(forged), proof: forgedProof })).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("multiproofs: the named nodes plus the chosen leaves give the root; a flipped bit anywhere changes it", () => {
    fc.assert(
      fc.property(leavesArb(1, 80), fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), fc.nat(), (leaves, picks, bit) => {
        const size = leaves.length;
        const indices = picks.map((p) => p % size);
        const root = rootFromLeafHashes(leaves);
        const ranges = multiProofRanges(indices, size);
        // sorted, disjoint, none contains a chosen leaf, and with the leaves they cover [0, size)
        const covered = new Set(indices);
        let last = -1;
        for (const r of ranges) {
          expect(r.start).toBeGreaterThan(last);
          last = r.end - 1;
          for (let i = r.start; i < r.end; i++) {
            expect(covered.has(i)).toBe(false);
            covered.add(i);
          }
        }
        expect(covered.size).toBe(size);
        const nodes = new Map(ranges.map((r) => [rangeKey(r), hashOfRange(leaves)(r)] as const));
        const leafMap = new Map(indices.map((i) => [i, leaves[i]!] as const));
        expect(toHex(rootFromMultiProof({ size, leaves: leafMap, nodes }))).toBe(toHex(root));
        const li = indices[bit % indices.length]!;
        const badLeaves = new Map(leafMap).set(li, flipBit(leaves[li]!, bit));
        expect(toHex(rootFromMultiProof({ size, leaves: badLeaves, nodes }))).not.toBe(toHex(root));
        if (ranges.length > 0) {
          const r = ranges[bit % ranges.length]!;
          const badNodes = new Map(nodes).set(rangeKey(r), flipBit(nodes.get(rangeKey(r))!, bit));
          expect(toHex(rootFromMultiProof({ size, leaves: leafMap, nodes: badNodes }))).not.toBe(toHex(root));
          const missing = new Map(nodes);
          missing.delete(rangeKey(r));
          expect(() => rootFromMultiProof({ size, leaves: leafMap, nodes: missing })).toThrow(/lacks/);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("the frontier extended batch by batch equals the root of all leaves, and `completed` lists every finished perfect subtree", () => {
    fc.assert(
      fc.property(leavesArb(0, 100), fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 12 }), (leaves, cuts) => {
        let state = { frontier: [] as Uint8Array[], size: 0 };
        const seen = new Map<string, string>();
        let pos = 0;
        for (const c of [...cuts, leaves.length]) {
          const end = Math.min(leaves.length, pos + c);
          const next = extendFrontier({ ...state, leafHashes: leaves.slice(pos, end) });
          for (const s of next.completed) {
            const start = s.index * 2 ** s.level;
            const stop = start + 2 ** s.level;
            expect(stop).toBeGreaterThan(pos);
            expect(stop).toBeLessThanOrEqual(end);
            expect(toHex(s.hash)).toBe(toHex(rootFromLeafHashes(leaves.slice(start, stop))));
            seen.set(`${s.level}/${s.index}`, toHex(s.hash));
          }
          state = next;
          pos = end;
          expect(state.size).toBe(pos);
          expect(toHex(frontierRoot(state.frontier))).toBe(toHex(rootFromLeafHashes(leaves.slice(0, pos))));
        }
        let expected = 0;
        for (let level = 1; 2 ** level <= leaves.length; level++) expected += Math.floor(leaves.length / 2 ** level);
        expect(seen.size).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it("extendFrontierWithRoots gives the root at every asked size inside the batch", () => {
    fc.assert(
      fc.property(leavesArb(0, 60), fc.nat({ max: 60 }), fc.array(fc.nat({ max: 130 }), { maxLength: 10 }), (leaves, startSeed, asked) => {
        const start = Math.min(startSeed, leaves.length);
        const before = extendFrontier({ frontier: [], size: 0, leafHashes: leaves.slice(0, start) });
        const r = extendFrontierWithRoots({ frontier: before.frontier, size: start, leafHashes: leaves.slice(start), rootsAt: asked });
        expect(r.size).toBe(leaves.length);
        expect(toHex(frontierRoot(r.frontier))).toBe(toHex(rootFromLeafHashes(leaves)));
        const inSpan = [...new Set(asked)].filter((s) => s >= start && s <= leaves.length).sort((a, b) => a - b);
        expect([...r.roots.keys()].sort((a, b) => a - b)).toEqual(inSpan);
        for (const [s, root] of r.roots) expect(toHex(root)).toBe(toHex(rootFromLeafHashes(leaves.slice(0, s))));
      }),
      { numRuns: 200 },
    );
  });

  it("rangeToPerfectSubtrees: contiguous, aligned, maximal", () => {
    fc.assert(
      fc.property(fc.nat({ max: 5000 }), fc.nat({ max: 5000 }), (a, len) => {
        const parts = rangeToPerfectSubtrees(a, a + len);
        let pos = a;
        for (const p of parts) {
          const w = 2 ** p.level;
          expect(p.index * w).toBe(pos);
          // maximal: the doubled subtree would be misaligned or leave the range
          expect(pos % (2 * w) !== 0 || pos + 2 * w > a + len).toBe(true);
          pos += w;
        }
        expect(pos).toBe(a + len);
      }),
    );
  });
});
