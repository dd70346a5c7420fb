"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { toast } from "sonner";
import { apiFetch } from "@/lib/client/api-fetch";
import type { ExportJobJson } from "@/lib/exports/job-json";

/** A job as GET /api/v1/exports returns it: the one declaration in lib/exports/job-json.ts. */
export type ExportJob = ExportJobJson;

export const exportKeys = { all: ["exports"] as const, list: ["exports", "list"] as const };

const running = (j: ExportJob) => j.status === "queued" || j.status === "processing";

/** Jobs started from this page: their completion gets a toast even when it happens before the next poll. */
const watched = new Set<string>();

/** The jobs table: refreshed every second while a job runs; a toast when one completes or fails. */
export function useExports() {
  const q = useQuery({
    queryKey: exportKeys.list,
    queryFn: ({ signal }) => apiFetch<{ data: ExportJob[] }>("/api/v1/exports", { query: { limit: 50 }, signal }).then((r) => r.data),
    refetchInterval: (query) => (query.state.data?.some(running) ? 1000 : false),
    staleTime: 0,
  });
  const seen = useRef<Map<string, ExportJob["status"]> | null>(null);
  useEffect(() => {
    if (!q.data) return;
    const prev = seen.current ?? new Map<string, ExportJob["status"]>();
    for (const j of q.data) {
      const before = prev.get(j.id);
      const wasRunning = watched.has(j.id) || before === "queued" || before === "processing";
      if (!running(j)) watched.delete(j.id);
      if (!wasRunning || running(j)) continue;
      if (j.status === "completed") {
        toast.success(`Export ready: ${j.file_name ?? j.id}`, {
          description: j.kind === "evidence" ? `${j.files_included ?? 0} files, ${j.rows_written.toLocaleString("en-US")} lines` : `${j.rows_written.toLocaleString("en-US")} entries`,
          action: j.download_url ? { label: "Download", onClick: () => window.location.assign(j.download_url!) } : undefined,
        });
      } else if (j.status === "failed") {
        toast.error(`Export failed: ${j.error ?? "unknown reason"}`);
      }
    }
    seen.current = new Map(q.data.map((j) => [j.id, j.status]));
  }, [q.data]);
  return q;
}

export interface LogExportInput {
  format: "jsonl" | "csv";
  from?: string;
  to?: string;
  actor?: string;
  action?: string;
  resourceType?: string;
  repositoryId?: string;
  q?: string;
}

export interface EvidenceInput {
  format: "zip";
  framework: string;
  audit_period: { from: string; to: string };
  include: string[];
  repository_ids: string[];
}

function useJobMutation<I, R>(fn: (input: I) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: exportKeys.all }) });
}

export const useCreateLogExport = () =>
  useJobMutation(async (input: LogExportInput) => {
    const r = await apiFetch<{ exportId: string; status: string }>("/audit-logs/export", { method: "POST", body: input });
    watched.add(r.exportId);
    return r;
  });

export const useCreateEvidence = () =>
  useJobMutation(async (input: EvidenceInput) => {
    const r = await apiFetch<{ data: { job_id: string; estimated_size_mb: number; estimated_completion: string } }>("/api/v1/audit/evidence/export", { method: "POST", body: input });
    watched.add(r.data.job_id);
    return r;
  });

export const useCancelExport = () => useJobMutation((id: string) => apiFetch(`/api/v1/exports/${encodeURIComponent(id)}/cancel`, { method: "POST" }));
export const useRetryExport = () =>
  useJobMutation(async (id: string) => {
    const r = await apiFetch(`/api/v1/exports/${encodeURIComponent(id)}/retry`, { method: "POST" });
    watched.add(id);
    return r;
  });
