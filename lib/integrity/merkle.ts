import crypto from "node:crypto";
import { AppError } from "@/lib/errors";
import { equalBytes } from "./encoding";
import { HASH_SIZE, consistencyPlan, inclusionSteps, isHash, isPowerOfTwo } from "./proof-steps";

/**
 * RFC 9162 §2.1 Merkle tree (the RFC 6962 tree of Certificate Transparency, Trillian, Go's checksum
 * database), synchronous over node:crypto SHA-256. Pure: no database, no I/O.
 *
 *   leaf hash  = SHA-256(0x00 ‖ data)
 *   node hash  = SHA-256(0x01 ‖ left ‖ right)
 *   MTH({})    = SHA-256("")
 *   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n]))   k = the largest power of two < n
 *
 * Proofs are described as *ranges* (`MTH(D[start:end])`, end exclusive), in the order the RFC puts
 * their hashes, so that storage can compute each range's hash however it likes (stored perfect
 * subtrees, leaf contents) and this module stays the one place that knows the tree's shape.
 * Sizes and indices are JavaScript numbers (exact up to 2^53); no 32-bit bit operations are used.
 */

export { HASH_SIZE };

/** A range of leaves [start, end): its hash is MTH(D[start:end]). */
export interface Range {
  start: number;
  end: number;
}

/** A perfect subtree: `level` 0 is a leaf; (level, index) covers [index·2^level, (index+1)·2^level). */
export interface Subtree {
  level: number;
  index: number;
}

/** Roots of the perfect subtrees of the binary decomposition of the tree size, left to right, largest first. */
export type Frontier = Uint8Array[];

// ---------------------------------------------------------------------------------------------------
// Hashing

// node:crypto's one-shot hash is fastest with a string digest: asking it for a Buffer costs about as
// much again as the hash itself (Node 20, measured: ~1.4 µs more per 65-byte node). So digests are
// taken as latin1 strings (one char per byte) and turned into bytes only where bytes are needed.
const digestLatin1 = (data: Uint8Array | string): string => crypto.hash("sha256", data, "binary"); // "binary" = latin1

/** A plain Uint8Array (not a Buffer, whose .slice() would not copy, which surprises callers) of a latin1 digest. */
const latin1Bytes = (s: string): Uint8Array => {
  const b = Buffer.from(s, "latin1");
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};

const sha256 = (data: Uint8Array): Uint8Array => latin1Bytes(digestLatin1(data));

/** SHA-256 of the empty string: the root of the empty tree. */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0));

/** SHA-256(0x00 ‖ bytes); a string is hashed as its UTF-8 bytes. */
export function leafHash(data: Uint8Array | string): Uint8Array {
  return latin1Bytes(leafHashLatin1(data));
}

/** leafHash as a latin1 string (one char per byte): what the frontier code works with. */
function leafHashLatin1(data: Uint8Array | string): string {
  // node:crypto encodes a string as UTF-8 itself: "\0" + data is exactly 0x00 ‖ UTF-8(data)
  if (typeof data === "string") return digestLatin1(`\0${data}`);
  const buf = new Uint8Array(data.length + 1);
  buf[0] = 0x00;
  buf.set(data, 1);
  return digestLatin1(buf);
}

// The hash size as a module-local constant: an imported binding can compile to a getter call per
// access (tsx, bundlers), which the per-node loops below would pay 64 times per node.
const H = HASH_SIZE;

// One scratch buffer for interior nodes: hashing is synchronous, so it is never shared.
const scratch = new Uint8Array(1 + 2 * H);
scratch[0] = 0x01;

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length === H && right.length === H) {
    scratch.set(left, 1);
    scratch.set(right, 1 + H);
    return sha256(scratch);
  }
  const buf = new Uint8Array(1 + left.length + right.length);
  buf[0] = 0x01;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return sha256(buf);
}

/** nodeHash over 32-byte hashes held as latin1 strings (no allocation but the digest string). */
function nodeHashLatin1(left: string, right: string): string {
  for (let i = 0; i < H; i++) {
    scratch[1 + i] = left.charCodeAt(i);
    scratch[1 + H + i] = right.charCodeAt(i);
  }
  return digestLatin1(scratch);
}

const toLatin1 = (h: Uint8Array): string => Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString("latin1");

