"use client";

import { useState } from "react";

/** Characters shown of a long value before "show all". */
export const FOLD_CHARS = 160;

const wrap = "whitespace-pre-wrap break-words [overflow-wrap:anywhere]";

/** Text that wraps anywhere (never widens its panel) and, past `limit` characters, folds behind "show all". */
export function FoldedText({ text, limit = FOLD_CHARS, className = "" }: { text: string; limit?: number; className?: string }) {
  const [open, setOpen] = useState(false);
  if (text.length <= limit) return <span className={`${wrap} ${className}`}>{text}</span>;
  return (
    <span className={`${wrap} ${className}`} data-folded={open ? "false" : "true"}>
      {open ? text : `${text.slice(0, limit)}…`}{" "}
      <button
        type="button"
        aria-expanded={open}
        className="rounded bg-slate-200 px-1 font-sans text-xs text-slate-800 underline dark:bg-slate-700 dark:text-slate-100"
        onClick={() => setOpen((o) => !o)}
      >
        {open ? "show less" : `show all (${text.length.toLocaleString("en-US")} chars)`}
      </button>
    </span>
  );
}

const TOKEN = /"@@fold:(\d+)@@"/g;

/**
 * Pretty-printed JSON that wraps inside its box, with every long string value folded (click to
 * expand): the raw JSON tab, details and resource attributes. The copy buttons copy the full text.
 */
export function JsonBlock({ value, testId, className = "" }: { value: unknown; testId?: string; className?: string }) {
  const long: string[] = [];
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === "string" && v.length > FOLD_CHARS ? `@@fold:${long.push(v) - 1}@@` : v), 2) ?? "";
  const out: React.ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    out.push(text.slice(last, m.index));
    out.push(<FoldedText key={m.index} text={JSON.stringify(long[Number(m[1])])} />);
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return (
    <pre data-testid={testId} className={`max-w-full ${wrap} rounded-md bg-slate-50 p-3 font-mono text-xs dark:bg-slate-900 ${className}`}>
      {out}
    </pre>
  );
}
