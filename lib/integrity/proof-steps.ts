/**
 * The shape of RFC 9162 proof verification (§2.1.3.2 inclusion, §2.1.4.2 consistency) without any
 * hashing, so the sync (merkle.ts, node:crypto) and async (web-verify.ts, WebCrypto) verifiers run
 * the same steps. Sizes and indices are safe integers; no 32-bit bit operations.
 */

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);
const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

export function isPowerOfTwo(n: number): boolean {
  if (!Number.isSafeInteger(n) || n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

/**
 * For an inclusion proof of `proofLength` hashes for leaf `index` in a tree of `size`: per proof
 * hash, true when it is the left sibling (r = H(p, r)), false when the right one (r = H(r, p)).
 * Null when no proof of that length can be one for (index, size).
 */
export function inclusionSteps(index: number, size: number, proofLength: number): boolean[] | null {
  if (!isCount(index) || !isCount(size) || index >= size) return null;
  const steps: boolean[] = [];
  let fn = index;
  let sn = size - 1;
  for (let i = 0; i < proofLength; i++) {
    if (sn === 0) return null;
    if (isOdd(fn) || fn === sn) {
      steps.push(true);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      steps.push(false);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? steps : null;
}

export type ConsistencyPlan =
  /** first == second: the proof must be empty and the roots equal. */
  | { kind: "equal" }
  /**
   * Seed fr = sr = path[0] where path = (prependFirstRoot ? [firstRoot, ...proof] : proof); then per
   * path[i] (i ≥ 1): "both" → fr = H(c, fr), sr = H(c, sr); "right" → sr = H(sr, c). Then fr must be
   * the first root and sr the second.
   */
  | { kind: "steps"; prependFirstRoot: boolean; steps: Array<"both" | "right"> };

/** The verification plan for a consistency proof of `proofLength` hashes, or null when none can be valid. */
export function consistencyPlan(first: number, second: number, proofLength: number): ConsistencyPlan | null {
  if (!isCount(first) || !isCount(second) || first > second) return null;
  if (first === 0) return null; // a proof from the empty tree proves nothing (as transparency-dev/merkle)
  if (first === second) return proofLength === 0 ? { kind: "equal" } : null;
  if (proofLength === 0) return null;
  const prependFirstRoot = isPowerOfTwo(first);
  const pathLength = proofLength + (prependFirstRoot ? 1 : 0);
  let fn = first - 1;
  let sn = second - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  const steps: Array<"both" | "right"> = [];
  for (let i = 1; i < pathLength; i++) {
    if (sn === 0) return null;
    if (isOdd(fn) || fn === sn) {
      steps.push("both");
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      steps.push("right");
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? { kind: "steps", prependFirstRoot, steps } : null;
}

/** SHA-256 digest size; a proof node, leaf hash or root of any other length is refused by both verifiers. */
export const HASH_SIZE = 32;
export const isHash = (h: unknown): h is Uint8Array => h instanceof Uint8Array && h.length === HASH_SIZE;
