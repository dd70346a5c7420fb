"use client";

import { Activity, Boxes, GitBranch, Users } from "lucide-react";
import Link from "next/link";
import { parseAsStringLiteral, useQueryState } from "nuqs";
import { useEffect, useRef, useState } from "react";
import { useFormatInstant } from "@/components/time";
import { plural } from "@/lib/client/format";
import { explorerHref, useStatistics, type StatisticsResult } from "./use-analytics";

const RANGES = ["7d", "30d", "90d", "365d", "all"] as const;
type Range = (typeof RANGES)[number];
const RANGE_LABEL: Record<Range, string> = { "7d": "7 days", "30d": "30 days", "90d": "90 days", "365d": "1 year", all: "All time" };

/**
 * [from, to) for a range ending now: ROLLING, the last N × 24 h up to `now` — the same definition
 * as the explorer's "7 d"/"30 d" presets, so Home's "30 days" and the explorer's "30 d" count the
 * same events (calendar days would depend on the zone and include part of a 31st day).
 */
export function rangeDates(range: Range, now = Date.now()): { from?: string; to?: string } {
  if (range === "all") return {};
  const days = Number(range.slice(0, -1));
  return { from: new Date(now - days * 86_400_000).toISOString(), to: new Date(now).toISOString() };
}

const fmt = (n: number) => n.toLocaleString("en-US");
const card = "rounded-lg border border-slate-200 p-4 dark:border-slate-800";
const link = "rounded hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600";

/** Home: KPI cards and breakdowns of the org's audit events; every number opens the explorer filtered to it. */
export function StatisticsOverview() {
  const [range, setRange] = useQueryState("range", parseAsStringLiteral(RANGES).withDefault("30d"));
  const fmtTime = useFormatInstant();
  // Anchored when the range is chosen (and on mount), so every query of the view agrees.
  const [now, setNow] = useState(() => Date.now());
  const last = useRef(range);
  useEffect(() => {
    if (last.current !== range) {
      last.current = range;
      setNow(Date.now());
    }
  }, [range]);
  const dates = rangeDates(range, now);
  const stats = useStatistics(dates);
  const s = stats.data;
  return (
    <div className="mx-auto max-w-6xl">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Overview</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="range-label">
            Audit activity of this org{dates.from && dates.to ? <>, the last {RANGE_LABEL[range]} (rolling, like the explorer&apos;s presets): {fmtTime(dates.from, { seconds: false })} to {fmtTime(dates.to, { seconds: false })}</> : ", all time"}.
          </p>
        </div>
        <div role="group" aria-label="Time range" className="flex overflow-hidden rounded-md border border-slate-300 dark:border-slate-700">
          {RANGES.map((r) => (
            <button
              key={r}
              type="button"
              aria-pressed={range === r}
              onClick={() => void setRange(r)}
              className={`px-3 py-1.5 text-sm ${range === r ? "bg-indigo-600 text-white" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}
            >
              {RANGE_LABEL[r]}
            </button>
          ))}
        </div>
      </div>
      {stats.isError && <p role="alert" className="mt-4 text-red-700 dark:text-red-400">Could not load statistics: {stats.error.message}</p>}
      {!s && stats.isPending && <div className="mt-6 h-40 animate-pulse rounded-lg bg-slate-100 dark:bg-slate-800" role="status" aria-label="Loading statistics" />}
      {s && <Overview s={s} from={dates.from} to={dates.to} />}
    </div>
  );
}

function Overview({ s, from, to }: { s: StatisticsResult; from?: string; to?: string }) {
  const range = { from, to };
  const types = Object.entries(s.events_by_type);
  const repos = Object.entries(s.events_by_repository);
  const actorTypes = Object.entries(s.events_by_actor_type);
  const top = s.top_actors[0];
  const actorLink = (a: string) => (a.includes("@") ? explorerHref({ actor: a, ...range }) : explorerHref({ actorName: a, ...range }));
  return (
    <>
      <dl className="mt-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4" data-testid="kpis">
        <Kpi icon={<Activity className="h-4 w-4" aria-hidden />} label="Events" value={fmt(s.total_events)} href={explorerHref(range)} testId="kpi-total" />
        <Kpi icon={<Boxes className="h-4 w-4" aria-hidden />} label="Event types" value={fmt(types.length)} href={explorerHref(range)} />
        <Kpi icon={<GitBranch className="h-4 w-4" aria-hidden />} label="Repositories" value={fmt(repos.length)} href={explorerHref(range)} />
        <Kpi icon={<Users className="h-4 w-4" aria-hidden />} label="Most active" value={top ? top.actor : "—"} sub={top ? plural(top.event_count, "event") : undefined} href={top ? actorLink(top.actor) : explorerHref(range)} />
      </dl>
      <div className="mt-6 grid gap-4 lg:grid-cols-2">
        <Breakdown title="Events by type" rows={types.map(([k, n]) => ({ label: k, n, href: explorerHref({ action: k, ...range }) }))} testId="by-type" />
        <Breakdown title="Events by repository" rows={repos.map(([k, n]) => ({ label: k, n, href: explorerHref({ repositoryName: k, ...range }) }))} testId="by-repository" />
        <Breakdown title="Events by actor type" rows={actorTypes.map(([k, n]) => ({ label: k, n, href: explorerHref({ actorType: k, ...range }) }))} testId="by-actor-type" />
        <Breakdown title="Top actors" rows={s.top_actors.map((a) => ({ label: a.actor, n: a.event_count, href: actorLink(a.actor) }))} testId="top-actors" />
      </div>
    </>
  );
}

function Kpi({ icon, label, value, sub, href, testId }: { icon: React.ReactNode; label: string; value: string; sub?: string; href: string; testId?: string }) {
  return (
    <div className={card}>
      <dt className="flex items-center gap-2 text-sm text-slate-600 dark:text-slate-400">{icon}{label}</dt>
      <dd className="mt-1 truncate text-2xl font-semibold" data-testid={testId}>
        <Link href={href} className={link}>{value}</Link>
      </dd>
      {sub && <dd className="text-sm text-slate-600 dark:text-slate-400">{sub}</dd>}
    </div>
  );
}

function Breakdown({ title, rows, testId }: { title: string; rows: { label: string; n: number; href: string }[]; testId: string }) {
  const max = Math.max(1, ...rows.map((r) => r.n));
  const id = `h-${testId}`;
  return (
    <section aria-labelledby={id} className={card} data-testid={testId}>
      <h2 id={id} className="font-medium">{title}</h2>
      {rows.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">No events in this range.</p>
      ) : (
        <ul className="mt-3 space-y-1.5">
          {rows.map((r) => (
            <li key={r.label} className="grid grid-cols-[minmax(0,12rem)_1fr_4.5rem] items-center gap-3 text-sm">
              <span className="truncate" title={r.label}>{r.label}</span>
              <span className="h-2 rounded bg-slate-100 dark:bg-slate-800" aria-hidden>
                <span className="block h-2 rounded bg-indigo-500" style={{ width: `${(r.n / max) * 100}%` }} />
              </span>
              <Link href={r.href} className={`${link} justify-self-end tabular-nums font-medium text-indigo-700 dark:text-indigo-300`} aria-label={`${plural(r.n, "event")}: ${r.label} (open in Explorer)`}>
                {fmt(r.n)}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
