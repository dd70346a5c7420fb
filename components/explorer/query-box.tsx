"use client";

import { Search } from "lucide-react";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { HAS_KEYS, parseExplorerQuery, QUERY_KEYS, queryKeyInfo, termAt, type QueryError } from "@/lib/audit/parse-explorer-query";
import type { EventFacets } from "@/lib/client/use-explorer";

interface Suggestion {
  insert: string;
  label: string;
  hint?: string;
}

function suggestionsFor(draft: string, caret: number, facets: EventFacets | undefined): { items: Suggestion[]; start: number; end: number } {
  const t = termAt(draft, caret);
  const neg = t.negated ? "-" : "";
  if (t.key === undefined) {
    if (!t.value || t.value.startsWith('"')) return { items: [], start: t.start, end: t.end };
    const items = Object.entries(QUERY_KEYS)
      .filter(([k]) => k.startsWith(t.value.toLowerCase()))
      .map(([k, hint]) => ({ insert: `${neg}${k}:`, label: `${neg}${k}:`, hint }));
    return { items, start: t.start, end: t.end };
  }
  const v = t.value.toLowerCase();
  let values: { value: string; hint?: string }[] = [];
  if (t.key === "action") {
    const acts = facets?.actions ?? [];
    const prefixes = [...new Set(acts.map((a) => a.value.split(".")[0]).filter((x): x is string => !!x))].map((p) => ({ value: `${p}.*`, hint: "prefix" }));
    values = [...prefixes, ...acts.map((a) => ({ value: a.value, hint: `${a.count.toLocaleString("en-US")} events` }))];
  } else if (t.key === "actor") values = (facets?.actors ?? []).map((a) => ({ value: a.value, hint: a.label }));
  else if (t.key === "resource") values = (facets?.resource_types ?? []).map((a) => ({ value: a.value, hint: `${a.count.toLocaleString("en-US")} events` }));
  else if (t.key === "repo") values = (facets?.repositories ?? []).map((a) => ({ value: a.label ?? a.value, hint: a.value }));
  else if (t.key === "has") values = HAS_KEYS.map((k) => ({ value: k }));
  else if (queryKeyInfo(t.key)?.values) values = queryKeyInfo(t.key)!.values!.map((x) => ({ value: x, hint: queryKeyInfo(t.key!)!.hint }));
  else if (t.key === "created") {
    const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
    values = [
      { value: `>${day(1)}`, hint: "since yesterday (UTC)" },
      { value: `>${day(7)}`, hint: "last 7 days" },
      { value: `>${day(30)}`, hint: "last 30 days" },
      { value: `${day(7)}..${day(0)}`, hint: "a range" },
    ];
  }
  const items = values
    .filter((x) => x.value.toLowerCase().includes(v) && x.value.toLowerCase() !== v)
    .slice(0, 8)
    .map((x) => ({ insert: `${neg}${t.key}:${x.value} `, label: `${neg}${t.key}:${x.value}`, hint: x.hint }));
  return { items, start: t.start, end: t.end };
}

/**
 * The key:value query box: a labelled search input with autocomplete of keys and values (ARIA
 * combobox). Enter applies the query; bad syntax is explained under the box and the table keeps
 * showing the last valid query's results.
 */
