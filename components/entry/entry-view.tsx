"use client";

import { ArrowLeft, ChevronLeft, ChevronRight, ShieldCheck, ShieldAlert } from "lucide-react";
import Link from "next/link";
import { Tabs } from "radix-ui";
import { Time } from "@/components/time";
import { entryPairs } from "@/lib/client/diff-model";
import { useEntry, useVerify, type EntryContext } from "@/lib/client/use-explorer";
import { CopyButton } from "./copy-button";
import { DiffViewer } from "./diff-viewer";
import { EntryFields } from "./entry-fields";
import { JsonBlock } from "./folded-text";
import { InclusionCheck } from "./inclusion-check";

const tab = "rounded-t-md border-b-2 border-transparent px-3 py-1.5 text-sm font-medium text-slate-600 data-[state=active]:border-indigo-600 data-[state=active]:text-slate-900 dark:text-slate-300 dark:data-[state=active]:border-indigo-400 dark:data-[state=active]:text-white";

/** The full entry page: every field, the diff, raw JSON, the chain block and the resource's timeline. */
export function EntryView({ id }: { id: string }) {
  const entry = useEntry(id);
  if (entry.isPending) return <div className="space-y-3" role="status" aria-busy="true" aria-label="Loading entry">{[0, 1, 2].map((i) => <div key={i} className="h-16 animate-pulse rounded-md bg-slate-100 dark:bg-slate-800" />)}</div>;
  if (entry.isError) {
    return (
      <div role="alert" className="rounded-md border border-rose-300 bg-rose-50 p-4 text-rose-900 dark:border-rose-800 dark:bg-rose-950 dark:text-rose-100">
        <p className="font-medium">{entry.error.message}</p>
        <p className="mt-1 text-sm">Check the link, or find the entry in the <Link className="underline" href="/logs">Explorer</Link>. Entries of other orgs are not visible here: switch org if needed.</p>
      </div>
    );
  }
  const { event } = entry.data;
  const pairs = entryPairs(event);
  return (
    <div className="mx-auto max-w-6xl">
      <Link href="/logs" className="inline-flex items-center gap-1 text-sm text-indigo-700 hover:underline dark:text-indigo-300">
        <ArrowLeft className="h-4 w-4" aria-hidden /> Explorer
      </Link>
      <h1 className="mt-2 flex flex-wrap items-baseline gap-x-3 text-2xl font-semibold tracking-tight [overflow-wrap:anywhere]">
        <code className="min-w-0">{event.action}</code>
        <span className="text-base font-normal text-slate-600 dark:text-slate-300">
          by {event.actor.email ?? event.actor.name ?? event.actor.id} · <Time value={event.timestamp} />
        </span>
      </h1>
      <div className="mt-4 grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <Tabs.Root defaultValue="details" className="min-w-0">
          <Tabs.List aria-label="Entry views" className="flex gap-1 border-b border-slate-200 dark:border-slate-800">
            <Tabs.Trigger value="details" className={tab}>Details</Tabs.Trigger>
            <Tabs.Trigger value="changes" className={tab}>Changes ({pairs.length})</Tabs.Trigger>
            <Tabs.Trigger value="raw" className={tab}>Raw JSON</Tabs.Trigger>
          </Tabs.List>
          <Tabs.Content value="details" className="pt-3">
            <EntryFields event={event} />
            {pairs.length > 0 && (
              <>
                <h2 className="mb-2 mt-6 text-lg font-semibold">Changes</h2>
                <DiffViewer pairs={pairs} />
              </>
            )}
          </Tabs.Content>
          <Tabs.Content value="changes" className="pt-3">
            <DiffViewer pairs={pairs} />
          </Tabs.Content>
          <Tabs.Content value="raw" className="pt-3">
            <div className="flex justify-end"><CopyButton value={JSON.stringify(event, null, 2)} label="raw JSON" /></div>
            <JsonBlock value={event} testId="raw-json" />
          </Tabs.Content>
        </Tabs.Root>
        <aside className="min-w-0 space-y-6 [overflow-wrap:anywhere]">
          <ChainBlock ctx={entry.data} />
          <InclusionCheck event={entry.data.event} />
          <Timeline ctx={entry.data} />
        </aside>
      </div>
    </div>
  );
}

