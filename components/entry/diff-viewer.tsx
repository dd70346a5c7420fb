"use client";

import { parseAsStringLiteral, useQueryState } from "nuqs";
import { useMemo, useState } from "react";
import { diffValues, diffWords, summarize, type DiffKind, type DiffNode } from "@/lib/client/diff-model";
import { CopyButton } from "./copy-button";

const FOLD_CHARS = 160;
const MARK: Record<DiffKind, { sign: string; word: string; cls: string }> = {
  added: { sign: "+", word: "added", cls: "bg-emerald-50 text-emerald-900 dark:bg-emerald-950/60 dark:text-emerald-100" },
  removed: { sign: "−", word: "removed", cls: "bg-rose-50 text-rose-900 dark:bg-rose-950/60 dark:text-rose-100" },
  changed: { sign: "~", word: "changed", cls: "bg-amber-50 text-amber-950 dark:bg-amber-950/50 dark:text-amber-100" },
  unchanged: { sign: " ", word: "unchanged", cls: "text-slate-600 dark:text-slate-300" },
};

const show = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v, null, 2));

/** A value, folded when long ("show all"). */
function Value({ value }: { value: unknown }) {
  const text = show(value);
  const [open, setOpen] = useState(false);
  if (text.length <= FOLD_CHARS || open) return <span className="whitespace-pre-wrap break-words [overflow-wrap:anywhere]">{text}</span>;
  return (
    <span className="whitespace-pre-wrap break-words [overflow-wrap:anywhere]">
      {text.slice(0, FOLD_CHARS)}…{" "}
      <button type="button" className="rounded bg-slate-200 px-1 text-xs text-slate-800 underline dark:bg-slate-700 dark:text-slate-100" onClick={() => setOpen(true)}>
        show all ({text.length.toLocaleString("en-US")} chars)
      </button>
    </span>
  );
}

