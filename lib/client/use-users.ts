"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { UserView } from "@/lib/users/manage-users";
import { apiFetch } from "./api-fetch";
import { queryKeys } from "./query-keys";

export function useUsers() {
  return useQuery({ queryKey: queryKeys.users, queryFn: ({ signal }) => apiFetch<{ data: UserView[] }>("/api/v1/admin/users", { signal }).then((r) => r.data) });
}

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; name: string; password: string; role: string }) =>
      apiFetch<{ data: UserView }>("/api/v1/admin/users", { method: "POST", body: input }).then((r) => r.data),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.users }),
  });
}
