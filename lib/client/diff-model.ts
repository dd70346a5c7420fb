import { create, type Delta } from "jsondiffpatch";

/**
 * A display model of a before/after pair, computed with jsondiffpatch (objects by key, arrays
 * matched by `id`/`name`/value), for the diff viewer's side-by-side and inline modes.
 */
export type DiffKind = "added" | "removed" | "changed" | "unchanged";

export interface DiffNode {
  /** Key in the parent object, or `[i]` in an array; "" at the root. */
  label: string;
  kind: DiffKind;
  old?: unknown;
  new?: unknown;
  /** For objects and arrays that contain changes: one node per member. */
  children?: DiffNode[];
  /** Whether old/new are containers (children describe them). */
  container?: "object" | "array";
}

const differ = create({
  objectHash: (item: object, index?: number) => {
    const o = item as Record<string, unknown>;
    const key = o.id ?? o.name ?? o.key;
    return typeof key === "string" || typeof key === "number" ? String(key) : JSON.stringify(item) ?? String(index);
  },
  arrays: { detectMove: true, includeValueOnMove: false },
  cloneDiffValues: false,
});

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function fromDelta(label: string, oldV: unknown, newV: unknown, delta: Delta | undefined): DiffNode {
  if (delta === undefined) return { label, kind: "unchanged", old: oldV, new: newV };
  if (Array.isArray(delta)) {
    if (delta.length === 1) return { label, kind: "added", new: delta[0] };
    if (delta.length === 2) return { label, kind: "changed", old: delta[0], new: delta[1] };
    if (delta.length === 3 && delta[2] === 0) return { label, kind: "removed", old: delta[0] };
    return { label, kind: "unchanged", old: oldV, new: newV };
  }
  const d = delta as Record<string, Delta>;
  if ((d as Record<string, unknown>)._t === "a" && Array.isArray(oldV) && Array.isArray(newV)) {
    const children: DiffNode[] = [];
    const removed = new Map<number, unknown>();
    for (const k of Object.keys(d)) {
      if (k.startsWith("_") && k !== "_t") {
        const v = d[k] as unknown[];
        if (Array.isArray(v) && v[2] === 0) removed.set(Number(k.slice(1)), v[0]);
      }
    }
    // Walk old and new in step: removed old items appear where they were, then the new items.
    let oi = 0;
    for (let ni = 0; ni < newV.length; ni++) {
      const sub = d[String(ni)];
      if (Array.isArray(sub) && sub.length === 1) {
        children.push({ label: `[${ni}]`, kind: "added", new: newV[ni] });
        continue;
      }
      while (removed.has(oi)) {
        children.push({ label: `[${oi}]`, kind: "removed", old: removed.get(oi) });
        removed.delete(oi);
        oi++;
      }
      const oldItem = sub === undefined ? oldV[oi] : differ.unpatch(differ.clone(newV[ni]), sub as Delta);
      children.push(fromDelta(`[${ni}]`, oldItem, newV[ni], sub as Delta | undefined));
      oi++;
    }
    for (const [i, v] of [...removed.entries()].sort((a, b) => a[0] - b[0])) children.push({ label: `[${i}]`, kind: "removed", old: v });
    return { label, kind: "changed", old: oldV, new: newV, children, container: "array" };
  }
  if (isObj(oldV) && isObj(newV)) {
    const keys = [...new Set([...Object.keys(oldV), ...Object.keys(newV)])];
    const children = keys.map((k) => fromDelta(k, oldV[k], newV[k], d[k]));
    return { label, kind: "changed", old: oldV, new: newV, children, container: "object" };
  }
  return { label, kind: "changed", old: oldV, new: newV };
}

/** The diff tree of one before/after pair. Missing sides (undefined) read as added / removed. */
export function diffValues(oldV: unknown, newV: unknown, label = ""): DiffNode {
  if (oldV === undefined && newV !== undefined) return { label, kind: "added", new: newV };
  if (newV === undefined && oldV !== undefined) return { label, kind: "removed", old: oldV };
  return fromDelta(label, oldV, newV, differ.diff(oldV, newV));
}

/** The before/after pairs of an entry: every `changes` field, plus details.before/after or old/new. */
export function entryPairs(e: { changes?: Record<string, { old?: unknown; new?: unknown }>; details?: Record<string, unknown> }): { label: string; old: unknown; new: unknown }[] {
  const out: { label: string; old: unknown; new: unknown }[] = [];
  for (const [k, v] of Object.entries(e.changes ?? {})) out.push({ label: k, old: v.old, new: v.new });
  const d = e.details ?? {};
  for (const [a, b] of [["before", "after"], ["old", "new"], ["previous", "current"]] as const) {
    if (a in d || b in d) out.push({ label: `details.${a}/${b}`, old: d[a], new: d[b] });
  }
  return out;
}

export interface WordPart {
  text: string;
  kind: "same" | "added" | "removed";
}

/** Word-level diff of two strings (LCS over words and spaces), for changed text values. */
export function diffWords(a: string, b: string): WordPart[] {
  const A = a.split(/(\s+)/).filter(Boolean);
  const B = b.split(/(\s+)/).filter(Boolean);
  if (A.length * B.length > 250_000) return [{ text: a, kind: "removed" }, { text: b, kind: "added" }];
  const n = A.length;
  const m = B.length;
  const L: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i]![j] = A[i] === B[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const out: WordPart[] = [];
  const push = (text: string, kind: WordPart["kind"]) => {
    const last = out[out.length - 1];
    if (last && last.kind === kind) last.text += text;
    else out.push({ text, kind });
  };
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (A[i] === B[j]) {
      push(A[i]!, "same");
      i++;
      j++;
    } else if (L[i + 1]![j]! >= L[i]![j + 1]!) push(A[i++]!, "removed");
    else push(B[j++]!, "added");
  }
  while (i < n) push(A[i++]!, "removed");
  while (j < m) push(B[j++]!, "added");
  return out;
}

/** Counts of changed leaves, for summaries ("3 changed, 1 added"). */
export function summarize(node: DiffNode): Record<DiffKind, number> {
  const acc: Record<DiffKind, number> = { added: 0, removed: 0, changed: 0, unchanged: 0 };
  const walk = (n: DiffNode) => {
    if (n.children) n.children.forEach(walk);
    else acc[n.kind]++;
  };
  walk(node);
  return acc;
}
