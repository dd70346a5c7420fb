"use client";

import { ExportThisViewLink } from "@/components/exports/export-view-link";
import { RefreshCw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useExplorerEvents, useFacets, useHistogram, type ExplorerQuery } from "@/lib/client/use-explorer";
import dynamic from "next/dynamic";
import { EventsTable } from "./events-table";
import { toExplorerQuery, type ExplorerState } from "./explorer-params";

const explorerParsersDefaults: ExplorerState = { q: "", range: "30d", from: null, to: null, actor: null, action: [], type: null, repo: null, sort: null, hide: [], entry: null };
import { useExplorerState } from "./explorer-state";
import { FilterBar } from "./filter-bar";
import { QueryBox } from "./query-box";
import { SavedViews } from "./saved-views";
import { Time } from "@/components/time";
import { plural } from "@/lib/client/format";
import type { EmptyExplanation } from "@/lib/client/use-explorer";

// Recharts and the diff viewer (jsondiffpatch) load after the table: the first rows come first.
const Histogram = dynamic(() => import("./histogram").then((m) => m.Histogram), {
  ssr: false,
  loading: () => <div className="h-36 animate-pulse rounded-md border border-slate-200 bg-slate-50 dark:border-slate-800 dark:bg-slate-900" />,
});
const EntryDrawer = dynamic(() => import("./entry-drawer").then((m) => m.EntryDrawer), { ssr: false });

const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));

/** /logs: filter bar, query box, histogram, virtualized table with keyset infinite loading, drawer. */
export function Explorer({ initialNow }: { initialNow?: number }) {
  const [state, setState] = useExplorerState();
  const router = useRouter();
  // Relative ranges are anchored when chosen (and on refresh), so all queries of a view agree.
  const [now, setNow] = useState(() => initialNow ?? Date.now());
  const lastRange = useRef(state.range);
  useEffect(() => {
    if (lastRange.current === state.range) return; // not on mount: that would fetch everything twice
    lastRange.current = state.range;
    setNow(Date.now());
  }, [state.range]);

  const { q, range, from, to, actor, action, type, repo } = state;
  const order = state.sort === "timestamp.asc" ? ("asc" as const) : undefined;
  const filterKey = JSON.stringify([q, range, from, to, actor, action, type, repo, now]);
  // Only the filter fields (not the drawer, sort or columns) make a new query.
  const filter: ExplorerQuery = useMemo(
    () => toExplorerQuery({ ...explorerParsersDefaults, q, range, from, to, actor, action, type, repo }, now),
    // filterKey covers exactly these values
    [filterKey],
  );

  // The list's order is the server's (over the whole result); histogram and facets ignore it.
  const listFilter = useMemo(() => (order ? { ...filter, order } : filter), [filter, order]);
  const events = useExplorerEvents(listFilter);
  const firstPage = events.data?.pages[0];
  const histogram = useHistogram(filter);
  const facets = useFacets(filter, !events.isPending);
  const rows = useMemo(() => events.data?.pages.flatMap((p) => p.data) ?? [], [events.data]);
  const total = events.data?.pages[0]?.total ?? null;
  const totalExact = events.data?.pages[0]?.total_exact !== false;

  const [selected, setSelected] = useState(-1);
  const sortedIds = useRef<string[]>([]);
  sortedIds.current = rows.map((r) => r.id);
  useEffect(() => {
    if (state.entry) {
      const i = rows.findIndex((r) => r.id === state.entry);
      if (i >= 0) setSelected(i);
    }
  }, [state.entry, rows]);
  useEffect(() => setSelected(-1), [filterKey]);

  const selectRow = useCallback(
    (i: number, open: boolean) => {
      setSelected(i);
      const id = rows[i]?.id;
      if (open && id) void setState({ entry: id }, { history: "replace" });
    },
    [rows, setState],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey || typing(e.target)) return;
      if (e.key === "j" || e.key === "k") {
        e.preventDefault();
        const next = Math.max(0, Math.min(rows.length - 1, selected + (e.key === "j" ? 1 : -1)));
        if (rows.length === 0) return;
        setSelected(next);
        if (state.entry && rows[next]) void setState({ entry: rows[next].id }, { history: "replace" });
      } else if (e.key === "Enter" && selected >= 0 && rows[selected]) {
        const t = e.target as HTMLElement | null;
        if (t && (t.tagName === "A" || t.tagName === "BUTTON")) return;
        e.preventDefault();
        router.push(`/logs/${encodeURIComponent(rows[selected].id)}`);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [rows, selected, state.entry, setState, router]);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = events;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-semibold tracking-tight">Explorer</h1>
        <div className="flex flex-wrap items-center gap-2">
        <SavedViews />
        <ExportThisViewLink />
        <button
          type="button"
          onClick={() => {
            setNow(Date.now());
            void events.refetch();
          }}
          className="flex items-center gap-1 rounded-md border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
        >
          <RefreshCw className={`h-4 w-4 ${events.isFetching ? "animate-spin" : ""}`} aria-hidden /> Refresh
        </button>
        </div>
      </div>
      <FilterBar state={state} setState={setState} facets={facets.data} />
      <QueryBox value={state.q} onSubmit={(q) => void setState({ q: q || null })} facets={facets.data} />
      {firstPage?.time_window && (firstPage.time_window.from_source === "query" || firstPage.time_window.to_source === "query") && (
        <p role="status" data-testid="time-window-note" className="rounded-md bg-amber-50 px-3 py-1.5 text-sm text-amber-950 dark:bg-amber-950 dark:text-amber-100">
          The query&apos;s <code>created:</code> is narrower than the selected range, so it wins: showing{" "}
          {firstPage.time_window.from ? <>from <Time value={firstPage.time_window.from} /> </> : ""}
          {firstPage.time_window.to ? <>to <Time value={firstPage.time_window.to} /></> : ""}
          {" "}({[firstPage.time_window.from_source === "query" && "start", firstPage.time_window.to_source === "query" && "end"].filter(Boolean).join(" and ")} from <code>created:</code>).
        </p>
      )}
      <Histogram data={histogram.data} loading={histogram.isPending} onSelect={(from, to) => void setState({ range: "custom", from, to })} />
      {events.isError ? (
        <div role="alert" className="rounded-md border border-rose-300 bg-rose-50 p-4 text-rose-900 dark:border-rose-800 dark:bg-rose-950 dark:text-rose-100">
          <p className="font-medium">Could not load events: {events.error.message}</p>
          <p className="mt-1 text-sm">Check the filters above, or try again.</p>
          <button type="button" className="mt-2 rounded-md bg-rose-700 px-3 py-1 text-sm text-white" onClick={() => void events.refetch()}>
            Try again
          </button>
        </div>
      ) : events.isPending ? (
        <div className="space-y-1" role="status" aria-busy="true" aria-label="Loading events">
          {Array.from({ length: 8 }, (_, i) => (
            <div key={i} className="h-8 animate-pulse rounded bg-slate-100 dark:bg-slate-800" />
          ))}
        </div>
      ) : rows.length === 0 ? (
        <EmptyState explanation={firstPage?.empty} onTry={(next) => void setState({ q: next })} onAll={() => void setState({ range: "all", from: null, to: null })} onReset={() => void setState({ range: "all", from: null, to: null, actor: null, action: [], type: null, repo: null, q: null })} />
      ) : (
        <EventsTable
          rows={rows}
          total={total}
          totalExact={totalExact}
          selectedIndex={selected}
          onSelect={selectRow}
          sort={state.sort}
          onSort={(sort) => void setState({ sort })}
          hidden={state.hide}
          onHidden={(hide) => void setState({ hide })}
          hasMore={!!hasNextPage}
          stale={events.isPlaceholderData}
          loadingMore={isFetchingNextPage}
          loadMore={loadMore}
        />
      )}
      {state.entry && <EntryDrawer id={state.entry} onClose={() => void setState({ entry: null }, { history: "replace" })} />}
    </div>
  );
}

