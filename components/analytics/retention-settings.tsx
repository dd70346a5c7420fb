"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useEffect } from "react";
import { useForm, type FieldPath } from "react-hook-form";
import type { z } from "zod";
import { toast } from "sonner";
import { Time } from "@/components/time";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatBytes, plural } from "@/lib/client/format";
import { ApiError } from "@/lib/client/api-fetch";
import { CreateLegalHoldSchema, HOLD_SCOPES, type CreateLegalHold } from "@/lib/retention/legal-hold-schema";
import { DEFAULT_RETENTION_POLICY, RetentionPolicyFormSchema, type RetentionPolicyForm } from "@/lib/retention/retention-schema";
import { useCreateLegalHold, useLegalHolds, useReleaseLegalHold, useRetention, useUpdateRetention } from "./use-analytics";

const input = "mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";
const button = "rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60";
const fmt = (n: number) => n.toLocaleString("en-US");

const FIELDS: { name: FieldPath<RetentionPolicyForm>; label: string; hint: string }[] = [
  { name: "audit_logs.retention_days", label: "Audit logs: keep for (days)", hint: "At least 30. Older entries are removed by the hourly retention job, oldest first." },
  { name: "audit_logs.archive_after_days", label: "Audit logs: archive after (days)", hint: "Entries past this age are counted as the archive tier; at most the retention period." },
  { name: "scan_results.retention_days", label: "Scan results: keep for (days)", hint: "" },
  { name: "scan_results.archive_after_days", label: "Scan results: archive after (days)", hint: "" },
  { name: "evidence_exports.retention_days", label: "Evidence exports: keep for (days)", hint: "How long finished export files stay downloadable." },
];

function errorAt(errors: object, path: string): string | undefined {
  let cur: unknown = errors;
  for (const k of path.split(".")) cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[k] : undefined;
  return (cur as { message?: string } | undefined)?.message;
}