/** A changed string with the changed words marked (strikethrough / underline, not colour alone). */
function WordDiff({ a, b, side }: { a: string; b: string; side: "old" | "new" | "both" }) {
  const parts = diffWords(a, b);
  return (
    <span className="whitespace-pre-wrap break-words [overflow-wrap:anywhere]">
      &quot;
      {parts.map((p, i) =>
        p.kind === "same" ? (
          <span key={i}>{p.text}</span>
        ) : p.kind === "removed" && side !== "new" ? (
          <del key={i} className="rounded bg-rose-200 text-rose-950 dark:bg-rose-800 dark:text-rose-50" title="removed words">{p.text}</del>
        ) : p.kind === "added" && side !== "old" ? (
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

function SideBySide({ node, depth }: { node: DiffNode; depth: number }) {
  if (node.children) {
    return (
      <>
        {node.label && (
          <div role="row" className="grid grid-cols-[minmax(8rem,14rem)_1fr_1fr] border-t border-slate-100 dark:border-slate-800">
            <div role="rowheader" className="py-1 font-semibold" style={{ paddingLeft: `${depth * 0.75}rem` }}>
              {node.label} <span className="font-normal text-slate-500 dark:text-slate-400">{node.container === "array" ? "[ ]" : "{ }"}</span>
            </div>
            <div role="cell" />
            <div role="cell" />
          </div>
        )}
        {node.children.map((c, i) => (
          <SideBySide key={`${c.label}-${i}`} node={c} depth={depth + 1} />
        ))}
      </>
    );
  }
  const m = MARK[node.kind];
  return (
    <div role="row" data-kind={node.kind} className="grid grid-cols-[minmax(8rem,14rem)_1fr_1fr] border-t border-slate-100 dark:border-slate-800">
      <div role="rowheader" className="flex gap-1 py-1" style={{ paddingLeft: `${depth * 0.75}rem` }}>
        <Sign kind={node.kind} />
        <span className="break-words [overflow-wrap:anywhere]">{node.label || "value"}</span>
        <span className="sr-only">({m.word})</span>
      </div>
      <div role="cell" className={`px-2 py-1 ${node.kind === "added" ? "" : node.kind === "unchanged" ? m.cls : MARK.removed.cls}`}>
        {node.kind === "added" ? <span className="text-slate-400">—</span> : wordy(node) ? <WordDiff a={node.old as string} b={node.new as string} side="old" /> : <Value value={node.old} />}
      </div>
      <div role="cell" className={`px-2 py-1 ${node.kind === "removed" ? "" : node.kind === "unchanged" ? m.cls : MARK.added.cls}`}>
        {node.kind === "removed" ? <span className="text-slate-400">—</span> : wordy(node) ? <WordDiff a={node.old as string} b={node.new as string} side="new" /> : <Value value={node.new} />}
      </div>
    </div>
  );
}

function Inline({ node, depth }: { node: DiffNode; depth: number }) {
  const pad = { paddingLeft: `${depth * 0.75}rem` };
  if (node.children) {
    return (
      <>
        {node.label && (
          <div className="py-0.5 font-semibold" style={pad}>
            {node.label}: <span className="font-normal text-slate-500 dark:text-slate-400">{node.container === "array" ? "[ ]" : "{ }"}</span>
          </div>
        )}
        {node.children.map((c, i) => (
          <Inline key={`${c.label}-${i}`} node={c} depth={depth + 1} />
        ))}
      </>
    );
  }
  const line = (kind: DiffKind, value: React.ReactNode) => (
    <div data-kind={kind} className={`flex gap-1 py-0.5 ${MARK[kind].cls}`} style={pad}>
      <Sign kind={kind} />
      <span className="sr-only">{MARK[kind].word}:</span>
      <span className="shrink-0">{node.label || "value"}:</span> {value}
    </div>
  );
  if (node.kind === "changed") {
    if (wordy(node)) return line("changed", <WordDiff a={node.old as string} b={node.new as string} side="both" />);
    return (
      <>
        {line("removed", <Value value={node.old} />)}
        {line("added", <Value value={node.new} />)}
      </>
    );
  }
  return line(node.kind, <Value value={node.kind === "removed" ? node.old : node.new} />);
}

const modeParser = parseAsStringLiteral(["split", "inline"] as const).withDefault("split");

/** Before/after pairs: side-by-side or inline, nested objects and arrays, word-level string diffs. */
export function DiffViewer({ pairs }: { pairs: { label: string; old: unknown; new: unknown }[] }) {
  const [mode, setMode] = useQueryState("diff", modeParser);
  const trees = useMemo(() => pairs.map((p) => ({ ...p, tree: diffValues(p.old, p.new, p.label) })), [pairs]);
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
      {trees.map(({ label, old, new: nw, tree }) => {
        const s = summarize(tree);
        return (
          <section key={label} className="mb-4 overflow-hidden rounded-md border border-slate-200 dark:border-slate-800" aria-label={`Changes to ${label}`}>
            <header className="flex items-center justify-between gap-2 bg-slate-50 px-3 py-1.5 text-sm dark:bg-slate-900">
              <span className="font-mono font-semibold">{label}</span>
              <span className="flex items-center gap-2 text-xs text-slate-600 dark:text-slate-300">
                {s.changed} changed · {s.added} added · {s.removed} removed
                <CopyButton value={JSON.stringify({ old, new: nw }, null, 2)} label={`${label} before/after`} />
              </span>
            </header>
            <div className="overflow-x-auto p-2 font-mono text-xs">
              {mode === "split" ? (
                <div role="table" aria-label={`${label}: before and after`}>
                  <div role="row" className="grid grid-cols-[minmax(8rem,14rem)_1fr_1fr] text-[11px] uppercase tracking-wide text-slate-500 dark:text-slate-400">
                    <div role="columnheader">field</div>
                    <div role="columnheader" className="px-2">before (old)</div>
                    <div role="columnheader" className="px-2">after (new)</div>
                  </div>
                  <SideBySide node={tree} depth={0} />
                </div>
              ) : (
                <Inline node={tree} depth={0} />
              )}
            </div>
          </section>
        );
      })}
    </div>
  );
}
