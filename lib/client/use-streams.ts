"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { AlertRuleJson } from "@/lib/alerts/alert-schemas";
import type { StreamJson, StreamTestResult } from "@/lib/streams/stream-schemas";
import { apiFetch } from "./api-fetch";

export type { AlertRuleJson, StreamJson, StreamTestResult };

/** Query keys of the streams page (a branch of its own, like the other pages' in query-keys.ts). */
export const streamKeys = { all: ["streams"] as const, rules: ["alert-rules"] as const };

/** The org's streams, refreshed every 2 s so lag and deliveries/s stay live. */
export function useStreams() {
  return useQuery({
    queryKey: streamKeys.all,
    queryFn: ({ signal }) => apiFetch<{ data: StreamJson[] }>("/api/v1/streams", { signal }).then((r) => r.data),
    refetchInterval: 2000,
  });
}

export function useCreateStream() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: Record<string, unknown>) => apiFetch<{ data: StreamJson & { secret: string | null } }>("/api/v1/streams", { method: "POST", body: input }).then((r) => r.data),
    onSuccess: () => qc.invalidateQueries({ queryKey: streamKeys.all }),
  });
}

export function useUpdateStream() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: Record<string, unknown> }) =>
      apiFetch<{ data: StreamJson & { secret?: string } }>(`/api/v1/streams/${encodeURIComponent(id)}`, { method: "PATCH", body: patch }).then((r) => r.data),
    onSuccess: () => qc.invalidateQueries({ queryKey: streamKeys.all }),
  });
}

export function useDeleteStream() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch(`/api/v1/streams/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: streamKeys.all }),
  });
}

export function useReplayStream() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: { from_seq: number } | { from_time: string } }) =>
      apiFetch<{ data: StreamJson }>(`/api/v1/streams/${encodeURIComponent(id)}/replay`, { method: "POST", body }).then((r) => r.data),
    onSuccess: () => qc.invalidateQueries({ queryKey: streamKeys.all }),
  });
}

export function useTestStream() {
  return useMutation({
    mutationFn: (id: string) => apiFetch<{ data: StreamTestResult }>(`/api/v1/streams/${encodeURIComponent(id)}/test`, { method: "POST" }).then((r) => r.data),
  });
}

export function useAlertRules() {
  return useQuery({
    queryKey: streamKeys.rules,
    queryFn: ({ signal }) => apiFetch<{ data: AlertRuleJson[] }>("/api/v1/alert-rules", { signal }).then((r) => r.data),
    refetchInterval: 3000,
  });
}

export function useCreateAlertRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: Record<string, unknown>) => apiFetch<{ data: AlertRuleJson & { secret: string | null } }>("/api/v1/alert-rules", { method: "POST", body: input }).then((r) => r.data),
    onSuccess: () => qc.invalidateQueries({ queryKey: streamKeys.rules }),
  });
}

export function useUpdateAlertRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: Record<string, unknown> }) =>
      apiFetch<{ data: AlertRuleJson }>(`/api/v1/alert-rules/${encodeURIComponent(id)}`, { method: "PATCH", body: patch }).then((r) => r.data),
    onSuccess: () => qc.invalidateQueries({ queryKey: streamKeys.rules }),
  });
}

export function useDeleteAlertRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch(`/api/v1/alert-rules/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: streamKeys.rules }),
  });
}
