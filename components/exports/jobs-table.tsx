"use client";

import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { Ban, Download, RotateCcw } from "lucide-react";
import { toast } from "sonner";
import { Time } from "@/components/time";
import { ApiError } from "@/lib/client/api-fetch";
import { useCancelExport, useExports, useRetryExport, type ExportJob } from "./use-exports";

const fmt = (n: number) => n.toLocaleString("en-US");
function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const STATUS_STYLE: Record<ExportJob["status"], string> = {
  queued: "bg-slate-100 text-slate-800 dark:bg-slate-800 dark:text-slate-100",
  processing: "bg-indigo-100 text-indigo-900 dark:bg-indigo-950 dark:text-indigo-100",
  completed: "bg-green-100 text-green-900 dark:bg-green-950 dark:text-green-100",
  failed: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-100",
  cancelled: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-100",
  expired: "bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300",
};

function describe(j: ExportJob): string {
  const r = j.request;
  if (j.kind === "evidence") {
    const p = r.audit_period as { from: string; to: string } | undefined;
    return `${String(r.framework).toUpperCase()} ${p ? `${p.from} → ${p.to}` : ""}`;
  }
  const parts = ["from", "to", "q", "actor", "actorId", "action", "resourceType", "repositoryId"].filter((k) => r[k]).map((k) => `${k}=${String(r[k])}`);
  return parts.length ? parts.join(" · ") : "all entries";
}

function Progress({ job }: { job: ExportJob }) {
  const pct = Math.round(job.progress * 100);
  return (
    <div className="flex min-w-32 items-center gap-2">
      <div role="progressbar" aria-label={`Progress of ${job.id}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} className="h-2 w-24 overflow-hidden rounded bg-slate-200 dark:bg-slate-800">
        <div className={`h-full ${job.status === "failed" ? "bg-red-500" : "bg-indigo-600"} transition-[width] duration-500`} style={{ width: `${pct}%` }} />
      </div>
      <span className="tabular-nums text-xs">{pct}%</span>
    </div>
  );
}

function Actions({ job }: { job: ExportJob }) {
  const cancel = useCancelExport();
  const retry = useRetryExport();
  const onError = (e: Error) => toast.error(e.message);
  return (
    <div className="flex items-center gap-2">
      {job.status === "completed" && job.download_url && (
        <a href={job.download_url} className="inline-flex items-center gap-1 text-indigo-700 underline dark:text-indigo-300" data-testid={`download-${job.id}`} download>
          <Download aria-hidden className="h-4 w-4" /> Download
        </a>
      )}
      {(job.status === "queued" || job.status === "processing") && (
        <button type="button" className="inline-flex items-center gap-1 text-sm text-amber-800 hover:underline dark:text-amber-300" onClick={() => cancel.mutate(job.id, { onError })} disabled={cancel.isPending}>
          <Ban aria-hidden className="h-4 w-4" /> Cancel<span className="sr-only"> {job.id}</span>
        </button>
      )}
      {(job.status === "failed" || job.status === "cancelled" || job.status === "expired") && (
        <button type="button" className="inline-flex items-center gap-1 text-sm text-indigo-700 hover:underline dark:text-indigo-300" onClick={() => retry.mutate(job.id, { onError })} disabled={retry.isPending}>
          <RotateCcw aria-hidden className="h-4 w-4" /> Retry<span className="sr-only"> {job.id}</span>
        </button>
      )}
    </div>
  );
}

const col = createColumnHelper<ExportJob>();
const columns = [
  col.display({
    id: "kind",
    header: "Export",
    cell: ({ row: { original: j } }) => (
      <div>
        <div className="font-medium">{j.kind === "evidence" ? "Evidence package" : "Log export"} <span className="uppercase text-slate-600 dark:text-slate-400">{j.format}</span></div>
        <div className="max-w-72 truncate text-xs text-slate-600 dark:text-slate-400" title={describe(j)}>{describe(j)}</div>
      </div>
    ),
  }),
  col.accessor((j) => j.requested_by.email ?? j.requested_by.name ?? j.requested_by.id, { id: "requested_by", header: "Requested by" }),
  col.accessor("created_at", { header: "Created", cell: (c) => <Time value={c.getValue()} /> }),
  col.accessor("status", {
    header: "Status",
    cell: ({ row: { original: j } }) => (
      <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${STATUS_STYLE[j.status]}`} title={j.error ?? undefined} data-testid={`status-${j.id}`}>
        {j.status}
      </span>
    ),
  }),
  col.display({ id: "progress", header: "Progress", cell: ({ row: { original: j } }) => <Progress job={j} /> }),
  col.accessor("rows_written", {
    header: "Rows",
    cell: ({ row: { original: j } }) => (
      <span className="tabular-nums">
        {fmt(j.rows_written)}
        {j.status !== "completed" && j.rows_total != null ? ` / ${fmt(j.rows_total)}` : ""}
        {j.kind === "evidence" && <span className="block text-xs text-slate-600 dark:text-slate-400">lines{j.files_included ? ` in ${j.files_included} files` : ""}</span>}
      </span>
    ),
  }),
  col.accessor("size_bytes", { header: "Size", cell: (c) => <span className="tabular-nums">{size(c.getValue())}</span> }),
  col.accessor("expires_at", { header: "Expires", cell: (c) => (c.getValue() ? <Time value={c.getValue()!} /> : "—") }),
  col.display({ id: "actions", header: () => <span className="sr-only">Actions</span>, cell: ({ row: { original: j } }) => <Actions job={j} /> }),
];

export function JobsTable() {
  const jobs = useExports();
  const table = useReactTable({ data: jobs.data ?? [], columns, getCoreRowModel: getCoreRowModel(), getRowId: (j) => j.id });
  if (jobs.isError && jobs.error instanceof ApiError && jobs.error.status === 403) {
    return <p role="alert" className="text-sm text-slate-700 dark:text-slate-300">Your role cannot export: auditors and admins can. Ask an admin for the auditor role.</p>;
  }
  if (jobs.isError) return <p role="alert" className="text-red-700 dark:text-red-400">Could not load exports: {jobs.error.message}</p>;
  if (jobs.isPending) return <p className="text-sm text-slate-600 dark:text-slate-400">Loading exports…</p>;
  if (!jobs.data.length) return <p className="text-sm text-slate-600 dark:text-slate-400">No exports yet.</p>;
  return (
    <div className="relative overflow-x-auto rounded-md border border-slate-200 dark:border-slate-800">
      <table className="w-full text-left text-sm" data-testid="exports-table">
        <caption className="sr-only">Export jobs, newest first</caption>
        <thead className="bg-slate-50 dark:bg-slate-900">
          {table.getHeaderGroups().map((g) => (
            <tr key={g.id}>
              {g.headers.map((h) => <th key={h.id} scope="col" className="px-3 py-2 font-medium">{flexRender(h.column.columnDef.header, h.getContext())}</th>)}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((r) => (
            <tr key={r.id} className="border-t border-slate-200 align-top dark:border-slate-800" data-testid={`job-${r.id}`}>
              {r.getVisibleCells().map((c) => <td key={c.id} className="px-3 py-2">{flexRender(c.column.columnDef.cell, c.getContext())}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
