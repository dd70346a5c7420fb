"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { KeyRound } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { z } from "zod";
import { CopyButton } from "@/components/entry/copy-button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Time } from "@/components/time";
import { SCOPES } from "@/lib/auth/scopes";
import { useCreateToken, useRevokeToken, useTokens } from "@/lib/client/use-tokens";

const FormSchema = z.object({
  name: z.string().trim().min(1, "Give the token a name").max(200),
  scopes: z.array(z.enum(SCOPES)).min(1, "Pick at least one scope"),
  expires_in_days: z.union([z.literal(""), z.coerce.number().int().min(1, "At least 1 day").max(3650, "At most 3650 days")]),
});
type FormIn = z.input<typeof FormSchema>;
type FormOut = z.output<typeof FormSchema>;
const input = "mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";

/** API tokens of the current org: mint (the secret is shown once), list, revoke. Admin only. */
export function TokensAdmin() {
  const tokens = useTokens();
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const form = useForm<FormIn, unknown, FormOut>({ resolver: zodResolver(FormSchema), defaultValues: { name: "", scopes: ["audit:write"], expires_in_days: "" } });
  const err = form.formState.errors;
  const onSubmit = form.handleSubmit((v) =>
    create.mutate(
      { name: v.name, scopes: v.scopes, ...(v.expires_in_days !== "" && { expires_in_days: v.expires_in_days }) },
      {
        onSuccess: (t) => {
          setSecret({ name: t.name, token: t.token });
          form.reset();
        },
        onError: (e) => toast.error(`Could not create the token: ${e.message}`),
      },
    ),
  );
  return (
    <div className="max-w-5xl">
      <h1 className="text-2xl font-semibold tracking-tight">API tokens</h1>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">Services send <code>Authorization: Bearer &lt;token&gt;</code>. Only a hash is stored: the secret is shown once, when created.</p>
      {secret && (
        <div role="status" className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100" data-testid="new-token">
          <p className="font-medium">Copy the secret of “{secret.name}” now: it will not be shown again.</p>
          <p className="mt-1 flex items-center gap-1 break-all font-mono">{secret.token}<CopyButton value={secret.token} label="token secret" /></p>
        </div>
      )}
      <section aria-labelledby="tokens-h" className="mt-6">
        <h2 id="tokens-h" className="text-lg font-medium">Tokens</h2>
        {tokens.isPending && <div role="status" aria-label="Loading tokens" className="mt-3 h-24 animate-pulse rounded-md bg-slate-100 dark:bg-slate-800" />}
        {tokens.isError && <p role="alert" className="mt-3 text-rose-700 dark:text-rose-300">Could not load tokens: {tokens.error.message}. Reload to try again.</p>}
        {tokens.data && tokens.data.length === 0 && <p className="mt-3 text-sm text-slate-600 dark:text-slate-300">No tokens yet. Create one below for each service that writes or reads events.</p>}
        {tokens.data && tokens.data.length > 0 && (
          <div className="relative mt-3 overflow-x-auto">
          <table className="w-full min-w-[48rem] text-left text-sm">
            <thead className="border-b border-slate-200 text-slate-500 dark:border-slate-800 dark:text-slate-400">
              <tr><th className="py-2 pr-3 font-medium">Name</th><th className="py-2 pr-3 font-medium">Prefix</th><th className="py-2 pr-3 font-medium">Scopes</th><th className="py-2 pr-3 font-medium">Created</th><th className="py-2 pr-3 font-medium">Last used</th><th className="py-2 pr-3 font-medium">Status</th><th className="py-2"><span className="sr-only">Actions</span></th></tr>
            </thead>
            <tbody>
              {tokens.data.map((t) => {
                const expired = t.expires_at && new Date(t.expires_at) <= new Date();
                return (
                  <tr key={t.id} className="border-b border-slate-100 dark:border-slate-800/60">
                    <td className="py-2 pr-3">{t.name}</td>
                    <td className="py-2 pr-3 font-mono text-xs">{t.prefix}…</td>
                    <td className="py-2 pr-3 text-xs">{t.scopes.join(", ")}</td>
                    <td className="py-2 pr-3"><Time value={t.created_at} /></td>
                    <td className="py-2 pr-3">{t.last_used_at ? <Time value={t.last_used_at} /> : "never"}</td>
                    <td className="py-2 pr-3">{t.revoked_at ? "revoked" : expired ? "expired" : t.expires_at ? <>expires <Time value={t.expires_at} /></> : "active"}</td>
                    <td className="py-2 text-right">
                      {!t.revoked_at && (
                        <ConfirmDialog
                          title={`Revoke “${t.name}”?`}
                          description="Services using it get 401 at once. This cannot be undone (mint a new token instead)."
                          confirmLabel="Revoke"
                          onConfirm={() => revoke.mutate(t.id, { onSuccess: () => toast.success(`Revoked ${t.name}`), onError: (e) => toast.error(e.message) })}
                          trigger={
                            <button type="button" className="rounded-md border border-rose-300 px-2 py-0.5 text-xs text-rose-800 hover:bg-rose-50 dark:border-rose-800 dark:text-rose-200 dark:hover:bg-rose-950">
                              Revoke
                            </button>
                          }
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          </div>
        )}
      </section>
      <section aria-labelledby="new-token-h" className="mt-8">
        <h2 id="new-token-h" className="flex items-center gap-2 text-lg font-medium"><KeyRound className="h-5 w-5" aria-hidden />Create a token</h2>
        <form onSubmit={onSubmit} noValidate className="mt-3 grid gap-3 sm:grid-cols-2">
          <label className="text-sm">Name<input className={input} {...form.register("name")} aria-invalid={!!err.name} placeholder="e.g. billing-service" /></label>
          <label className="text-sm">Expires after (days, optional)<input className={input} inputMode="numeric" {...form.register("expires_in_days")} aria-invalid={!!err.expires_in_days} /></label>
          <fieldset className="text-sm sm:col-span-2">
            <legend>Scopes</legend>
            <div className="mt-1 flex flex-wrap gap-4">
              {SCOPES.map((s) => (
                <label key={s} className="flex items-center gap-1.5"><input type="checkbox" value={s} {...form.register("scopes")} /> <code>{s}</code></label>
              ))}
            </div>
          </fieldset>
          {(["name", "scopes", "expires_in_days"] as const).map((k) => err[k] && <p key={k} role="alert" className="text-sm text-rose-700 sm:col-span-2 dark:text-rose-300">{err[k]?.message}</p>)}
          <div className="sm:col-span-2"><button type="submit" disabled={create.isPending} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">Create token</button></div>
        </form>
      </section>
    </div>
  );
}
