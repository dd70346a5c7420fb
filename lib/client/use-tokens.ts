"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TokenView } from "@/lib/auth/token-schemas";
import { apiFetch } from "./api-fetch";
import { queryKeys } from "./query-keys";

export type { TokenView };

export function useTokens() {
  return useQuery({ queryKey: queryKeys.tokens, queryFn: ({ signal }) => apiFetch<{ data: TokenView[] }>("/api/v1/admin/tokens", { signal }).then((r) => r.data) });
}

/** Mints a token; the answer carries the secret once (`token`). */
export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; scopes: string[]; expires_in_days?: number }) => apiFetch<TokenView & { token: string }>("/api/v1/admin/tokens", { method: "POST", body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.tokens }),
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<TokenView>(`/api/v1/admin/tokens/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.tokens }),
  });
}