function ChainBlock({ ctx }: { ctx: EntryContext }) {
  const { event, previous, next } = ctx;
  const verify = useVerify();
  const r = verify.data;
  return (
    <section aria-labelledby="chain-h" className="rounded-md border border-slate-200 p-3 dark:border-slate-800">
      <h2 id="chain-h" className="font-semibold">Hash chain</h2>
      <dl className="mt-2 space-y-1 text-xs">
        <div><dt className="text-slate-500 dark:text-slate-400">seq</dt><dd className="font-mono" data-testid="chain-seq">{event.seq}</dd></div>
        <div>
          <dt className="text-slate-500 dark:text-slate-400">hash</dt>
          <dd className="flex items-start gap-1 break-all font-mono">{event.hash}<CopyButton value={event.hash} label="hash" /></dd>
        </div>
        <div>
          <dt className="text-slate-500 dark:text-slate-400">previous_hash</dt>
          <dd className="flex items-start gap-1 break-all font-mono">{event.previous_hash ?? "— (first entry)"}{event.previous_hash && <CopyButton value={event.previous_hash} label="previous hash" />}</dd>
        </div>
      </dl>
      <div className="mt-3 flex justify-between text-sm">
        {previous ? <Link className="inline-flex items-center text-indigo-700 hover:underline dark:text-indigo-300" href={`/logs/${encodeURIComponent(previous.id)}`}><ChevronLeft className="h-4 w-4" aria-hidden />Previous (#{previous.seq})</Link> : <span className="text-slate-500 dark:text-slate-400">No previous</span>}
        {next ? <Link className="inline-flex items-center text-indigo-700 hover:underline dark:text-indigo-300" href={`/logs/${encodeURIComponent(next.id)}`}>Next (#{next.seq})<ChevronRight className="h-4 w-4" aria-hidden /></Link> : <span className="text-slate-500 dark:text-slate-400">Newest</span>}
      </div>
      <button type="button" onClick={() => verify.mutate({ from: event.timestamp, to: event.timestamp })} disabled={verify.isPending} className="mt-3 w-full rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
        {verify.isPending ? "Verifying…" : "Verify this entry's link"}
      </button>
      {verify.isError && <p role="alert" className="mt-2 text-sm text-rose-700 dark:text-rose-300">Verification failed to run: {verify.error.message}</p>}
      {r && (
        <p role="status" data-testid="verify-result" className={`mt-2 flex items-start gap-1 text-sm ${r.chain_valid ? "text-emerald-800 dark:text-emerald-300" : "text-rose-800 dark:text-rose-300"}`}>
          {r.chain_valid ? <ShieldCheck className="h-4 w-4 shrink-0" aria-hidden /> : <ShieldAlert className="h-4 w-4 shrink-0" aria-hidden />}
          {r.chain_valid
            ? `Verified: the hash recomputes and links to seq ${event.seq - 1} (${r.logs_checked} entr${r.logs_checked === 1 ? "y" : "ies"} at this instant checked).`
            : `Problem: ${r.problems.map((p) => p.message).join("; ") || "the chain does not verify"}`}
        </p>
      )}
    </section>
  );
}

function Timeline({ ctx }: { ctx: EntryContext }) {
  return (
    <section aria-labelledby="timeline-h" className="rounded-md border border-slate-200 p-3 dark:border-slate-800">
      <h2 id="timeline-h" className="font-semibold">Timeline of {ctx.event.resource.name ?? `${ctx.event.resource.type} ${ctx.event.resource.id}`}</h2>
      <ol className="mt-2 max-h-[28rem] space-y-2 overflow-y-auto border-l border-slate-200 pl-3 dark:border-slate-700" tabIndex={0} aria-label="Events on this resource, newest first">
        {ctx.timeline.map((e) => (
          <li key={e.id} className="text-sm">
            {e.id === ctx.event.id ? (
              <span aria-current="true" className="font-semibold"><code>{e.action}</code> (this entry)</span>
            ) : (
              <Link className="text-indigo-700 hover:underline dark:text-indigo-300" href={`/logs/${encodeURIComponent(e.id)}`}><code>{e.action}</code></Link>
            )}
            <span className="block text-xs text-slate-500 dark:text-slate-400"><Time value={e.timestamp} /> · {e.actor.email ?? e.actor.name ?? e.actor.id}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
