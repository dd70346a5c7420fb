"use client";

import { Tabs } from "radix-ui";
import { EvidenceForm } from "./evidence-form";
import { JobsTable } from "./jobs-table";
import { LogExportForm } from "./log-export-form";

const tab =
  "rounded-t-md border-b-2 border-transparent px-3 py-1.5 text-sm font-medium text-slate-600 data-[state=active]:border-indigo-600 data-[state=active]:text-slate-900 dark:text-slate-300 dark:data-[state=active]:border-indigo-400 dark:data-[state=active]:text-white";

/** /exports: log exports (JSONL/CSV) and evidence packages (ZIP), and the jobs with live progress. */
export function ExportCenter() {
  return (
    <div className="max-w-6xl">
      <h1 className="text-2xl font-semibold tracking-tight">Exports</h1>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        Exports run in the background and stream from the database, whatever their size. Download links are signed and expire
        (log exports after 24 h, evidence packages after the retention policy&apos;s evidence period).
      </p>
      <Tabs.Root defaultValue="logs" className="mt-4">
        <Tabs.List aria-label="Export kind" className="flex gap-1 border-b border-slate-200 dark:border-slate-800">
          <Tabs.Trigger value="logs" className={tab}>Log export</Tabs.Trigger>
          <Tabs.Trigger value="evidence" className={tab}>Evidence package</Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="logs" className="pt-4"><LogExportForm /></Tabs.Content>
        <Tabs.Content value="evidence" className="pt-4"><EvidenceForm /></Tabs.Content>
      </Tabs.Root>
      <section aria-labelledby="jobs-heading" className="mt-8">
        <h2 id="jobs-heading" className="text-lg font-medium">Jobs</h2>
        <div className="mt-3"><JobsTable /></div>
      </section>
    </div>
  );
}
