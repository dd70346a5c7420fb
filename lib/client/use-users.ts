"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { InvitationCreated } from "@/lib/users/invitation-schemas";
import type { PasswordResetCreated } from "@/lib/users/manage-members";
import type { UserView } from "@/lib/users/manage-users";
import { apiFetch } from "./api-fetch";
import { queryKeys } from "./query-keys";

export function useUsers() {
  return useQuery({ queryKey: queryKeys.users, queryFn: ({ signal }) => apiFetch<{ data: UserView[] }>("/api/v1/admin/users", { signal }).then((r) => r.data) });
}

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    /** A new user (201: the UserView) or, for an existing account, an invitation (202: its link, shown once). */
    mutationFn: (input: { email: string; name: string; password: string; role: string }) =>
      apiFetch<{ data: UserView | InvitationCreated }>("/api/v1/admin/users", { method: "POST", body: input }).then((r) => r.data),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.users }),
  });
}

export function useChangeRole() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; role: string }) => apiFetch<{ data: { id: string; email: string; role: string } }>(`/api/v1/admin/users/${encodeURIComponent(v.id)}`, { method: "PATCH", body: { role: v.role } }).then((r) => r.data),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.users }),
  });
}

export function useRemoveMember() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<{ data: { id: string; email: string } }>(`/api/v1/admin/users/${encodeURIComponent(id)}`, { method: "DELETE" }).then((r) => r.data),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.users }),
  });
}

/** A one-time password-reset link (its path is in the answer once). */
export function useCreatePasswordReset() {
  return useMutation({
    mutationFn: (id: string) => apiFetch<{ data: PasswordResetCreated }>(`/api/v1/admin/users/${encodeURIComponent(id)}/password-reset`, { method: "POST" }).then((r) => r.data),
  });
}
