"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { Time } from "@/components/time";
import { ApiError } from "@/lib/client/api-fetch";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { CopyButton } from "@/components/entry/copy-button";
import { useChangeRole, useCreatePasswordReset, useCreateUser, useRemoveMember, useUsers } from "@/lib/client/use-users";
import { useMe } from "@/lib/client/use-session";
import type { PasswordResetCreated } from "@/lib/users/manage-members";
import { ROLES } from "@/lib/users/roles";
import type { InvitationCreated } from "@/lib/users/invitation-schemas";
import { CreateUserInputSchema, type CreateUserInput } from "@/lib/users/user-schemas";

const input = "mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";
const small = "rounded-md border px-2 py-0.5 text-xs disabled:opacity-60";
const ROLE_HINT: Record<string, string> = { viewer: "viewer (read)", auditor: "auditor (read + export)", admin: "admin" };

/** Users of the current org and a form to add one (admin only; the API checks the role too). */
export function UsersAdmin() {
  const users = useUsers();
  const create = useCreateUser();
  const form = useForm<CreateUserInput>({ resolver: zodResolver(CreateUserInputSchema), defaultValues: { email: "", name: "", password: "", role: "viewer" } });
  const [invite, setInvite] = useState<InvitationCreated["invitation"] | null>(null);
  const [reset, setReset] = useState<PasswordResetCreated | null>(null);
  const changeRole = useChangeRole();
  const remove = useRemoveMember();
  const resetPassword = useCreatePasswordReset();
  const { data: me } = useMe();
  const onSubmit = form.handleSubmit((values) =>
    create.mutate(values, {
      onSuccess: (r) => {
        if ("status" in r && r.status === "invited") {
          // An existing account is never attached directly: show its invitation link, once.
          setInvite(r.invitation);
          toast.success(`${r.invitation.email} already has an account: invitation created`);
        } else if ("email" in r) {
          setInvite(null);
          toast.success(`Added ${r.email} as ${r.role}`);
        }
        form.reset();
      },
      onError: (e) => {
        if (e instanceof ApiError && e.field && e.field in values) form.setError(e.field as keyof CreateUserInput, { message: e.message });
        else toast.error(e.message);
      },
    }),
  );
  const err = form.formState.errors;
  return (
    <div className="max-w-4xl">
      <h1 className="text-2xl font-semibold tracking-tight">Users</h1>
      <section aria-labelledby="members" className="mt-6">
        <h2 id="members" className="text-lg font-medium">Members</h2>
        {users.isPending && <div className="mt-3 h-24 animate-pulse rounded-md bg-slate-100 dark:bg-slate-800" role="status" aria-label="Loading users" />}
        {users.isError && <p role="alert" className="mt-3 text-red-700 dark:text-red-400">Could not load users: {users.error.message}. Reload the page to try again.</p>}
        {reset && (
          <div role="status" data-testid="reset-link" className="mt-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
            <p className="font-medium">Password-reset link for {reset.email}: send it to them now. It is shown only once and works once, until <Time value={reset.expires_at} />.</p>
            <p className="mt-1 flex items-center gap-1 break-all font-mono text-xs">
              {typeof window === "undefined" ? reset.reset_path : `${window.location.origin}${reset.reset_path}`}
              <CopyButton value={typeof window === "undefined" ? reset.reset_path : `${window.location.origin}${reset.reset_path}`} label="reset link" />
            </p>
          </div>
        )}
        {users.data && (
          <div className="relative mt-3 overflow-x-auto">
            <table className="w-full min-w-[40rem] text-left text-sm" data-testid="users-table">
              <thead className="border-b border-slate-200 text-slate-500 dark:border-slate-800 dark:text-slate-400">
                <tr><th className="py-2 pr-4 font-medium">Email</th><th className="py-2 pr-4 font-medium">Name</th><th className="py-2 pr-4 font-medium">Role</th><th className="py-2 pr-4 font-medium">Last sign-in</th><th className="py-2 font-medium"><span className="sr-only">Actions</span></th></tr>
              </thead>
              <tbody>
                {users.data.map((u) => {
                  const self = u.id === me?.user.id;
                  return (
                    <tr key={u.id} className="border-b border-slate-100 dark:border-slate-800/60">
                      <td className="py-2 pr-4 [overflow-wrap:anywhere]">{u.email}</td>
                      <td className="py-2 pr-4">{u.name}</td>
                      <td className="py-2 pr-4">
                        <select
                          aria-label={`Role of ${u.email}`}
                          className="rounded-md border border-slate-300 bg-white px-1 py-0.5 text-sm dark:border-slate-700 dark:bg-slate-900"
                          value={u.role}
                          disabled={changeRole.isPending || self}
                          title={self ? "You cannot change your own role" : undefined}
                          onChange={(e) =>
                            changeRole.mutate(
                              { id: u.id, role: e.target.value },
                              { onSuccess: (r) => toast.success(`${r.email} is now ${r.role} (recorded in the audit log)`), onError: (err) => toast.error(err.message) },
                            )
                          }
                        >
                          {ROLES.map((r) => <option key={r} value={r}>{ROLE_HINT[r]}</option>)}
                        </select>
                      </td>
                      <td className="py-2 pr-4">{u.last_login_at ? <Time value={u.last_login_at} /> : "never"}</td>
                      <td className="py-2">
                        <div className="flex justify-end gap-2">
                          <ConfirmDialog
                            title={`Reset the password of ${u.email}?`}
                            description="You get a one-time link, shown once, to send them. Their current password keeps working until they use it; then their sessions end."
                            confirmLabel="Create reset link"
                            destructive={false}
                            onConfirm={() => resetPassword.mutate(u.id, { onSuccess: (r) => setReset(r), onError: (err) => toast.error(err.message) })}
                            trigger={<button type="button" className={`${small} border-slate-300 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800`} disabled={resetPassword.isPending}>Reset password<span className="sr-only"> of {u.email}</span></button>}
                          />
                          {!self && (
                            <ConfirmDialog
                              title={`Remove ${u.email} from this org?`}
                              description="They lose access to this org at once (their sessions here end). Their account and other orgs are not touched. Recorded in the audit log."
                              confirmLabel="Remove"
                              onConfirm={() => remove.mutate(u.id, { onSuccess: (r) => toast.success(`Removed ${r.email}`), onError: (err) => toast.error(err.message) })}
                              trigger={<button type="button" className={`${small} border-rose-300 text-rose-800 hover:bg-rose-50 dark:border-rose-800 dark:text-rose-200 dark:hover:bg-rose-950`} disabled={remove.isPending}>Remove<span className="sr-only"> {u.email}</span></button>}
                            />
                          )}
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="add-user" className="mt-8">
        <h2 id="add-user" className="text-lg font-medium">Add a user</h2>
        <form onSubmit={onSubmit} className="mt-3 grid gap-3 sm:grid-cols-2" noValidate>
          <label className="text-sm">Email<input type="email" autoComplete="off" className={input} {...form.register("email")} aria-invalid={!!err.email} /></label>
          <label className="text-sm">Name<input className={input} {...form.register("name")} aria-invalid={!!err.name} /></label>
          <label className="text-sm">Initial password<input type="password" autoComplete="new-password" className={input} {...form.register("password")} aria-invalid={!!err.password} /></label>
          <label className="text-sm">Role
            <select className={input} {...form.register("role")}>
              <option value="viewer">viewer (read)</option>
              <option value="auditor">auditor (read + export)</option>
              <option value="admin">admin</option>
            </select>
          </label>
          {(["email", "name", "password", "role"] as const).map((k) => err[k] && <p key={k} role="alert" className="text-sm text-red-700 sm:col-span-2 dark:text-red-400">{k}: {err[k]?.message}</p>)}
          {invite && (
            <div role="status" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm sm:col-span-2 dark:border-amber-700 dark:bg-amber-950">
              <p>
                <strong>{invite.email}</strong> already has an account, so they were invited as {invite.role} instead of added. Send them this link (shown
                only now; it works until <Time value={invite.expires_at} />); they accept it after signing in:
              </p>
              <input readOnly aria-label="Invitation link" className={`${input} font-mono`} value={typeof window === "undefined" ? invite.accept_path : `${window.location.origin}${invite.accept_path}`} onFocus={(e) => e.currentTarget.select()} />
            </div>
          )}
          <div className="sm:col-span-2">
            <button type="submit" disabled={create.isPending} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">Add user</button>
          </div>
        </form>
      </section>
    </div>
  );
}