/**
 * "No silent empties": an empty result says which clause eliminated everything (how many entries
 * match without each clause) and offers the likely fix, from the API's `empty` explanation.
 */
function EmptyState({ explanation: e, onTry, onAll, onReset }: { explanation?: EmptyExplanation; onTry: (q: string) => void; onAll: () => void; onReset: () => void }) {
  return (
    <div className="rounded-md border border-dashed border-slate-300 p-6 dark:border-slate-700" data-testid="empty-state">
      <p className="font-medium">No events match {e?.culprit ? <>because of <code className="rounded bg-rose-100 px-1 text-rose-900 dark:bg-rose-900 dark:text-rose-100" data-testid="empty-culprit">{e.culprit}</code></> : "these filters"}.</p>
      {e && e.suggestions.length > 0 && (
        <ul className="mt-3 space-y-2" data-testid="empty-suggestions">
          {e.suggestions.map((s, i) => (
            <li key={i} className="rounded-md bg-indigo-50 px-3 py-2 text-sm text-indigo-950 dark:bg-indigo-950 dark:text-indigo-100">
              {s.message}
              {s.matches !== undefined && <> ({plural(s.matches, "match", "matches")})</>}
              {s.q && (
                <button type="button" className="ml-2 rounded-md bg-indigo-600 px-2 py-0.5 text-xs font-medium text-white hover:bg-indigo-700" onClick={() => onTry(s.q!)}>
                  Try <code>{s.q}</code>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {e && e.clauses.length > 0 && (
        <div className="relative mt-3 overflow-x-auto">
          <table className="text-left text-sm" data-testid="empty-clauses">
            <caption className="text-left text-xs text-slate-600 dark:text-slate-300">Entries that match without each part</caption>
            <tbody>
              {e.clauses.map((c) => (
                <tr key={c.clause} className={c.clause === e.culprit ? "font-semibold text-rose-900 dark:text-rose-200" : ""}>
                  <th scope="row" className="py-0.5 pr-4 font-mono font-normal">without {c.clause}</th>
                  <td className="py-0.5 tabular-nums">{c.exact ? "" : "at least "}{plural(c.matches_without, "entry", "entries")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="mt-4 flex flex-wrap gap-2">
        <button type="button" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800" onClick={onAll}>
          Widen the time range to All
        </button>
        <button type="button" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm text-white hover:bg-indigo-700" onClick={onReset}>
          Show everything
        </button>
      </div>
    </div>
  );
}
