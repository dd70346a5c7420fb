"use client";

import { parseAsStringLiteral, useQueryState } from "nuqs";
import { useMemo, useState } from "react";
import { diffValues, diffWords, summarize, type DiffKind, type DiffNode } from "@/lib/client/diff-model";
import { CopyButton } from "./copy-button";
import { FOLD_CHARS, FoldedText } from "./folded-text";

const MARK: Record<DiffKind, { sign: string; word: string; cls: string }> = {
  added: { sign: "+", word: "added", cls: "bg-emerald-50 text-emerald-900 dark:bg-emerald-950/60 dark:text-emerald-100" },
  removed: { sign: "−", word: "removed", cls: "bg-rose-50 text-rose-900 dark:bg-rose-950/60 dark:text-rose-100" },
  changed: { sign: "~", word: "changed", cls: "bg-amber-50 text-amber-950 dark:bg-amber-950/50 dark:text-amber-100" },
  unchanged: { sign: " ", word: "unchanged", cls: "text-slate-600 dark:text-slate-300" },
};

const show = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v, null, 2));

/** A value: wraps anywhere, folded when long ("show all"). */
function Value({ value }: { value: unknown }) {
  return <FoldedText text={show(value)} />;
}

/**
 * One side of a changed string with the changed words marked: the old side shows only removed
 * words (struck through), the new side only added ones (underlined): never both run together.
 */
function WordDiff({ a, b, side }: { a: string; b: string; side: "old" | "new" }) {
  const parts = diffWords(a, b);
  const text = side === "old" ? a : b;
  if (text.length > FOLD_CHARS * 4) return <Value value={text} />;
  return (
    <span className="whitespace-pre-wrap break-words [overflow-wrap:anywhere]">
      &quot;
      {parts.map((p, i) =>
        p.kind === "same" ? (
          <span key={i}>{p.text}</span>
        ) : p.kind === "removed" && side === "old" ? (
          <del key={i} className="rounded bg-rose-200 text-rose-950 dark:bg-rose-800 dark:text-rose-50" title="removed words">{p.text}</del>
        ) : p.kind === "added" && side === "new" ? (
          <ins key={i} className="rounded bg-emerald-200 text-emerald-950 dark:bg-emerald-800 dark:text-emerald-50" title="added words">{p.text}</ins>
        ) : null,
      )}
      &quot;
    </span>
  );
}

function Sign({ kind }: { kind: DiffKind }) {
  return (
    <span className="w-4 shrink-0 select-none text-center font-bold" aria-hidden>
      {MARK[kind].sign}
    </span>
  );
}

const wordy = (n: DiffNode) => n.kind === "changed" && !n.children && typeof n.old === "string" && typeof n.new === "string";

/** The tree as display rows (a container's heading, then its members, depth-first). */
interface FlatRow {
  node: DiffNode;
  depth: number;
  heading: boolean;
}
function flatten(node: DiffNode, depth = 0, out: FlatRow[] = []): FlatRow[] {
  if (node.children) {
    if (node.label) out.push({ node, depth, heading: true });
    for (const c of node.children) flatten(c, depth + 1, out);
  } else out.push({ node, depth, heading: false });
  return out;
}

const GRID = "grid grid-cols-[minmax(5rem,14rem)_minmax(0,1fr)_minmax(0,1fr)]";

function SplitRow({ row }: { row: FlatRow }) {
  const { node, depth } = row;
  const pad = { paddingLeft: `${depth * 0.75}rem` };
  if (row.heading) {
    return (
      <div role="row" className={`${GRID} border-t border-slate-100 dark:border-slate-800`}>
        <div role="rowheader" className="py-1 font-semibold [overflow-wrap:anywhere]" style={pad}>
          {node.label} <span className="font-normal text-slate-500 dark:text-slate-400">{node.container === "array" ? "[ ]" : "{ }"}</span>
        </div>
        <div role="cell" />
        <div role="cell" />
      </div>
    );
  }
  const m = MARK[node.kind];
  return (
    <div role="row" data-kind={node.kind} className={`${GRID} border-t border-slate-100 dark:border-slate-800`}>
      <div role="rowheader" className="flex min-w-0 gap-1 py-1" style={pad}>
        <Sign kind={node.kind} />
        <span className="min-w-0 [overflow-wrap:anywhere]">{node.label || "value"}</span>
        <span className="sr-only">({m.word})</span>
      </div>
      <div role="cell" className={`min-w-0 px-2 py-1 ${node.kind === "added" ? "" : node.kind === "unchanged" ? m.cls : MARK.removed.cls}`}>
        {node.kind === "added" ? <span className="text-slate-400">—</span> : wordy(node) ? <WordDiff a={node.old as string} b={node.new as string} side="old" /> : <Value value={node.old} />}
      </div>
      <div role="cell" className={`min-w-0 px-2 py-1 ${node.kind === "removed" ? "" : node.kind === "unchanged" ? m.cls : MARK.added.cls}`}>
        {node.kind === "removed" ? <span className="text-slate-400">—</span> : wordy(node) ? <WordDiff a={node.old as string} b={node.new as string} side="new" /> : <Value value={node.new} />}
      </div>
    </div>
  );
}

