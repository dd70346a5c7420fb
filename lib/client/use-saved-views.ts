"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { SavedView } from "@/lib/views/view-params";
import { apiFetch } from "./api-fetch";

export type { SavedView };
const key = ["saved-views"] as const;

export function useSavedViews() {
  return useQuery({ queryKey: key, queryFn: ({ signal }) => apiFetch<{ data: SavedView[] }>("/api/v1/views", { signal }).then((r) => r.data) });
}

export function useSaveView() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { name: string; query: string }) => apiFetch<{ data: SavedView }>("/api/v1/views", { method: "POST", body: v }).then((r) => r.data),
    onSuccess: () => qc.invalidateQueries({ queryKey: key }),
  });
}

export function useDeleteView() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch(`/api/v1/views/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: key }),
  });
}