/** RFC 9162 MTH over leaf hashes (empty list → SHA-256("")). Iterative: a lone right node moves up unchanged. */
export function rootFromLeafHashes(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_ROOT;
  let level: Uint8Array[] = leaves.slice();
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

// ---------------------------------------------------------------------------------------------------
// Integer helpers (exact for every safe integer)

/** The largest power of two strictly less than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

function assertSize(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new AppError("invalid_parameter", `${name} must be a non-negative integer`, { field: name });
}

export const rangeKey = (r: Range): string => `${r.start}-${r.end}`;

// ---------------------------------------------------------------------------------------------------
// Proof shapes

/** The ranges whose hashes form the RFC 9162 §2.1.3.1 inclusion proof PATH(index, D[size]), in order (leaf side first). */
export function inclusionProofRanges(index: number, size: number): Range[] {
  assertSize("index", index);
  assertSize("size", size);
  if (index >= size) throw new AppError("invalid_parameter", `leaf index ${index} is not below tree size ${size}`, { field: "index" });
  const out: Range[] = [];
  // PATH(m, D[start:end]) = PATH(...) : sibling — recursion unrolled top-down, then reversed.
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      out.push({ start: start + k, end });
      end = start + k;
    } else {
      out.push({ start, end: start + k });
      start += k;
    }
  }
  return out.reverse();
}

/**
 * The ranges of the RFC 9162 §2.1.4.1 consistency proof PROOF(first, D[second]), in order.
 * Empty when first == second or first == 0 (verifyConsistency refuses first == 0: a proof from the
 * empty tree proves nothing).
 */
export function consistencyProofRanges(first: number, second: number): Range[] {
  assertSize("first", first);
  assertSize("second", second);
  if (first > second) throw new AppError("invalid_parameter", `first (${first}) must not exceed second (${second})`, { field: "first" });
  if (first === 0 || first === second) return [];
  const out: Range[] = [];
  // SUBPROOF(m, D[start:end], b), unrolled: the recursion appends its sibling after the sub-result,
  // so collect top-down and reverse.
  let start = 0;
  let end = second;
  let m = first;
  let b = true;
  for (;;) {
    if (m === end - start) {
      if (!b) out.push({ start, end });
      break;
    }
    const k = splitPoint(end - start);
    if (m <= k) {
      out.push({ start: start + k, end });
      end = start + k;
    } else {
      out.push({ start, end: start + k });
      start += k;
      m -= k;
      b = false;
    }
  }
  return out.reverse();
}

/**
 * The minimal subtrees (nodes of the RFC tree of `size`) that contain none of `indices` and,
 * together with those leaves, give the root. Sorted by start. No indices → the whole tree.
 */
export function multiProofRanges(indices: readonly number[], size: number): Range[] {
  assertSize("size", size);
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  for (const i of sorted) {
    if (!Number.isSafeInteger(i) || i < 0 || i >= size) {
      throw new AppError("invalid_parameter", `leaf index ${i} is not within tree size ${size}`, { field: "indices" });
    }
  }
  const out: Range[] = [];
  if (size === 0) return out;
  // j = position of the first index ≥ start in `sorted` (binary search from lo).
  const walk = (start: number, end: number, lo: number): void => {
    let j = lo;
    let hi = sorted.length;
    while (j < hi) {
      const mid = (j + hi) >>> 1;
      if (sorted[mid]! < start) j = mid + 1;
      else hi = mid;
    }
    if (j >= sorted.length || sorted[j]! >= end) {
      out.push({ start, end });
      return;
    }
    if (end - start === 1) return; // a given leaf
    const k = start + splitPoint(end - start);
    walk(start, k, j);
    walk(k, end, j);
  };
  walk(0, size, 0);
  return out;
}

/**
 * [start, end) as maximal aligned perfect subtrees, left to right. For a range that is a node of an
 * RFC tree (every range a proof names), the sizes decrease and `hashFromPerfectSubtrees` gives its MTH.
 */
export function rangeToPerfectSubtrees(start: number, end: number): Subtree[] {
  assertSize("start", start);
  assertSize("end", end);
  if (start > end) throw new AppError("invalid_parameter", `range start ${start} exceeds end ${end}`, { field: "start" });
  const out: Subtree[] = [];
  let pos = start;
  while (pos < end) {
    let level = 0;
    let width = 1;
    // grow while still aligned at pos and still inside the range
    while (pos % (width * 2) === 0 && pos + width * 2 <= end) {
      width *= 2;
      level++;
    }
    out.push({ level, index: pos / width });
    pos += width;
  }
  return out;
}

/** MTH of a range from its perfect-subtree decomposition: fold from the right, H(p1, H(p2, …)). */
export function hashFromPerfectSubtrees(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return EMPTY_ROOT;
  let acc = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i]!, acc);
  return acc;
}

// ---------------------------------------------------------------------------------------------------
// Verification (RFC 9162 §2.1.3.2, §2.1.4.2)

/** Constant-time byte comparison (one implementation, lib/integrity/encoding.ts). */
export const bytesEqual = equalBytes;

export interface InclusionInput {
  index: number;
  size: number;
  leafHash: Uint8Array;
  proof: readonly Uint8Array[];
}

