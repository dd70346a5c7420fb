"use client";

import { ExternalLink, X } from "lucide-react";
import Link from "next/link";
import { Dialog } from "radix-ui";
import { DiffViewer } from "@/components/entry/diff-viewer";
import { EntryFields } from "@/components/entry/entry-fields";
import { entryPairs } from "@/lib/client/diff-model";
import { useEntry } from "@/lib/client/use-explorer";

/** The side drawer of the selected row: every field and the diff; a link (or Enter) to the full page. */
export function EntryDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const entry = useEntry(id);
  const event = entry.data?.event;
  return (
    <Dialog.Root open={!!id} onOpenChange={(o) => !o && onClose()} modal={false}>
      <Dialog.Portal>
        <Dialog.Content
          onInteractOutside={(e) => e.preventDefault()}
          data-testid="entry-drawer"
          className="fixed inset-y-0 right-0 z-40 flex w-full max-w-xl flex-col border-l border-slate-200 bg-white shadow-2xl dark:border-slate-800 dark:bg-slate-950 dark:text-slate-100"
        >
          <div className="flex items-start justify-between gap-2 border-b border-slate-200 p-4 dark:border-slate-800">
            <div className="min-w-0">
              <Dialog.Title className="truncate font-mono text-lg font-semibold" title={event?.action}>{event?.action ?? "Entry"}</Dialog.Title>
              <Dialog.Description className="text-sm text-slate-600 [overflow-wrap:anywhere] dark:text-slate-300">
                {event ? `seq ${event.seq} · ${event.id}` : entry.isError ? "Could not load this entry" : "Loading…"}
              </Dialog.Description>
            </div>
            <div className="flex items-center gap-1">
              {id && (
                <Link href={`/logs/${encodeURIComponent(id)}`} className="inline-flex items-center gap-1 rounded-md border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
                  Open <ExternalLink className="h-4 w-4" aria-hidden />
                </Link>
              )}
              <Dialog.Close aria-label="Close" className="rounded-md p-1.5 hover:bg-slate-100 dark:hover:bg-slate-800">
                <X className="h-5 w-5" aria-hidden />
              </Dialog.Close>
            </div>
          </div>
          <div className="min-w-0 flex-1 overflow-y-auto overflow-x-hidden p-4">
            {entry.isPending && <div className="h-40 animate-pulse rounded-md bg-slate-100 dark:bg-slate-800" />}
            {entry.isError && <p role="alert" className="text-rose-700 dark:text-rose-300">{entry.error.message}</p>}
            {event && (
              <>
                <EntryFields event={event} />
                <h3 className="mb-2 mt-5 font-semibold">Changes</h3>
                <DiffViewer pairs={entryPairs(event)} maxRows={12} />
              </>
            )}
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
