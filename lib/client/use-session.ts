"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { SessionView } from "@/lib/sessions/manage-sessions";
import { apiFetch } from "./api-fetch";
import { queryKeys } from "./query-keys";

export type { SessionView };

/** The signed-in user, current org, role and orgs. The shell passes the server's copy as initial data. */
export function useMe(initialData?: SessionView) {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: ({ signal }) => apiFetch<{ data: SessionView }>("/api/v1/me", { signal }).then((r) => r.data),
    initialData,
    staleTime: 60_000,
  });
}

export function useSwitchOrg() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (org: string) => apiFetch<{ data: SessionView }>("/api/v1/me/org", { method: "PUT", body: { org } }).then((r) => r.data),
    onSuccess: (me) => {
      qc.setQueryData(queryKeys.me, me);
      void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "me" });
    },
  });
}

export function useSignOut() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<{ success: true }>("/api/v1/auth/sign-out", { method: "POST" }),
    onSuccess: () => qc.clear(),
  });
}

/** Role checks for showing or hiding actions (the API enforces them regardless). */
export function hasScope(me: SessionView | undefined, scope: string): boolean {
  return !!me?.scopes.includes(scope as SessionView["scopes"][number]);
}
