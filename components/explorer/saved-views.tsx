"use client";

import { Bookmark, Link2, Trash2 } from "lucide-react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Popover } from "radix-ui";
import { useState } from "react";
import { toast } from "sonner";
import { useDeleteView, useSavedViews, useSaveView } from "@/lib/client/use-saved-views";
import { VIEW_PARAMS } from "@/lib/views/view-params";

/** The current explorer view's query string (only the view's parameters; the open entry is not part of it). */
function currentQuery(params: URLSearchParams): string {
  const out = new URLSearchParams();
  for (const k of VIEW_PARAMS) {
    const v = params.get(k);
    if (v) out.set(k, v);
  }
  return out.toString();
}

/**
 * Saved views (per user, in the database): save the current URL state under a name, open one,
 * copy its link (a plain /logs?… URL anyone in the org can open), delete.
 */
export function SavedViews() {
  const params = useSearchParams();
  const views = useSavedViews();
  const save = useSaveView();
  const del = useDeleteView();
  const [name, setName] = useState("");
  const link = (query: string) => `${typeof window === "undefined" ? "" : window.location.origin}/logs${query ? `?${query}` : ""}`;
  const copy = async (query: string) => {
    try {
      await navigator.clipboard.writeText(link(query));
      toast.success("Link copied: anyone in this org can open it");
    } catch {
      toast.error("The browser refused clipboard access");
    }
  };
  return (
    <Popover.Root>
      <Popover.Trigger className="inline-flex items-center gap-1.5 rounded-md border border-slate-300 px-2.5 py-1.5 text-sm hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-900">
        <Bookmark className="h-4 w-4" aria-hidden /> Views
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content aria-label="Saved views" align="end" sideOffset={4} className="z-30 w-[min(22rem,calc(100vw-1rem))] rounded-md border border-slate-200 bg-white p-3 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100" data-testid="saved-views">
          <form
            className="flex items-end gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              if (!name.trim()) return;
              save.mutate({ name: name.trim(), query: currentQuery(new URLSearchParams(params.toString())) }, {
                onSuccess: (v) => {
                  toast.success(`Saved view “${v.name}”`);
                  setName("");
                },
                onError: (err) => toast.error(err.message),
              });
            }}
          >
            <label className="flex-1 text-xs">
              Save this view as
              <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} placeholder="e.g. Policy changes, 30 days" className="mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950" />
            </label>
            <button type="submit" disabled={save.isPending || !name.trim()} className="rounded-md bg-indigo-600 px-2.5 py-1 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">Save</button>
          </form>
          <p className="mt-3 text-xs font-medium text-slate-600 dark:text-slate-300">My saved views</p>
          {views.isError && <p role="alert" className="text-rose-700 dark:text-rose-300">{views.error.message}</p>}
          {views.data?.length === 0 && <p className="mt-1 text-xs text-slate-600 dark:text-slate-300">None yet: set filters, then save them here.</p>}
          <ul className="mt-1 max-h-64 space-y-1 overflow-auto">
            {views.data?.map((v) => (
              <li key={v.id} className="flex items-center justify-between gap-2 rounded px-1 py-0.5 hover:bg-slate-50 dark:hover:bg-slate-800">
                <Link href={`/logs${v.query ? `?${v.query}` : ""}`} className="min-w-0 truncate text-indigo-700 hover:underline dark:text-indigo-300" title={v.query}>{v.name}</Link>
                <span className="flex shrink-0 gap-1">
                  <button type="button" aria-label={`Copy the link of ${v.name}`} title="Copy link" onClick={() => void copy(v.query)} className="rounded p-1 hover:bg-slate-200 dark:hover:bg-slate-700"><Link2 className="h-3.5 w-3.5" aria-hidden /></button>
                  <button type="button" aria-label={`Delete ${v.name}`} title="Delete" onClick={() => del.mutate(v.id, { onError: (err) => toast.error(err.message) })} className="rounded p-1 hover:bg-slate-200 dark:hover:bg-slate-700"><Trash2 className="h-3.5 w-3.5" aria-hidden /></button>
                </span>
              </li>
            ))}
          </ul>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
