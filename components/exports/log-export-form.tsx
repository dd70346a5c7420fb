"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Download } from "lucide-react";
import { parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";
import { useMemo } from "react";
import { useForm, type FieldPath } from "react-hook-form";
import { toast } from "sonner";
import { z } from "zod";
import { usePreferences } from "@/components/preferences";
import { DateField } from "@/components/ui/date-field";
import { ApiError } from "@/lib/client/api-fetch";
import { fieldToDate, fieldToIso, isFieldText, toFieldText } from "@/lib/client/zoned-dates";
import { useCreateLogExport, type LogExportInput } from "./use-exports";

export const input = "mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";
export const button = "inline-flex items-center gap-1.5 rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60";

/** The shared date field's text: `YYYY-MM-DD` or `YYYY-MM-DD HH:mm`, in the chosen zone. */
const when = z
  .string()
  .trim()
  .refine((v) => v === "" || isFieldText(v), { message: "a date that exists, as YYYY-MM-DD or YYYY-MM-DD HH:mm" });

const LogExportFormSchema = z
  .object({
    format: z.enum(["jsonl", "csv"]),
    from: when,
    to: when,
    q: z.string().trim().max(2000),
    actor: z.string().trim().max(320),
    action: z.string().trim().max(512),
    resourceType: z.string().trim().max(256),
    repositoryId: z.string().trim().max(256),
  })
  .refine((v) => !v.from || !v.to || fieldToDate(v.from, "utc")!.getTime() <= fieldToDate(v.to, "utc", true)!.getTime(), { message: "must not be before From", path: ["to"] });
type LogExportForm = z.infer<typeof LogExportFormSchema>;

const RANGE_MS: Record<string, number> = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 };

/** The explorer's "Export this view" link lands here with its URL state: q, range/from/to, actor, action, type, repo. */
const prefillParsers = {
  q: parseAsString,
  range: parseAsString,
  from: parseAsString,
  to: parseAsString,
  actor: parseAsString,
  action: parseAsString,
  type: parseAsString,
  repo: parseAsString,
  format: parseAsStringLiteral(["jsonl", "csv"] as const),
};

const FIELDS: { name: FieldPath<LogExportForm>; label: string; placeholder?: string; hint?: string }[] = [
  { name: "q", label: "Query", placeholder: 'actor:alice action:policy.* "text"', hint: "The explorer's query syntax." },
  { name: "actor", label: "Actor (id or email)" },
  { name: "action", label: "Action", placeholder: "policy.update or policy.*", hint: "One action, a comma-separated list, or prefix.*" },
  { name: "resourceType", label: "Resource type" },
  { name: "repositoryId", label: "Repository id" },
];

export function LogExportForm() {
  const [p] = useQueryStates(prefillParsers);
  const { timeZone } = usePreferences();
  const defaults = useMemo<LogExportForm>(() => {
    const fromIso = p.from ?? (p.range && RANGE_MS[p.range] ? new Date(Date.now() - RANGE_MS[p.range]!).toISOString() : "");
    const toIso = p.to ?? (p.range && RANGE_MS[p.range] ? new Date().toISOString() : "");
    const text = (iso: string) => (iso ? toFieldText(iso, timeZone, true) : "");
    return { format: p.format ?? "jsonl", from: text(fromIso), to: text(toIso), q: p.q ?? "", actor: p.actor ?? "", action: p.action ?? "", resourceType: p.type ?? "", repositoryId: p.repo ?? "" };
    // The zone is read once: the form keeps what was typed when the toggle changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [p]);
  const prefilled = Object.entries(p).some(([k, v]) => k !== "format" && v);
  const create = useCreateLogExport();
  const form = useForm<LogExportForm>({ resolver: zodResolver(LogExportFormSchema), defaultValues: defaults });
  const onSubmit = form.handleSubmit((v) => {
    const body: LogExportInput = { format: v.format };
    for (const k of ["q", "actor", "action", "resourceType", "repositoryId"] as const) if (v[k]) body[k] = v[k];
    // Dates in the chosen zone → instants with the offset; a plain-date "to" covers that whole day.
    if (v.from) body.from = fieldToIso(v.from, timeZone);
    if (v.to) body.to = fieldToIso(v.to, timeZone, true);
    create.mutate(body, {
      onSuccess: (r) => toast.info(`Export ${r.exportId} started`, { description: "Progress shows in the table below." }),
      onError: (e) => {
        if (e instanceof ApiError && e.field && (e.field === "from" || e.field === "to" || FIELDS.some((f) => f.name === e.field))) form.setError(e.field as FieldPath<LogExportForm>, { message: e.message });
        else toast.error(e.message);
      },
    });
  });
  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4 sm:grid-cols-2" data-testid="log-export-form" aria-label="Log export">
      {prefilled && (
        <p className="rounded-md bg-indigo-50 px-3 py-2 text-sm text-indigo-900 sm:col-span-2 dark:bg-indigo-950 dark:text-indigo-100" data-testid="prefilled">
          Filled in from the explorer&apos;s view: the export holds exactly the entries that view shows.
        </p>
      )}
      <fieldset className="sm:col-span-2">
        <legend className="text-sm">Format</legend>
        <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-sm">
          <label className="flex items-center gap-1.5"><input type="radio" value="jsonl" {...form.register("format")} /> JSONL (verifiable, one entry per line)</label>
          <label className="flex items-center gap-1.5"><input type="radio" value="csv" {...form.register("format")} /> CSV (spreadsheets)</label>
        </div>
      </fieldset>
      <DateField id="log-from" label="From" withTime hint="Inclusive." error={form.formState.errors.from?.message} {...form.register("from")} onPick={(t) => form.setValue("from", t, { shouldValidate: true })} />
      <DateField id="log-to" label="To" withTime hint="Inclusive: a plain date covers that whole day." error={form.formState.errors.to?.message} {...form.register("to")} onPick={(t) => form.setValue("to", t, { shouldValidate: true })} />
      {FIELDS.map((f) => {
        const err = form.formState.errors[f.name as keyof LogExportForm]?.message;
        const id = `log-${f.name}`;
        return (
          <div key={f.name} className="text-sm">
            <label htmlFor={id}>{f.label}</label>
            <input id={id} className={input} placeholder={f.placeholder} aria-invalid={!!err} aria-describedby={err ? `${id}-err` : f.hint ? `${id}-hint` : undefined} {...form.register(f.name)} />
            {err ? <p id={`${id}-err`} role="alert" className="mt-1 text-xs text-red-700 dark:text-red-400">{err}</p> : f.hint && <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600 dark:text-slate-400">{f.hint}</p>}
          </div>
        );
      })}
      <div className="sm:col-span-2">
        <button type="submit" className={button} disabled={create.isPending}><Download aria-hidden className="h-4 w-4" /> {create.isPending ? "Starting…" : "Start log export"}</button>
      </div>
    </form>
  );
}