/** Inline: a changed value is two lines, "− old" then "+ new" (words marked within each), never run together. */
function InlineRow({ row }: { row: FlatRow }) {
  const { node, depth } = row;
  const pad = { paddingLeft: `${depth * 0.75}rem` };
  if (row.heading) {
    return (
      <div className="py-0.5 font-semibold [overflow-wrap:anywhere]" style={pad}>
        {node.label}: <span className="font-normal text-slate-500 dark:text-slate-400">{node.container === "array" ? "[ ]" : "{ }"}</span>
      </div>
    );
  }
  const line = (kind: DiffKind, value: React.ReactNode) => (
    <div data-kind={kind} className={`flex min-w-0 gap-1 py-0.5 ${MARK[kind].cls}`} style={pad}>
      <Sign kind={kind} />
      <span className="sr-only">{MARK[kind].word}:</span>
      <span className="shrink-0">{node.label || "value"}:</span> <span className="min-w-0">{value}</span>
    </div>
  );
  if (node.kind === "changed") {
    return (
      <div data-kind="changed" className="border-l-2 border-amber-400">
        {line("removed", wordy(node) ? <WordDiff a={node.old as string} b={node.new as string} side="old" /> : <Value value={node.old} />)}
        {line("added", wordy(node) ? <WordDiff a={node.old as string} b={node.new as string} side="new" /> : <Value value={node.new} />)}
      </div>
    );
  }
  return line(node.kind, <Value value={node.kind === "removed" ? node.old : node.new} />);
}

/** A section's rows; `limit` shows only the first ones (the drawer's fold). */
function Rows({ rows, mode, limit, label }: { rows: FlatRow[]; mode: "split" | "inline"; limit?: number; label: string }) {
  const shown = limit === undefined ? rows : rows.slice(0, limit);
  return mode === "split" ? (
    <div role="table" aria-label={`${label}: before and after`}>
      <div role="row" className={`${GRID} text-[11px] uppercase tracking-wide text-slate-500 dark:text-slate-400`}>
        <div role="columnheader">field</div>
        <div role="columnheader" className="px-2">before (old)</div>
        <div role="columnheader" className="px-2">after (new)</div>
      </div>
      {shown.map((r, i) => <SplitRow key={i} row={r} />)}
    </div>
  ) : (
    <>{shown.map((r, i) => <InlineRow key={i} row={r} />)}</>
  );
}

const modeParser = parseAsStringLiteral(["split", "inline"] as const).withDefault("split");

/** Before/after pairs: side-by-side or inline, nested objects and arrays, word-level string diffs. */
export function DiffViewer({ pairs, maxRows }: { pairs: { label: string; old: unknown; new: unknown }[]; /** Fold each section past this many rows (the drawer). */ maxRows?: number }) {
  const [mode, setMode] = useQueryState("diff", modeParser);
  const [expanded, setExpanded] = useState(false);
  const trees = useMemo(() => pairs.map((p) => {
    const tree = diffValues(p.old, p.new, p.label);
    const rows = flatten(tree, 0);
    return { ...p, tree, rows };
  }), [pairs]);
  // Fold (the drawer): at most `maxRows` rows over all sections until "show all".
  const totalRows = trees.reduce((n, t) => n + t.rows.length, 0);
  const folding = maxRows !== undefined && !expanded && totalRows > maxRows;
  let budget = folding ? maxRows : Infinity;
  const limits = trees.map((t) => {
    const l = Math.min(t.rows.length, budget);
    budget -= l;
    return l;
  });
  if (!pairs.length) return <p className="text-sm text-slate-600 dark:text-slate-300">This entry records no before/after values.</p>;
  return (
    <div data-testid="diff-viewer">
      <div className="mb-3 flex flex-wrap items-center gap-3">
        <div role="group" aria-label="Diff layout" className="flex overflow-hidden rounded-md border border-slate-300 text-xs dark:border-slate-700">
          {(["split", "inline"] as const).map((m) => (
            <button key={m} type="button" aria-pressed={mode === m} onClick={() => void setMode(m)} className={`px-2 py-1 font-medium ${mode === m ? "bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900" : "bg-white text-slate-700 dark:bg-slate-900 dark:text-slate-300"}`}>
              {m === "split" ? "Side by side" : "Inline"}
            </button>
          ))}
        </div>
        <p className="text-xs text-slate-600 dark:text-slate-300">
          <span className="font-bold">+</span> added · <span className="font-bold">−</span> removed · <span className="font-bold">~</span> changed
        </p>
      </div>
      {trees.map(({ label, old, new: nw, tree, rows }, ti) => {
        if (folding && limits[ti] === 0) return null;
        const s = summarize(tree);
        return (
          <section key={label} className="mb-4 overflow-hidden rounded-md border border-slate-200 dark:border-slate-800" aria-label={`Changes to ${label}`}>
            <header className="flex flex-wrap items-center justify-between gap-2 bg-slate-50 px-3 py-1.5 text-sm dark:bg-slate-900">
              <span className="min-w-0 font-mono font-semibold [overflow-wrap:anywhere]">{label}</span>
              <span className="flex items-center gap-2 text-xs text-slate-600 dark:text-slate-300">
                {s.changed} changed · {s.added} added · {s.removed} removed
                <CopyButton value={JSON.stringify({ old, new: nw }, null, 2)} label={`${label} before/after`} />
              </span>
            </header>
            <div className="p-2 font-mono text-xs">
              <Rows rows={rows} mode={mode} limit={folding ? limits[ti] : undefined} label={label} />
            </div>
          </section>
        );
      })}
      {maxRows !== undefined && totalRows > maxRows && (
        <button type="button" aria-expanded={expanded} onClick={() => setExpanded((x) => !x)} data-testid="diff-fold" className="rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-800">
          {expanded ? "Show fewer rows" : `Show all ${totalRows.toLocaleString("en-US")} rows (${(totalRows - maxRows).toLocaleString("en-US")} more)`}
        </button>
      )}
    </div>
  );
}