/** /settings/retention: the policy form, what it applies to, and legal holds (create / release). */
export function RetentionSettings() {
  const status = useRetention();
  const update = useUpdateRetention();
  const form = useForm<RetentionPolicyForm>({ resolver: zodResolver(RetentionPolicyFormSchema), defaultValues: DEFAULT_RETENTION_POLICY });
  const { reset } = form;
  useEffect(() => {
    if (status.data) reset(status.data.policy);
  }, [status.data, reset]);
  const onSubmit = form.handleSubmit((values) =>
    update.mutate(values, {
      onSuccess: (r) => {
        const n = Object.keys(r.changes).length;
        toast.success(n ? `Retention policy saved (${n} change${n > 1 ? "s" : ""}, recorded in the audit log)` : "Nothing changed");
      },
      onError: (e) => {
        if (e instanceof ApiError && e.field && FIELDS.some((f) => f.name === e.field)) form.setError(e.field as FieldPath<RetentionPolicyForm>, { message: e.message });
        else toast.error(e.message);
      },
    }),
  );
  const s = status.data;
  return (
    <div className="max-w-4xl">
      <h1 className="text-2xl font-semibold tracking-tight">Retention</h1>
      {status.isError && <p role="alert" className="mt-3 text-red-700 dark:text-red-400">Could not load the retention policy: {status.error.message}</p>}
      {s && (
        <dl className="mt-4 grid gap-3 text-sm sm:grid-cols-3 lg:grid-cols-5" data-testid="retention-status">
          <div><dt className="text-slate-600 dark:text-slate-400">Storage used</dt><dd className="font-medium" data-testid="storage-used">{formatBytes(s.storage_used_bytes)}</dd></div>
          <div><dt className="text-slate-600 dark:text-slate-400">Entries</dt><dd className="font-medium">{fmt(s.total_logs)}</dd></div>
          <div><dt className="text-slate-600 dark:text-slate-400">Oldest entry</dt><dd className="font-medium">{s.oldest_log ? <Time value={s.oldest_log} /> : "—"}</dd></div>
          <div><dt className="text-slate-600 dark:text-slate-400">Past the retention period</dt><dd className="font-medium" data-testid="past-retention">{s.logs_past_retention ? plural(s.logs_past_retention, "entry", "entries") : "none"}</dd></div>
          <div><dt className="text-slate-600 dark:text-slate-400">Past the archive age</dt><dd className="font-medium" data-testid="past-archive">{s.logs_past_archive_age ? plural(s.logs_past_archive_age, "entry", "entries") : "none"}</dd></div>
          {s.last_cut && (
            <div className="sm:col-span-3 lg:col-span-5"><dt className="text-slate-600 dark:text-slate-400">Last retention cut</dt>
              <dd>entries 1–{fmt(s.last_cut.through_seq)} removed on <Time value={s.last_cut.at} /> (chain continues from <code className="text-xs">{s.last_cut.cut_hash.slice(0, 19)}…</code>)</dd></div>
          )}
        </dl>
      )}
      <section aria-labelledby="policy" className="mt-6">
        <h2 id="policy" className="text-lg font-medium">Policy</h2>
        <form onSubmit={onSubmit} noValidate className="mt-3 grid gap-4 sm:grid-cols-2" data-testid="retention-form">
          {FIELDS.map((f) => {
            const err = errorAt(form.formState.errors, f.name);
            const id = `f-${f.name.replace(/\./g, "-")}`;
            return (
              <div key={f.name} className="text-sm">
                <label htmlFor={id}>{f.label}</label>
                <input id={id} type="number" min={0} step={1} className={input} aria-invalid={!!err} aria-describedby={err ? `${id}-err` : f.hint ? `${id}-hint` : undefined}
                  {...form.register(f.name, { valueAsNumber: true })} />
                {f.hint && !err && <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600 dark:text-slate-400">{f.hint}</p>}
                {err && <p id={`${id}-err`} role="alert" className="mt-1 text-xs text-red-700 dark:text-red-400">{err}</p>}
              </div>
            );
          })}
          <div className="sm:col-span-2">
            <button type="submit" className={button} disabled={update.isPending || !s}>Save policy</button>
          </div>
        </form>
      </section>
      <LegalHolds />
    </div>
  );
}

function LegalHolds() {
  const holds = useLegalHolds();
  const create = useCreateLegalHold();
  const release = useReleaseLegalHold();
  const form = useForm<z.input<typeof CreateLegalHoldSchema>, unknown, CreateLegalHold>({ resolver: zodResolver(CreateLegalHoldSchema), defaultValues: { scope: "repository", target: "", reason: "" } });
  const scope = form.watch("scope");
  const onSubmit = form.handleSubmit((values) =>
    create.mutate({ ...values, target: values.scope === "all" ? undefined : values.target }, {
      onSuccess: () => {
        toast.success("Legal hold placed");
        form.reset({ scope: values.scope, target: "", reason: "" });
      },
      onError: (e) => {
        if (e instanceof ApiError && (e.field === "target" || e.field === "reason" || e.field === "scope")) form.setError(e.field, { message: e.message });
        else toast.error(e.message);
      },
    }),
  );
  const err = form.formState.errors;
  return (
    <section aria-labelledby="holds" className="mt-10">
      <h2 id="holds" className="text-lg font-medium">Legal holds</h2>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        While a hold is active, retention removes nothing it covers. Because the chain can only be cut from its start, the cut stops just before the first held entry.
      </p>
      {holds.isError && <p role="alert" className="mt-3 text-red-700 dark:text-red-400">Could not load legal holds: {holds.error.message}</p>}
      {holds.data && holds.data.length === 0 && <p className="mt-3 text-sm">No legal holds.</p>}
      {holds.data && holds.data.length > 0 && (
        <div className="relative mt-3 overflow-x-auto">
        <table className="w-full min-w-[40rem] text-left text-sm" data-testid="legal-holds">
          <thead className="border-b border-slate-200 text-slate-500 dark:border-slate-800 dark:text-slate-400">
            <tr><th className="py-2 pr-4 font-medium">Scope</th><th className="py-2 pr-4 font-medium">Reason</th><th className="py-2 pr-4 font-medium">Placed</th><th className="py-2 pr-4 font-medium">Status</th><th className="py-2 font-medium"><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {holds.data.map((h) => (
              <tr key={h.id} className="border-b border-slate-100 dark:border-slate-800/60">
                <td className="py-2 pr-4">{h.scope === "all" ? "all events" : `${h.scope}: ${h.target}`}</td>
                <td className="py-2 pr-4">{h.reason}</td>
                <td className="py-2 pr-4"><Time value={h.created_at} /> by {h.created_by}</td>
                <td className="py-2 pr-4">{h.status === "active" ? "active" : <>released <Time value={h.released_at!} /></>}</td>
                <td className="py-2">
                  {h.status === "active" && (
                    <ConfirmDialog
                      title="Release this legal hold?"
                      description={<>Retention may then remove the entries it protected ({h.scope === "all" ? "all events" : `${h.scope}: ${h.target}`}). Recorded in the audit log.</>}
                      confirmLabel="Release"
                      onConfirm={() => release.mutate({ id: h.id }, { onSuccess: () => toast.success("Legal hold released"), onError: (e) => toast.error(e.message) })}
                      trigger={
                        <button type="button" className="rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100 disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800" disabled={release.isPending} aria-label={`Release hold: ${h.reason}`}>
                          Release
                        </button>
                      }
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      <form onSubmit={onSubmit} noValidate className="mt-4 grid gap-3 sm:grid-cols-3" aria-label="Place a legal hold">
        <label className="text-sm">Scope
          <select className={input} {...form.register("scope")}>
            {HOLD_SCOPES.map((s) => <option key={s} value={s}>{s === "all" ? "all events" : s}</option>)}
          </select>
        </label>
        <label className="text-sm">{scope === "actor" ? "Actor id or email" : scope === "repository" ? "Repository id" : "Target"}
          <input className={input} disabled={scope === "all"} aria-invalid={!!err.target} {...form.register("target")} />
        </label>
        <label className="text-sm">Reason
          <input className={input} aria-invalid={!!err.reason} {...form.register("reason")} />
        </label>
        {(["scope", "target", "reason"] as const).map((k) => err[k] && <p key={k} role="alert" className="text-sm text-red-700 sm:col-span-3 dark:text-red-400">{k}: {err[k]?.message}</p>)}
        <div className="sm:col-span-3"><button type="submit" className={button} disabled={create.isPending}>Place legal hold</button></div>
      </form>
    </section>
  );
}
