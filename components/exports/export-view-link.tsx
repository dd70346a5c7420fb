"use client";

import { FileDown } from "lucide-react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";

/** The explorer's URL parameters the export form understands (components/exports/log-export-form.tsx). */
const CARRIED = ["q", "range", "from", "to", "actor", "action", "type", "repo"] as const;

/**
 * "Export this view": drop it into the explorer's toolbar. It carries the explorer's URL state
 * (query box, time range, filters) to /exports, whose log export form is prefilled with it, so the
 * file holds exactly the entries the view shows.
 */
export function ExportThisViewLink({ className }: { className?: string }) {
  const params = useSearchParams();
  const carried = new URLSearchParams();
  for (const k of CARRIED) {
    const v = params.get(k);
    if (v) carried.set(k, v);
  }
  const qs = carried.toString();
  return (
    <Link href={`/exports${qs ? `?${qs}` : ""}`} className={className ?? "inline-flex items-center gap-1.5 rounded-md border border-slate-300 px-2.5 py-1.5 text-sm hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-900"}>
      <FileDown aria-hidden className="h-4 w-4" /> Export this view
    </Link>
  );
}
