"use client";

import { flexRender, getCoreRowModel, useReactTable, type CellContext, type ColumnDef, type SortingState, type VisibilityState } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { ArrowDown, ArrowUp, Columns3 } from "lucide-react";
import Link from "next/link";
import { Popover } from "radix-ui";
import { useEffect, useMemo, useRef } from "react";
import { Time } from "@/components/time";
import { changeSummaryText, summarizeChanges } from "@/lib/client/change-summary";
import { nounFor } from "@/lib/client/format";
import type { StoredEvent } from "@/lib/client/use-explorer";
import { COLUMN_IDS, EXPLORER_TABLE_COLUMNS } from "./explorer-state";

const ROW_HEIGHT = 36;

const OUTCOME_STYLE: Record<string, string> = {
  success: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100",
  failure: "bg-rose-100 text-rose-900 dark:bg-rose-950 dark:text-rose-100",
  denied: "bg-amber-100 text-amber-950 dark:bg-amber-950 dark:text-amber-100",
};

/** How each registry column (lib/audit/event-fields.ts EXPLORER_COLUMNS, plus "changes") renders. */
interface Render {
  accessorFn: (e: StoredEvent) => unknown;
  cell?: (c: CellContext<StoredEvent, unknown>) => React.ReactNode;
  size: number;
  sortDescFirst?: boolean;
  enableSorting?: boolean;
}
const RENDER: Record<string, Render> = {
  timestamp: { accessorFn: (e) => e.timestamp, cell: (c) => <Time value={c.row.original.timestamp} />, size: 200, sortDescFirst: true, enableSorting: true },
  actor: { accessorFn: (e) => e.actor.email ?? e.actor.name ?? e.actor.id, size: 220 },
  action: {
    accessorFn: (e) => e.action,
    cell: (c) => (
      <Link href={`/logs/${encodeURIComponent(c.row.original.id)}`} onClick={(e) => e.stopPropagation()} className="font-mono text-indigo-700 hover:underline dark:text-indigo-300">
        {c.row.original.action}
      </Link>
    ),
    size: 200,
  },
  outcome: {
    accessorFn: (e) => e.outcome ?? "",
    cell: (c) => {
      const o = c.row.original.outcome;
      return o ? <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${OUTCOME_STYLE[o] ?? ""}`}>{o}</span> : <span className="text-slate-400 dark:text-slate-500" title="not recorded">—</span>;
    },
    size: 100,
  },
  resource: { accessorFn: (e) => `${e.resource.type}: ${e.resource.name ?? e.resource.id}`, size: 240 },
  changes: { accessorFn: (e) => changeSummaryText(summarizeChanges(e.changes)), cell: (c) => <ChangesCell event={c.row.original} />, size: 320 },
  repository: { accessorFn: (e) => e.repository?.name ?? "", size: 150 },
  ip_address: { accessorFn: (e) => e.ip_address ?? "", size: 130 },
  request_id: { accessorFn: (e) => e.request_id ?? "", size: 140 },
};

const COLUMNS: ColumnDef<StoredEvent>[] = EXPLORER_TABLE_COLUMNS.map((c): ColumnDef<StoredEvent> => ({
  id: c.id,
  header: c.label,
  ...(RENDER[c.id] ?? { accessorFn: (e: StoredEvent) => String((e as unknown as Record<string, unknown>)[c.id] ?? ""), size: 150 }),
}));
const LABEL: Record<string, string> = Object.fromEntries(EXPLORER_TABLE_COLUMNS.map((c) => [c.id, c.label]));

/** `field: old → new` for the first two changed fields, "+N more" (lib/client/change-summary.ts). */
function ChangesCell({ event }: { event: StoredEvent }) {
  const s = summarizeChanges(event.changes);
  if (!s) return <span className="text-slate-400 dark:text-slate-500">—</span>;
  return (
    <span title={changeSummaryText(s)} data-testid="changes-summary" className="font-mono text-xs">
      {s.parts.map((p, i) => (
        <span key={p.field}>
          {i > 0 && ", "}
          <span className="text-slate-600 dark:text-slate-300">{p.field}:</span>{" "}
          <del className="text-rose-800 no-underline dark:text-rose-300">{p.old}</del>
          <span aria-label="changed to"> → </span>
          <ins className="text-emerald-800 no-underline dark:text-emerald-300">{p.new}</ins>
        </span>
      ))}
      {s.more > 0 && <span className="ml-1 rounded bg-slate-100 px-1 text-slate-700 dark:bg-slate-800 dark:text-slate-200">+{s.more} more</span>}
    </span>
  );
}

export interface EventsTableProps {
  rows: StoredEvent[];
  total: number | null;
  /** false: more than `total` match (the count is capped). */
  totalExact?: boolean;
  selectedIndex: number;
  onSelect: (index: number, open: boolean) => void;
  sort: string | null;
  onSort: (sort: string | null) => void;
  hidden: string[];
  onHidden: (hidden: string[]) => void;
  hasMore: boolean;
  /** True while the rows shown are the previous filters' (the new ones are loading). */
  stale: boolean;
  loadingMore: boolean;
  loadMore: () => void;
}

/**
 * TanStack Table over the loaded pages, virtualized with TanStack Virtual (only the visible rows
 * and a small overscan are in the DOM). Reaching the end loads the next keyset page.
 */
export function EventsTable(p: EventsTableProps) {
  // Only time sorts (server-side, over the whole result); newest first unless the URL says asc.
  const sorting: SortingState = useMemo(() => [{ id: "timestamp", desc: p.sort !== "timestamp.asc" }], [p.sort]);
  const visibility: VisibilityState = useMemo(() => Object.fromEntries(COLUMN_IDS.map((c) => [c, !p.hidden.includes(c)])), [p.hidden]);
  const table = useReactTable({
    data: p.rows,
    columns: COLUMNS,
    state: { sorting, columnVisibility: visibility },
    onSortingChange: (u) => {
      const next = typeof u === "function" ? u(sorting) : u;
      const s = next[0];
      p.onSort(s && !s.desc ? "timestamp.asc" : null);
    },
    getCoreRowModel: getCoreRowModel(),
    // Sorting is the server's (time, both ways, over the whole result): rows arrive in order.
    manualSorting: true,
    enableSortingRemoval: false,
    defaultColumn: { enableSorting: false },
    getRowId: (r) => r.id,
  });
  const rows = table.getRowModel().rows;
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? 0;
  const { hasMore, loadingMore, loadMore } = p;
  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= rows.length - 25) loadMore();
  }, [lastIndex, rows.length, hasMore, loadingMore, loadMore]);
  useEffect(() => {
    if (p.selectedIndex >= 0) virtualizer.scrollToIndex(p.selectedIndex, { align: "auto" });
  }, [p.selectedIndex, virtualizer]);
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  const visibleCount = table.getVisibleLeafColumns().length;

  return (
    <div data-testid="events-table" aria-busy={p.stale} className={`rounded-md border border-slate-200 transition-opacity dark:border-slate-800 ${p.stale ? "opacity-60" : ""}`}>
      <div className="flex items-center justify-between gap-2 border-b border-slate-200 px-3 py-1.5 text-sm dark:border-slate-800">
        <p data-testid="result-count" aria-live="polite">
          {p.total === null ? "…" : <><strong className="tabular-nums">{p.totalExact === false ? "more than " : ""}{p.total.toLocaleString("en-US")}</strong> {nounFor(p.total, "event")}</>}
          <span className="text-slate-600 dark:text-slate-300"> · {p.rows.length.toLocaleString("en-US")} loaded · {p.sort === "timestamp.asc" ? "oldest first" : "newest first"}</span>
        </p>
        <p className="hidden text-xs text-slate-600 md:block dark:text-slate-300">
          <kbd className="rounded border border-slate-300 px-1 dark:border-slate-600">j</kbd>/<kbd className="rounded border border-slate-300 px-1 dark:border-slate-600">k</kbd> move · <kbd className="rounded border border-slate-300 px-1 dark:border-slate-600">Enter</kbd> open entry
        </p>
        <Popover.Root>
          <Popover.Trigger className="flex items-center gap-1 rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
            <Columns3 className="h-4 w-4" aria-hidden /> Columns
          </Popover.Trigger>
          <Popover.Portal>
            <Popover.Content align="end" sideOffset={4} className="z-30 rounded-md border border-slate-200 bg-white p-2 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100">
              <fieldset>
                <legend className="mb-1 text-xs font-medium">Visible columns</legend>
                {COLUMN_IDS.map((c) => (
                  <label key={c} className="flex items-center gap-2 py-0.5">
                    <input type="checkbox" checked={!p.hidden.includes(c)} onChange={(e) => p.onHidden(e.target.checked ? p.hidden.filter((h) => h !== c) : [...p.hidden, c])} />
                    {LABEL[c]}
                  </label>
                ))}
              </fieldset>
            </Popover.Content>
          </Popover.Portal>
        </Popover.Root>
      </div>
      <div ref={scroller} className="h-[calc(100vh-22rem)] min-h-80 overflow-auto" data-testid="table-scroller" tabIndex={0} aria-label="Events (scrollable)">
        <table className="w-full min-w-[56rem] table-fixed border-collapse text-sm" aria-rowcount={p.total ?? p.rows.length}>
          <thead className="sticky top-0 z-10 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600 dark:bg-slate-900 dark:text-slate-300">
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((h) => {
                  const dir = h.column.getIsSorted();
                  return (
                    <th key={h.id} scope="col" style={{ width: h.getSize() }} className="px-3 py-2 font-medium" aria-sort={dir === "asc" ? "ascending" : dir === "desc" ? "descending" : "none"}>
                      {h.column.getCanSort() ? (
                        <button type="button" onClick={h.column.getToggleSortingHandler()} className="inline-flex items-center gap-1 uppercase hover:text-slate-900 dark:hover:text-white">
                          {flexRender(h.column.columnDef.header, h.getContext())}
                          {dir === "asc" ? <ArrowUp className="h-3 w-3" aria-hidden /> : dir === "desc" ? <ArrowDown className="h-3 w-3" aria-hidden /> : null}
                        </button>
                      ) : (
                        flexRender(h.column.columnDef.header, h.getContext())
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {padTop > 0 && <tr aria-hidden style={{ height: padTop }}><td colSpan={visibleCount} /></tr>}
            {items.map((vi) => {
              const row = rows[vi.index]!;
              const sel = vi.index === p.selectedIndex;
              return (
                <tr
                  key={row.id}
                  data-index={vi.index}
                  data-testid="event-row"
                  aria-selected={sel}
                  aria-rowindex={vi.index + 2}
                  style={{ height: ROW_HEIGHT }}
                  onClick={() => p.onSelect(vi.index, true)}
                  className={`cursor-pointer border-t border-slate-100 dark:border-slate-800 ${sel ? "bg-indigo-50 outline outline-2 -outline-offset-2 outline-indigo-500 dark:bg-indigo-950" : "hover:bg-slate-50 dark:hover:bg-slate-900"}`}
                >
                  {row.getVisibleCells().map((c) => (
                    <td key={c.id} className="truncate px-3">
                      {flexRender(c.column.columnDef.cell ?? ((x) => String(x.getValue() ?? "")), c.getContext())}
                    </td>
                  ))}
                </tr>
              );
            })}
            {padBottom > 0 && <tr aria-hidden style={{ height: padBottom }}><td colSpan={visibleCount} /></tr>}
          </tbody>
        </table>
        {loadingMore && <p className="px-3 py-2 text-center text-xs text-slate-600 dark:text-slate-300">Loading more…</p>}
        {!hasMore && p.rows.length > 0 && <p className="px-3 py-2 text-center text-xs text-slate-600 dark:text-slate-300">End of results</p>}
      </div>
    </div>
  );
}
