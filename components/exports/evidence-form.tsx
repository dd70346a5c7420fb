"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { FileArchive } from "lucide-react";
import { useForm, type FieldPath } from "react-hook-form";
import { toast } from "sonner";
import { z } from "zod";
import { ApiError } from "@/lib/client/api-fetch";
import { FRAMEWORKS, SECTIONS } from "@/lib/exports/export-schemas";
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

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "pick a date");
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

const iso = (d: Date) => d.toISOString().slice(0, 10);

export function EvidenceForm() {
  const create = useCreateEvidence();
  const now = new Date();
  const form = useForm<EvidenceForm>({
    resolver: zodResolver(EvidenceFormSchema),
    defaultValues: { framework: "soc2", from: iso(new Date(now.getTime() - 90 * 86_400_000)), to: iso(now), include: [...SECTIONS], repositories: "" },
  });
  const errs = form.formState.errors;
  const onSubmit = form.handleSubmit((v) => {
    const repository_ids = v.repositories.split(/[\s,]+/).filter(Boolean);
    create.mutate(
      { format: "zip", framework: v.framework, audit_period: { from: v.from, to: v.to }, include: v.include, repository_ids },
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
      <div className="text-sm">
        <label htmlFor="ev-from">Audit period from</label>
        <input id="ev-from" type="date" className={input} aria-invalid={!!errs.from} aria-describedby={errs.from ? "ev-from-err" : undefined} {...form.register("from")} />
        {err("from", "ev-from")}
      </div>
      <div className="text-sm">
        <label htmlFor="ev-to">to (inclusive)</label>
        <input id="ev-to" type="date" className={input} aria-invalid={!!errs.to} aria-describedby={errs.to ? "ev-to-err" : undefined} {...form.register("to")} />
        {err("to", "ev-to")}
      </div>
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