export function QueryBox({ value, onSubmit, facets }: { value: string; onSubmit: (q: string) => void; facets: EventFacets | undefined }) {
  const [draft, setDraft] = useState(value);
  const [caret, setCaret] = useState(value.length);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [errors, setErrors] = useState<QueryError[]>([]);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  useEffect(() => {
    setDraft(value);
    setErrors(parseExplorerQuery(value).errors);
  }, [value]);
  const sugg = useMemo(() => suggestionsFor(draft, caret, facets), [draft, caret, facets]);
  const showList = open && sugg.items.length > 0;

  const accept = (s: Suggestion) => {
    const next = draft.slice(0, sugg.start) + s.insert + draft.slice(sugg.end).replace(/^\s+/, "");
    const pos = sugg.start + s.insert.length;
    setDraft(next);
    setCaret(pos);
    setActive(-1);
    requestAnimationFrame(() => input.current?.setSelectionRange(pos, pos));
  };
  const submit = () => {
    const errs = parseExplorerQuery(draft).errors;
    setErrors(errs);
    setOpen(false);
    if (!errs.length) onSubmit(draft.trim());
  };

  return (
    <div className="relative">
      <label htmlFor={`${id}-q`} className="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300">
        Query <span className="font-normal">(key:value, OR, parentheses, -exclude, free text, e.g. <code>(action:*.failed OR action:*.denied) actor_type:service_account</code>)</span>
      </label>
      <div className="flex items-center gap-2 rounded-md border border-slate-300 bg-white px-2 focus-within:ring-2 focus-within:ring-indigo-500 dark:border-slate-700 dark:bg-slate-900">
        <Search className="h-4 w-4 text-slate-500" aria-hidden />
        <input
          ref={input}
          id={`${id}-q`}
          type="search"
          role="combobox"
          aria-expanded={showList}
          aria-controls={`${id}-list`}
          aria-autocomplete="list"
          aria-activedescendant={showList && active >= 0 ? `${id}-opt-${active}` : undefined}
          aria-invalid={errors.length > 0}
          aria-describedby={errors.length ? `${id}-err` : undefined}
          autoComplete="off"
          spellCheck={false}
          className="w-full bg-transparent py-1.5 font-mono text-sm outline-none"
          placeholder='actor:alice@acme.com action:policy.* "PII"'
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            setCaret(e.target.selectionStart ?? e.target.value.length);
            setOpen(true);
            setActive(-1);
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
          onFocus={() => setOpen(true)}
          onBlur={() => setTimeout(() => setOpen(false), 120)}
          onKeyDown={(e) => {
            if (showList && e.key === "ArrowDown") {
              e.preventDefault();
              setActive((a) => (a + 1) % sugg.items.length);
            } else if (showList && e.key === "ArrowUp") {
              e.preventDefault();
              setActive((a) => (a <= 0 ? sugg.items.length - 1 : a - 1));
            } else if (showList && active >= 0 && (e.key === "Enter" || e.key === "Tab")) {
              e.preventDefault();
              accept(sugg.items[active]!);
            } else if (e.key === "Enter") {
              e.preventDefault();
              submit();
            } else if (e.key === "Escape") {
              setOpen(false);
            }
          }}
        />
      </div>
      {showList && (
        <ul id={`${id}-list`} role="listbox" aria-label="Suggestions" className="absolute z-20 mt-1 max-h-72 w-full overflow-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900">
          {sugg.items.map((s, i) => (
            <li
              key={s.label}
              id={`${id}-opt-${i}`}
              role="option"
              aria-selected={i === active}
              className={`flex cursor-pointer justify-between gap-4 px-3 py-1 font-mono ${i === active ? "bg-indigo-100 dark:bg-indigo-900" : ""}`}
              onMouseDown={(e) => {
                e.preventDefault();
                accept(s);
              }}
            >
              <span>{s.label}</span>
              {s.hint && <span className="truncate font-sans text-xs text-slate-600 dark:text-slate-300">{s.hint}</span>}
            </li>
          ))}
        </ul>
      )}
      {errors.length > 0 && (
        <div id={`${id}-err`} role="alert" data-testid="query-errors" className="mt-1 rounded-md bg-rose-50 px-2 py-1 text-sm text-rose-900 dark:bg-rose-950 dark:text-rose-100">
          {errors.map((e, i) => (
            <p key={i}>
              <code className="rounded bg-rose-100 px-1 dark:bg-rose-900">{draft.slice(e.start, e.end) || "…"}</code> {e.message}
            </p>
          ))}
          <p className="text-xs">The table still shows the last valid query. Fix the query and press Enter.</p>
        </div>
      )}
    </div>
  );
}