/** The root an inclusion proof leads to, or null when the proof cannot be one for (index, size). */
export function rootFromInclusionProof({ index, size, leafHash: leaf, proof }: InclusionInput): Uint8Array | null {
  if (!isHash(leaf) || !proof.every(isHash)) return null;
  const steps = inclusionSteps(index, size, proof.length);
  if (!steps) return null;
  let r = leaf;
  steps.forEach((siblingIsLeft, i) => {
    r = siblingIsLeft ? nodeHash(proof[i]!, r) : nodeHash(r, proof[i]!);
  });
  return r;
}

export function verifyInclusion(input: InclusionInput & { root: Uint8Array }): boolean {
  const r = rootFromInclusionProof(input);
  return r !== null && isHash(input.root) && bytesEqual(r, input.root);
}

export interface ConsistencyInput {
  first: number;
  second: number;
  firstRoot: Uint8Array;
  secondRoot: Uint8Array;
  proof: readonly Uint8Array[];
}

/**
 * RFC 9162 §2.1.4.2. first == second: the proof must be empty and the roots equal. first == 0
 * proves nothing and is refused (as transparency-dev/merkle does, even for 0 == second).
 */
export function verifyConsistency({ first, second, firstRoot, secondRoot, proof }: ConsistencyInput): boolean {
  const plan = consistencyPlan(first, second, proof.length);
  if (!plan) return false;
  if (plan.kind === "equal") return bytesEqual(firstRoot, secondRoot);
  if (!isHash(firstRoot) || !isHash(secondRoot) || !proof.every(isHash)) return false;
  const path = plan.prependFirstRoot ? [firstRoot, ...proof] : proof;
  let fr = path[0]!;
  let sr = path[0]!;
  plan.steps.forEach((step, i) => {
    const c = path[i + 1]!;
    if (step === "both") {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
    } else {
      sr = nodeHash(sr, c);
    }
  });
  return bytesEqual(fr, firstRoot) && bytesEqual(sr, secondRoot);
}

export { isPowerOfTwo };

/**
 * The root from a multiproof: `leaves` maps leaf index → leaf hash, `nodes` maps "start-end" → hash
 * of the ranges `multiProofRanges(leaf indices, size)` names. Throws AppError when a needed node is
 * missing or a hash is not 32 bytes; extra nodes are ignored (the root they would change is compared
 * by the caller).
 */
export function rootFromMultiProof({
  size,
  leaves,
  nodes,
}: {
  size: number;
  leaves: ReadonlyMap<number, Uint8Array>;
  nodes: ReadonlyMap<string, Uint8Array>;
}): Uint8Array {
  const ranges = multiProofRanges([...leaves.keys()], size);
  if (size === 0) return EMPTY_ROOT;
  const needed = new Set(ranges.map(rangeKey));
  const rec = (start: number, end: number): Uint8Array => {
    const key = `${start}-${end}`;
    if (needed.has(key)) {
      const h = nodes.get(key);
      if (!isHash(h)) throw new AppError("invalid_parameter", `multiproof lacks a 32-byte hash for leaves [${start}, ${end})`, { field: "nodes" });
      return h;
    }
    if (end - start === 1) {
      const h = leaves.get(start);
      if (!isHash(h)) throw new AppError("invalid_parameter", `leaf hash ${start} is not 32 bytes`, { field: "leaves" });
      return h;
    }
    const k = start + splitPoint(end - start);
    return nodeHash(rec(start, k), rec(k, end));
  };
  return rec(0, size);
}

// ---------------------------------------------------------------------------------------------------
// Compact range / right frontier

/** Root of the tree a frontier describes (fold from the right); empty frontier → SHA-256(""). */
export function frontierRoot(frontier: Frontier): Uint8Array {
  return hashFromPerfectSubtrees(frontier);
}

/** Number of set bits of a safe integer. */
export function popCount(n: number): number {
  let c = 0;
  while (n > 0) {
    if (isOdd(n)) c++;
    n = half(n);
  }
  return c;
}

export type CompletedSubtree = Subtree & { hash: Uint8Array };

function checkFrontier(frontier: Frontier, size: number): void {
  assertSize("size", size);
  if (frontier.length !== popCount(size)) {
    throw new AppError("invalid_parameter", `frontier has ${frontier.length} hashes; a tree of size ${size} needs ${popCount(size)}`, {
      field: "frontier",
    });
  }
}

/**
 * The one frontier loop: appends `count` leaves (`leafAt(k)`, latin1 digests) to the stack (latin1
 * digests, largest subtree first) of a tree of `size`, in place; pushes the completed subtrees whose
 * level `keep` accepts. One node hash per completed subtree (≈ one per leaf).
 */
