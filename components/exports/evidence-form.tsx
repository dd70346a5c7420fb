"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { FileArchive } from "lucide-react";
import { useForm, type FieldPath } from "react-hook-form";
import { toast } from "sonner";
import { z } from "zod";
import { usePreferences } from "@/components/preferences";
import { DateField } from "@/components/ui/date-field";
import { SOC2_CONTROLS } from "@/lib/analytics/soc2-criteria";
import { ApiError } from "@/lib/client/api-fetch";
import { calendarPresets, fieldToIso, isFieldText, toFieldText } from "@/lib/client/zoned-dates";

import { FRAMEWORK_CONTROLS, FRAMEWORKS, SECTIONS } from "@/lib/exports/export-schemas";
import { button, input } from "./log-export-form";
import { useCreateEvidence } from "./use-exports";

const FRAMEWORK_LABEL: Record<(typeof FRAMEWORKS)[number], string> = { soc2: "SOC 2", iso27001: "ISO 27001", gdpr: "GDPR", hipaa: "HIPAA", pci_dss: "PCI DSS", nist_csf: "NIST CSF" };
const SECTION_LABEL: Record<(typeof SECTIONS)[number], string> = {
  compliance_reports: "Compliance report (summary)",
  scan_results: "Scan results",
  issue_history: "Issue history",
  fix_records: "Fix records",
  access_logs: "Access logs",
  configuration_history: "Configuration history",
};

const date = z.string().trim().refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && isFieldText(v), "a date that exists, as YYYY-MM-DD");
const EvidenceFormSchema = z
  .object({
    framework: z.enum(FRAMEWORKS),
    from: date,
    to: date,
    include: z.array(z.enum(SECTIONS)).min(1, "pick at least one section"),
    repositories: z.string().trim().max(10_000),
  })
  .refine((v) => v.from <= v.to, { message: "must not be before the start", path: ["to"] });
type EvidenceForm = z.infer<typeof EvidenceFormSchema>;

export function EvidenceForm() {
  const create = useCreateEvidence();
  const { timeZone } = usePreferences();
  const now = new Date();
  const presets = calendarPresets(now, timeZone);
  const lastQuarter = presets[0]!;
  const form = useForm<EvidenceForm>({
    resolver: zodResolver(EvidenceFormSchema),
    defaultValues: { framework: "soc2", from: toFieldText(lastQuarter.from, timeZone), to: toFieldText(lastQuarter.to, timeZone), include: [...SECTIONS], repositories: "" },
  });
  const errs = form.formState.errors;
  const framework = form.watch("framework");
  const [from, to] = form.watch(["from", "to"]);
  const activePreset = presets.find((p) => toFieldText(p.from, timeZone) === from && toFieldText(p.to, timeZone) === to)?.id;
  const controls = [...new Set(Object.values(FRAMEWORK_CONTROLS[framework] ?? {}).flat())];
  const onSubmit = form.handleSubmit((v) => {
    const repository_ids = v.repositories.split(/[\s,]+/).filter(Boolean);
    // UTC: plain dates (the service reads a plain-date end as the whole day); Local: the local days' instants.
    const period = timeZone === "utc" ? { from: v.from, to: v.to } : { from: fieldToIso(v.from, "local"), to: fieldToIso(v.to, "local", true) };
    create.mutate(
      { format: "zip", framework: v.framework, audit_period: period, include: v.include, repository_ids },
      {
        onSuccess: (r) => toast.info(`Evidence package ${r.data.job_id} started`, { description: `About ${r.data.estimated_size_mb} MB.` }),
        onError: (e) => {
          const map: Record<string, FieldPath<EvidenceForm>> = { framework: "framework", "audit_period.from": "from", "audit_period.to": "to", include: "include", repository_ids: "repositories" };
          const field = e instanceof ApiError && e.field ? Object.entries(map).find(([k]) => e.field!.startsWith(k))?.[1] : undefined;
          if (field) form.setError(field, { message: e.message });
          else toast.error(e.message);
        },
      },
    );
  });
  const err = (name: keyof EvidenceForm, id: string) =>
    errs[name]?.message ? <p id={`${id}-err`} role="alert" className="mt-1 text-xs text-red-700 dark:text-red-400">{errs[name]?.message}</p> : null;
  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4 sm:grid-cols-3" data-testid="evidence-form" aria-label="Evidence package">
      <div className="text-sm">
        <label htmlFor="ev-framework">Framework</label>
        <select id="ev-framework" className={input} {...form.register("framework")}>
          {FRAMEWORKS.map((f) => <option key={f} value={f}>{FRAMEWORK_LABEL[f]}</option>)}
        </select>
      </div>
      <DateField id="ev-from" label="Audit period from" error={errs.from?.message} {...form.register("from")} onPick={(t) => form.setValue("from", t, { shouldValidate: true })} />
      <DateField id="ev-to" label="to (inclusive)" error={errs.to?.message} {...form.register("to")} onPick={(t) => form.setValue("to", t, { shouldValidate: true })} />
      <div role="group" aria-label="Audit period presets" className="flex flex-wrap gap-2 text-xs sm:col-span-3" data-testid="period-presets">
        {presets.map((p) => (
          <button
            key={p.id}
            type="button"
            aria-pressed={activePreset === p.id}
            onClick={() => {
              form.setValue("from", toFieldText(p.from, timeZone), { shouldValidate: true });
              form.setValue("to", toFieldText(p.to, timeZone), { shouldValidate: true });
            }}
            className={`rounded-md border px-2 py-1 ${activePreset === p.id ? "border-indigo-600 bg-indigo-600 text-white" : "border-slate-300 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"}`}
          >
            {p.label}
          </button>
        ))}
      </div>
      {controls.length > 0 && (
        <div className="text-sm sm:col-span-3" data-testid="framework-controls">
          <p className="font-medium">Controls this package evidences</p>
          <ul className="mt-1 grid gap-1 sm:grid-cols-2">
            {controls.map((id) => {
              const c = framework === "soc2" ? (SOC2_CONTROLS as Record<string, { name: string; description: string }>)[id] : undefined;
              return (
                <li key={id} className="rounded border border-slate-200 px-2 py-1 dark:border-slate-800">
                  <span className="font-mono font-semibold">{id}</span>
                  {c && <> <span className="font-medium">{c.name}</span><span className="block text-xs text-slate-600 dark:text-slate-400">{c.description}</span></>}
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <fieldset className="text-sm sm:col-span-3" aria-describedby={errs.include ? "ev-include-err" : undefined}>
        <legend>Sections (one file each)</legend>
        <div className="mt-1 grid gap-1 sm:grid-cols-3">
          {SECTIONS.map((s) => (
            <label key={s} className="flex items-center gap-1.5"><input type="checkbox" value={s} {...form.register("include")} /> {SECTION_LABEL[s]}</label>
          ))}
        </div>
        {err("include", "ev-include")}
      </fieldset>
      <div className="text-sm sm:col-span-3">
        <label htmlFor="ev-repos">Repositories (ids, comma-separated; empty = all)</label>
        <input id="ev-repos" className={input} placeholder="repo_api, repo_web" {...form.register("repositories")} />
        {err("repositories", "ev-repos")}
      </div>
      <div className="sm:col-span-3">
        <button type="submit" className={button} disabled={create.isPending}><FileArchive aria-hidden className="h-4 w-4" /> {create.isPending ? "Starting…" : "Build evidence package"}</button>
      </div>
    </form>
  );
}
