"use client";

import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient, type UseQueryOptions } from "@tanstack/react-query";
import type { HistoryResult, Metric } from "@/lib/analytics/get-history";
import type { StatisticsResult } from "@/lib/analytics/get-statistics";
import type { Interval } from "@/lib/analytics/periods";
import { apiFetch } from "@/lib/client/api-fetch";
import type { CreateLegalHold, LegalHoldView } from "@/lib/retention/legal-hold-schema";
import type { RetentionPolicyForm } from "@/lib/retention/retention-schema";
import type { RetentionStatus } from "@/lib/retention/get-retention-status";

export type { HistoryResult, Interval, LegalHoldView, Metric, RetentionStatus, StatisticsResult };

/**
 * Query keys of the analytics pages, under one "analytics" branch (the shared factory in
 * lib/client/query-keys.ts belongs to the dashboard work; these follow its general → specific shape).
 */
export const analyticsKeys = {
  all: ["analytics"] as const,
  statistics: (range: { from?: string; to?: string }) => ["analytics", "statistics", range] as const,
  history: (q: HistoryParams) => ["analytics", "history", q] as const,
  retention: ["analytics", "retention"] as const,
  legalHolds: ["analytics", "legal-holds"] as const,
};

export interface HistoryParams {
  metric: Metric;
  interval: Interval;
  framework?: string;
  repository_id?: string;
  from?: string;
  to?: string;
  /** IANA zone of the calendar periods (absent: UTC). */
  time_zone?: string;
}

export function useStatistics(range: { from?: string; to?: string }) {
  return useQuery<StatisticsResult>({
    queryKey: analyticsKeys.statistics(range),
    queryFn: ({ signal }) => apiFetch<{ data: StatisticsResult }>("/api/v1/audit/statistics", { query: range, signal }).then((r) => r.data),
    placeholderData: keepPreviousData,
  });
}

/** Several history series at once (one request each, cached separately). */
export function useHistories(list: HistoryParams[]) {
  return useQueries({
    queries: list.map((q): UseQueryOptions<HistoryResult> => ({
      queryKey: analyticsKeys.history(q),
      queryFn: ({ signal }) => apiFetch<{ data: HistoryResult }>("/api/v1/audit/history", { query: { ...q }, signal }).then((r) => r.data),
      placeholderData: keepPreviousData,
    })),
  });
}

export function useRetention() {
  return useQuery({
    queryKey: analyticsKeys.retention,
    queryFn: ({ signal }) => apiFetch<{ data: RetentionStatus }>("/api/v1/audit/retention", { signal }).then((r) => r.data),
  });
}

export function useUpdateRetention() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (policy: RetentionPolicyForm) =>
      apiFetch<{ data: RetentionStatus & { changes: Record<string, { old: number; new: number }> } }>("/api/v1/audit/retention", { method: "PUT", body: policy }).then((r) => r.data),
    onSuccess: (data) => {
      qc.setQueryData(analyticsKeys.retention, data);
    },
  });
}

export function useLegalHolds() {
  return useQuery({
    queryKey: analyticsKeys.legalHolds,
    queryFn: ({ signal }) => apiFetch<{ data: LegalHoldView[] }>("/api/v1/audit/legal-holds", { signal }).then((r) => r.data),
  });
}

export function useCreateLegalHold() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (hold: CreateLegalHold) => apiFetch<{ data: LegalHoldView }>("/api/v1/audit/legal-holds", { method: "POST", body: hold }).then((r) => r.data),
    onSuccess: () => qc.invalidateQueries({ queryKey: analyticsKeys.all }),
  });
}

export function useReleaseLegalHold() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; reason?: string }) =>
      apiFetch<{ data: LegalHoldView }>(`/api/v1/audit/legal-holds/${encodeURIComponent(v.id)}/release`, { method: "POST", body: v.reason ? { reason: v.reason } : {} }).then((r) => r.data),
    onSuccess: () => qc.invalidateQueries({ queryKey: analyticsKeys.all }),
  });
}

/** `/logs?…`: the explorer filtered to one value (its URL parameters: action, actor, repo, q, from, to, actor_type). */
export function explorerHref(filter: { action?: string; actor?: string; actorName?: string; repositoryName?: string; actorType?: string; from?: string | null; to?: string | null }): string {
  const sp = new URLSearchParams();
  const q: string[] = [];
  if (filter.action) sp.set("action", filter.action);
  if (filter.actor) sp.set("actor", filter.actor);
  if (filter.actorName) q.push(`"${filter.actorName.replace(/"/g, "")}"`);
  if (filter.repositoryName) q.push(/\s/.test(filter.repositoryName) ? `repo:"${filter.repositoryName}"` : `repo:${filter.repositoryName}`);
  if (filter.actorType) q.push(`actor_type:${filter.actorType}`);
  if (q.length) sp.set("q", q.join(" "));
  // Exact bounds need the explorer's custom range (its presets would ignore them).
  if (filter.from || filter.to) sp.set("range", "custom");
  if (filter.from) sp.set("from", filter.from);
  if (filter.to) sp.set("to", filter.to);
  const s = sp.toString();
  return s ? `/logs?${s}` : "/logs";
}