function extendStack(stack: string[], size: number, count: number, leafAt: (k: number) => string, keep: ((level: number) => boolean) | null, completed: CompletedSubtree[]): number {
  let n = size;
  for (let k = 0; k < count; k++) {
    let h = leafAt(k);
    let s = n;
    let level = 0;
    let width = 1;
    while (isOdd(s)) {
      h = nodeHashLatin1(stack.pop()!, h);
      level++;
      width *= 2;
      if (keep?.(level)) completed.push({ level, index: (n + 1) / width - 1, hash: latin1Bytes(h) });
      s = half(s);
    }
    stack.push(h);
    n++;
  }
  return n;
}

/**
 * Append leaf hashes to the tree described by (frontier, size). `completed` lists every perfect
 * subtree of level ≥ 1 that these leaves complete (bottom-up per leaf, in append order), so storage
 * can keep the ones it wants (`keepLevel`: only those levels, default all). Cost: one node hash per
 * completed subtree (≈ one per leaf).
 */
export function extendFrontier({
  frontier,
  size,
  leafHashes,
  keepLevel,
}: {
  frontier: Frontier;
  size: number;
  leafHashes: readonly Uint8Array[];
  keepLevel?: (level: number) => boolean;
}): { frontier: Frontier; size: number; completed: CompletedSubtree[] } {
  checkFrontier(frontier, size);
  for (const leaf of leafHashes) if (!isHash(leaf)) throw new AppError("invalid_parameter", "leaf hashes must be 32 bytes", { field: "leafHashes" });
  const stack = frontier.map(toLatin1);
  const completed: CompletedSubtree[] = [];
  const n = extendStack(stack, size, leafHashes.length, (k) => toLatin1(leafHashes[k]!), keepLevel ?? (() => true), completed);
  return { frontier: stack.map(latin1Bytes), size: n, completed };
}

/**
 * extendFrontier for the leaves of canonical contents (each hashed here, leafHash): what ingest
 * signs. Reports the completed subtrees at the levels `keepLevel` accepts (default none).
 */
export function extendFrontierByContents({
  frontier,
  size,
  contents,
  keepLevel,
}: {
  frontier: Frontier;
  size: number;
  contents: readonly string[];
  keepLevel?: (level: number) => boolean;
}): { frontier: Frontier; size: number; completed: CompletedSubtree[] } {
  checkFrontier(frontier, size);
  const stack = frontier.map(toLatin1);
  const completed: CompletedSubtree[] = [];
  const n = extendStack(stack, size, contents.length, (k) => leafHashLatin1(contents[k]!), keepLevel ?? null, completed);
  return { frontier: stack.map(latin1Bytes), size: n, completed };
}

/**
 * extendFrontier for `count` leaf hashes packed 32 bytes each in `packed` from byte `offset` (as
 * verify reads them, one buffer per window of entries); reports no completed subtrees.
 */
export function extendFrontierPacked({
  frontier,
  size,
  packed,
  offset = 0,
  count,
}: {
  frontier: Frontier;
  size: number;
  packed: Uint8Array;
  offset?: number;
  count: number;
}): { frontier: Frontier; size: number } {
  checkFrontier(frontier, size);
  if (!Number.isSafeInteger(count) || count < 0 || offset < 0 || offset + count * H > packed.length) {
    throw new AppError("invalid_parameter", "packed leaf hashes: the range exceeds the buffer", { field: "packed" });
  }
  const buf = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  const stack = frontier.map(toLatin1);
  const n = extendStack(stack, size, count, (k) => buf.toString("latin1", offset + k * H, offset + (k + 1) * H), null, []);
  return { frontier: stack.map(latin1Bytes), size: n };
}

/**
 * Extend (frontier, size) by `leafHashes` and give the root at each size of `rootsAt` that falls in
 * (size, size + leafHashes.length] (and at `size` itself when asked): what verify needs to compare
 * a streamed log with every stored checkpoint. Sizes outside that span are ignored.
 */
export function extendFrontierWithRoots({
  frontier,
  size,
  leafHashes,
  rootsAt,
}: {
  frontier: Frontier;
  size: number;
  leafHashes: readonly Uint8Array[];
  rootsAt: readonly number[];
}): { frontier: Frontier; size: number; roots: Map<number, Uint8Array> } {
  const end = size + leafHashes.length;
  const wanted = [...new Set(rootsAt)].filter((s) => s >= size && s <= end).sort((a, b) => a - b);
  const roots = new Map<number, Uint8Array>();
  let state: { frontier: Frontier; size: number } = extendFrontier({ frontier, size, leafHashes: [] }); // checks the frontier
  for (const s of wanted) {
    if (s > state.size) state = extendFrontier({ ...state, leafHashes: leafHashes.slice(state.size - size, s - size) });
    roots.set(s, frontierRoot(state.frontier));
  }
  if (state.size < end) state = extendFrontier({ ...state, leafHashes: leafHashes.slice(state.size - size) });
  return { frontier: state.frontier, size: state.size, roots };
}
