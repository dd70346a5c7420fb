"use client";

import { ChevronDown, X } from "lucide-react";
import { Popover } from "radix-ui";
import { useEffect, useState } from "react";
import { usePreferences } from "@/components/preferences";
import { DateField } from "@/components/ui/date-field";
import { fieldToIso, toFieldText } from "@/lib/client/zoned-dates";
import type { EventFacets } from "@/lib/client/use-explorer";
import { RANGES, RANGE_LABEL, type ExplorerState, type SetExplorerState } from "./explorer-state";

const field = "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900";

/** One end of the custom range: ISO text in the chosen zone (the shared DateField), applied on Enter, blur or a pick. */
function RangeEnd({ id, label, iso, onApply }: { id: string; label: string; iso: string | null; onApply: (iso: string | null) => void }) {
  const { timeZone } = usePreferences();
  const shown = iso ? toFieldText(iso, timeZone, true) : "";
  const [draft, setDraft] = useState(shown);
  useEffect(() => setDraft(shown), [shown]);
  const apply = (text: string) => {
    const next = text.trim() ? fieldToIso(text, timeZone) : "";
    if (next || !text.trim()) onApply(next || null);
  };
  return (
    <DateField
      id={id}
      label={label}
      withTime
      className="w-52 text-xs"
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={() => draft !== shown && apply(draft)}
      onKeyDown={(e) => e.key === "Enter" && apply(draft)}
      onPick={(text) => {
        setDraft(text);
        apply(text);
      }}
    />
  );
}

/** Time range presets (+ custom in the chosen zone), actor, actions (multi-select with counts), resource type, repository. */
export function FilterBar({ state, setState, facets }: { state: ExplorerState; setState: SetExplorerState; facets: EventFacets | undefined }) {
  const actions = facets?.actions ?? [];
  const selected = new Set(state.action);
  const active = state.actor || state.action.length || state.type || state.repo || state.q;
  return (
    <div className="flex flex-wrap items-end gap-3" data-testid="filter-bar">
      <div role="group" aria-label="Time range" className="flex overflow-hidden rounded-md border border-slate-300 text-sm dark:border-slate-700">
        {RANGES.map((r) => (
          <button
            key={r}
            type="button"
            title={r === "all" || r === "custom" ? undefined : `The last ${RANGE_LABEL[r].replace(" d", " days").replace(" h", " hours")} up to now (rolling, like Home's ranges)`}
            aria-pressed={state.range === r}
            onClick={() =>
              void setState(
                r === "custom"
                  ? { range: r, from: state.from ?? new Date(Date.now() - 86_400_000).toISOString(), to: state.to ?? new Date().toISOString() }
                  : { range: r, from: null, to: null },
              )
            }
            className={`px-2.5 py-1 ${state.range === r ? "bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900" : "bg-white hover:bg-slate-100 dark:bg-slate-900 dark:hover:bg-slate-800"}`}
          >
            {RANGE_LABEL[r]}
          </button>
        ))}
      </div>
      {state.range === "custom" && (
        <div className="flex flex-wrap items-end gap-2 text-xs">
          <RangeEnd id="range-from" label="From" iso={state.from} onApply={(from) => void setState({ from })} />
          <RangeEnd id="range-to" label="To" iso={state.to} onApply={(to) => void setState({ to })} />
        </div>
      )}
      <label className="flex flex-col text-xs">
        Actor
        <input
          className={`${field} w-48`}
          list="actor-options"
          placeholder="email or id"
          defaultValue={state.actor ?? ""}
          key={state.actor ?? ""}
          onKeyDown={(e) => {
            if (e.key === "Enter") void setState({ actor: e.currentTarget.value.trim() || null });
          }}
          onBlur={(e) => {
            const v = e.currentTarget.value.trim() || null;
            if (v !== state.actor) void setState({ actor: v });
          }}
        />
        <datalist id="actor-options">
          {(facets?.actors ?? []).map((a) => (
            <option key={a.value} value={a.value}>
              {a.label ?? a.value} ({a.count})
            </option>
          ))}
        </datalist>
      </label>
      <div className="flex flex-col text-xs">
        <span id="actions-label">Action</span>
        <Popover.Root>
          <Popover.Trigger className={`${field} flex min-w-40 items-center justify-between gap-2`} aria-labelledby="actions-label actions-value">
            <span id="actions-value">{state.action.length ? `${state.action.length} selected` : "any"}</span>
            <ChevronDown className="h-4 w-4" aria-hidden />
          </Popover.Trigger>
          <Popover.Portal>
            <Popover.Content align="start" sideOffset={4} className="z-30 max-h-80 w-72 overflow-auto rounded-md border border-slate-200 bg-white p-2 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100">
              <fieldset>
                <legend className="mb-1 text-xs font-medium text-slate-600 dark:text-slate-300">Actions (events in the current filters)</legend>
                {actions.length === 0 && <p className="text-slate-500">No actions in this range.</p>}
                {actions.map((a) => (
                  <label key={a.value} className="flex cursor-pointer items-center justify-between gap-2 rounded px-1 py-0.5 hover:bg-slate-100 dark:hover:bg-slate-800">
                    <span className="flex items-center gap-2">
                      <input
                        type="checkbox"
                        checked={selected.has(a.value)}
                        onChange={(e) => {
                          const next = new Set(selected);
                          if (e.target.checked) next.add(a.value);
                          else next.delete(a.value);
                          void setState({ action: [...next] });
                        }}
                      />
                      <code>{a.value}</code>
                    </span>
                    <span className="tabular-nums text-slate-600 dark:text-slate-300">{a.count.toLocaleString("en-US")}</span>
                  </label>
                ))}
              </fieldset>
            </Popover.Content>
          </Popover.Portal>
        </Popover.Root>
      </div>
      <label className="flex flex-col text-xs">
        Resource type
        <select className={field} value={state.type ?? ""} onChange={(e) => void setState({ type: e.target.value || null })}>
          <option value="">any</option>
          {state.type && !(facets?.resource_types ?? []).some((r) => r.value === state.type) && <option value={state.type}>{state.type}</option>}
          {(facets?.resource_types ?? []).map((r) => (
            <option key={r.value} value={r.value}>
              {r.value} ({r.count.toLocaleString("en-US")})
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col text-xs">
        Repository
        <select className={field} value={state.repo ?? ""} onChange={(e) => void setState({ repo: e.target.value || null })}>
          <option value="">any</option>
          {state.repo && !(facets?.repositories ?? []).some((r) => r.value === state.repo) && <option value={state.repo}>{state.repo}</option>}
          {(facets?.repositories ?? []).map((r) => (
            <option key={r.value} value={r.value}>
              {r.label ?? r.value} ({r.count.toLocaleString("en-US")})
            </option>
          ))}
        </select>
      </label>
      {active ? (
        <button type="button" onClick={() => void setState({ actor: null, action: [], type: null, repo: null, q: null })} className="flex items-center gap-1 rounded-md px-2 py-1 text-sm text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800">
          <X className="h-4 w-4" aria-hidden /> Clear filters
        </button>
      ) : null}
    </div>
  );
}
