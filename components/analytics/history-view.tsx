"use client";

import { ChevronDown, Download, Minus, TrendingDown, TrendingUp } from "lucide-react";
import { parseAsArrayOf, parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";
import { Popover } from "radix-ui";
import { useEffect, useRef, useState } from "react";
import { usePreferences } from "@/components/preferences";
import { downloadChartPng, downloadCsv } from "@/lib/client/download-chart";
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useFacets } from "@/lib/client/use-explorer";
import { useHistories, type HistoryParams, type HistoryResult } from "./use-analytics";

/** The frameworks the scans report (details.framework); the score chart draws one line each. */
export const FRAMEWORKS = ["soc2", "gdpr", "hipaa", "iso27001"] as const;
const FRAMEWORK_LABEL: Record<string, string> = { soc2: "SOC 2", gdpr: "GDPR", hipaa: "HIPAA", iso27001: "ISO 27001" };
const COLORS: Record<string, string> = { soc2: "#4f46e5", gdpr: "#0891b2", hipaa: "#c2410c", iso27001: "#15803d" };
const INTERVALS = ["day", "week", "month"] as const;
const PERIODS = ["30d", "90d", "180d", "365d"] as const;
const PERIOD_LABEL: Record<(typeof PERIODS)[number], string> = { "30d": "Last 30 days", "90d": "Last 90 days", "180d": "Last 6 months", "365d": "Last year" };
const VIEWS = ["chart", "table"] as const;
/** Tooltip text in one dark colour on white (series colours alone fail contrast). */
const TOOLTIP_ITEM = { color: "#0f172a" };
const TOOLTIP_BOX = { background: "#ffffff", color: "#0f172a", borderColor: "#cbd5e1" };

const parsers = {
  interval: parseAsStringLiteral(INTERVALS).withDefault("week"),
  period: parseAsStringLiteral(PERIODS).withDefault("180d"),
  framework: parseAsString,
  repo: parseAsString,
  /** Repositories compared side by side (one line each); `repo` alone is the older single choice. */
  repos: parseAsArrayOf(parseAsString).withDefault([]),
  view: parseAsStringLiteral(VIEWS).withDefault("chart"),
};

/** `YYYY-MM-DD` of an instant in a zone ("UTC" or an IANA name). */
const day = (d: Date, zone: string) => new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);

/**
 * The zone whose calendar periods History counts: UTC, or with Local chosen the browser's IANA zone
 * (known only in the browser: UTC until mounted, so the server's render and the first client
 * render agree).
 */
function usePeriodZone(): string {
  const { timeZone } = usePreferences();
  const [browserZone, setBrowserZone] = useState<string | null>(null);
  useEffect(() => setBrowserZone(Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"), []);
  return timeZone === "local" && browserZone ? browserZone : "UTC";
}
/** Values as the cards show them: whole numbers (scores are averages such as 79.67). */
const shown = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(v));
const SERIES_COLORS = ["#4f46e5", "#0891b2", "#c2410c", "#15803d", "#a21caf", "#b45309", "#0f766e", "#be123c"];
const PERIOD_NOUN: Record<(typeof INTERVALS)[number], string> = { day: "day", week: "week", month: "month" };
const select = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";

interface Row {
  period: string;
  period_end: string;
  issues: number | null;
  fixes: number | null;
  [framework: string]: string | number | null;
}

/**
 * /history: score per framework, open issues and fixes over time, with filters and a table view; all
 * state in the URL. Several repositories chosen: compared side by side, one line each.
 */
export function HistoryView() {
  const [state, setState] = useQueryStates(parsers);
  const zone = usePeriodZone();
  const now = new Date();
  const from = day(new Date(now.getTime() - (Number(state.period.slice(0, -1)) - 1) * 86_400_000), zone);
  const to = day(now, zone);
  const chosen = state.repos.length ? state.repos : state.repo ? [state.repo] : [];
  const compare = chosen.length >= 2;
  const base = { interval: state.interval, from, to, ...(zone !== "UTC" && { time_zone: zone }), ...(chosen.length === 1 && { repository_id: chosen[0] }) };
  const frameworks = state.framework ? [state.framework] : [...FRAMEWORKS];
  const fwOnly = state.framework ? { framework: state.framework } : {};
  const params: HistoryParams[] = compare
    ? chosen.flatMap((repo) => [
        { ...base, repository_id: repo, metric: "score" as const, ...fwOnly },
        { ...base, repository_id: repo, metric: "issues" as const, ...fwOnly },
        { ...base, repository_id: repo, metric: "fixes" as const, ...fwOnly },
      ])
    : [
        ...frameworks.map((fw) => ({ ...base, metric: "score" as const, framework: fw })),
        { ...base, metric: "issues", ...fwOnly },
        { ...base, metric: "fixes", ...fwOnly },
        ...(state.framework ? [] : [{ ...base, metric: "score" as const }]),
      ];
  const results = useHistories(params);
  const facets = useFacets({});
  const repoName = (id: string) => facets.data?.repositories.find((r) => r.value === id)?.label ?? id;
  const data = results.map((r) => r.data);
  const error = results.find((r) => r.isError)?.error;
  const ready = data.every((d): d is HistoryResult => !!d);

  // One row per period; columns: frameworks (single view) or `<repo>:score|issues|fixes` (comparison).
  let rows: Row[] = [];
  let series: { key: string; name: string; color: string }[] = [];
  let summaries: { score?: HistoryResult; issues?: HistoryResult; fixes?: HistoryResult } = {};
  let perRepo: { repo: string; score: HistoryResult; issues: HistoryResult; fixes: HistoryResult }[] = [];
  if (ready && compare) {
    perRepo = chosen.map((repo, i) => ({ repo, score: data[i * 3]!, issues: data[i * 3 + 1]!, fixes: data[i * 3 + 2]! }));
    series = chosen.map((repo, i) => ({ key: repo, name: repoName(repo), color: SERIES_COLORS[i % SERIES_COLORS.length]! }));
    rows = perRepo[0]!.score.data_points.map((p, i) => {
      const row: Row = { period: p.period_start, period_end: p.period_end, issues: null, fixes: null };
      for (const r of perRepo) {
        row[`${r.repo}:score`] = shown(r.score.data_points[i]?.value);
        row[`${r.repo}:issues`] = shown(r.issues.data_points[i]?.value);
        row[`${r.repo}:fixes`] = shown(r.fixes.data_points[i]?.value);
      }
      return row;
    });
  } else if (ready) {
    const byFw = frameworks.map((fw, i) => [fw, data[i]!] as const);
    const issues = data[frameworks.length]!;
    const fixes = data[frameworks.length + 1]!;
    summaries = { score: state.framework ? data[0] : data[frameworks.length + 2], issues, fixes };
    series = frameworks.map((fw) => ({ key: fw, name: FRAMEWORK_LABEL[fw] ?? fw, color: COLORS[fw] ?? "#64748b" }));
    rows = issues.data_points.map((p, i) => {
      const row: Row = { period: p.period_start, period_end: p.period_end, issues: shown(p.value), fixes: shown(fixes.data_points[i]?.value) };
      for (const [fw, h] of byFw) row[fw] = shown(h.data_points[i]?.value);
      return row;
    });
  }
  const csvColumns: { key: string; label: string }[] = compare
    ? [{ key: "period", label: "period_start" }, { key: "period_end", label: "period_end" }, ...series.flatMap((s) => (["score", "issues", "fixes"] as const).map((m) => ({ key: `${s.key}:${m}`, label: `${s.name} ${m}` })))]
    : [{ key: "period", label: "period_start" }, { key: "period_end", label: "period_end" }, ...series.map((s) => ({ key: s.key, label: `${s.name} score` })), { key: "issues", label: "open issues" }, { key: "fixes", label: "fixes" }];
  const fileBase = `history-${state.interval}-${from}-to-${to}${compare ? `-${chosen.length}-repositories` : chosen[0] ? `-${repoName(chosen[0]).replace(/[^\w.-]+/g, "_")}` : ""}`;
  const csv = () => downloadCsv(`${fileBase}.csv`, csvColumns.map((c) => c.label), rows.map((r) => csvColumns.map((c) => r[c.key] ?? "")));

  return (
    <div className="mx-auto max-w-6xl">
      <h1 className="text-2xl font-semibold tracking-tight">History</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Compliance over time, from the audit events: scan scores, open issues and applied fixes. Periods are calendar {state.interval === "week" ? "weeks (Monday to Sunday)" : `${state.interval}s`} in {zone === "UTC" ? "UTC" : <>your time zone ({zone})</>}.
      </p>
      <form className="mt-4 flex flex-wrap items-end gap-3" aria-label="History filters" onSubmit={(e) => e.preventDefault()}>
        <div role="group" aria-label="Interval" className="flex overflow-hidden rounded-md border border-slate-300 dark:border-slate-700">
          {INTERVALS.map((iv) => (
            <button key={iv} type="button" aria-pressed={state.interval === iv} onClick={() => void setState({ interval: iv })}
              className={`px-3 py-1.5 text-sm capitalize ${state.interval === iv ? "bg-indigo-600 text-white" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}>
              {iv}
            </button>
          ))}
        </div>
        <label className="text-sm">Period{" "}
          <select className={select} value={state.period} onChange={(e) => void setState({ period: e.target.value as (typeof PERIODS)[number] })}>
            {PERIODS.map((p) => <option key={p} value={p}>{PERIOD_LABEL[p]}</option>)}
          </select>
        </label>
        <RepoPicker options={(facets.data?.repositories ?? []).map((r) => ({ id: r.value, name: r.label ?? r.value }))} chosen={chosen} onChange={(repos) => void setState({ repos, repo: null })} />
        <label className="text-sm">Framework{" "}
          <select className={select} value={state.framework ?? ""} onChange={(e) => void setState({ framework: e.target.value || null })}>
            <option value="">{compare ? "All frameworks (average)" : "All frameworks"}</option>
            {FRAMEWORKS.map((f) => <option key={f} value={f}>{FRAMEWORK_LABEL[f]}</option>)}
          </select>
        </label>
        <div role="group" aria-label="View" className="flex overflow-hidden rounded-md border border-slate-300 dark:border-slate-700">
          {VIEWS.map((v) => (
            <button key={v} type="button" aria-pressed={state.view === v} onClick={() => void setState({ view: v })}
              className={`px-3 py-1.5 text-sm capitalize ${state.view === v ? "bg-indigo-600 text-white" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}>
              {v}
            </button>
          ))}
        </div>
        <button type="button" onClick={csv} disabled={!ready} className="inline-flex items-center gap-1 rounded-md border border-slate-300 px-2.5 py-1.5 text-sm hover:bg-slate-100 disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800">
          <Download className="h-4 w-4" aria-hidden /> CSV
        </button>
      </form>

      {error && <p role="alert" className="mt-4 text-red-700 dark:text-red-400">Could not load history: {error.message}</p>}
      {!ready && !error && <div className="mt-6 h-64 animate-pulse rounded-lg bg-slate-100 dark:bg-slate-800" role="status" aria-label="Loading history" />}
      {ready && compare && (
        <>
          <div className="relative mt-6 overflow-x-auto" data-testid="summary">
            <table className="w-full text-left text-sm" data-testid="compare-summary">
              <caption className="mb-2 text-left font-medium">Repositories side by side: the last complete {PERIOD_NOUN[state.interval]} against the one before</caption>
              <thead className="border-b border-slate-200 text-slate-500 dark:border-slate-800 dark:text-slate-400">
                <tr><th scope="col" className="py-2 pr-4 font-medium">Repository</th><th scope="col" className="py-2 pr-4 font-medium">Score</th><th scope="col" className="py-2 pr-4 font-medium">Open issues</th><th scope="col" className="py-2 font-medium">Fixes</th></tr>
              </thead>
              <tbody>
                {perRepo.map((r) => (
                  <tr key={r.repo} className="border-b border-slate-100 dark:border-slate-800/60">
                    <th scope="row" className="py-1.5 pr-4 font-medium">{repoName(r.repo)}</th>
                    {[r.score, r.issues, r.fixes].map((h, i) => {
                      const c = lastComplete(h, to);
                      return <td key={i} className="py-1.5 pr-4 tabular-nums">{c.value ?? "—"}{c.change !== null && <span className="ml-1 text-xs text-slate-600 dark:text-slate-400">({c.change > 0 ? "+" : ""}{c.change})</span>}</td>;
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {state.view === "chart" ? (
            <div className="mt-6 grid gap-6">
              <ChartCard title={`Compliance score by repository${state.framework ? ` (${FRAMEWORK_LABEL[state.framework] ?? state.framework})` : ""}`} testId="chart-score" file={`${fileBase}-score`} onCsv={csv}>
                <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#94a3b855" />
                  <XAxis dataKey="period" fontSize={12} />
                  <YAxis domain={[0, 100]} fontSize={12} width={36} />
                  <Tooltip labelFormatter={(l) => `Period from ${String(l)}`} itemStyle={TOOLTIP_ITEM} contentStyle={TOOLTIP_BOX} />
                  <Legend />
                  {series.map((s) => <Line key={s.key} type="monotone" dataKey={`${s.key}:score`} name={s.name} stroke={s.color} strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />)}
                </LineChart>
              </ChartCard>
              <div className="grid gap-6 lg:grid-cols-2">
                <ChartCard title="Open issues at period end" testId="chart-issues" file={`${fileBase}-issues`} onCsv={csv}>
                  <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" stroke="#94a3b855" />
                    <XAxis dataKey="period" fontSize={12} />
                    <YAxis allowDecimals={false} fontSize={12} width={36} />
                    <Tooltip labelFormatter={(l) => `Period from ${String(l)}`} itemStyle={TOOLTIP_ITEM} contentStyle={TOOLTIP_BOX} />
                    <Legend />
                    {series.map((s) => <Line key={s.key} type="monotone" dataKey={`${s.key}:issues`} name={s.name} stroke={s.color} strokeWidth={2} dot={false} isAnimationActive={false} />)}
                  </LineChart>
                </ChartCard>
                <ChartCard title="Fixes applied" testId="chart-fixes" file={`${fileBase}-fixes`} onCsv={csv}>
                  <BarChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" stroke="#94a3b855" />
                    <XAxis dataKey="period" fontSize={12} />
                    <YAxis allowDecimals={false} fontSize={12} width={36} />
                    <Tooltip labelFormatter={(l) => `Period from ${String(l)}`} itemStyle={TOOLTIP_ITEM} contentStyle={TOOLTIP_BOX} />
                    <Legend />
                    {series.map((s) => <Bar key={s.key} dataKey={`${s.key}:fixes`} name={s.name} fill={s.color} isAnimationActive={false} />)}
                  </BarChart>
                </ChartCard>
              </div>
            </div>
          ) : (
            <HistoryTable rows={rows} columns={csvColumns.slice(2)} interval={state.interval} />
          )}
        </>
      )}
      {ready && !compare && (
        <>
          <div className="mt-6 grid gap-4 sm:grid-cols-3" data-testid="summary">
            <SummaryCard title={state.framework ? `${FRAMEWORK_LABEL[state.framework] ?? state.framework} score` : "Score (all frameworks)"} h={summaries.score} testId="summary-score" interval={state.interval} to={to} />
            <SummaryCard title="Open issues" h={summaries.issues} testId="summary-issues" interval={state.interval} to={to} />
            <SummaryCard title="Fixes" h={summaries.fixes} testId="summary-fixes" interval={state.interval} to={to} total />
          </div>
          {state.view === "chart" ? (
            <div className="mt-6 grid gap-6">
              <ChartCard title="Compliance score by framework" testId="chart-score" file={`${fileBase}-score`} onCsv={csv}>
                <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#94a3b855" />
                  <XAxis dataKey="period" fontSize={12} />
                  <YAxis domain={[0, 100]} fontSize={12} width={36} />
                  <Tooltip labelFormatter={(l) => `Period from ${String(l)}`} itemStyle={TOOLTIP_ITEM} contentStyle={TOOLTIP_BOX} />
                  <Legend />
                  {series.map((s) => <Line key={s.key} type="monotone" dataKey={s.key} name={s.name} stroke={s.color} strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />)}
                </LineChart>
              </ChartCard>
              <div className="grid gap-6 lg:grid-cols-2">
                <ChartCard title="Open issues at period end" testId="chart-issues" file={`${fileBase}-issues`} onCsv={csv}>
                  <AreaChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" stroke="#94a3b855" />
                    <XAxis dataKey="period" fontSize={12} />
                    <YAxis allowDecimals={false} fontSize={12} width={36} />
                    <Tooltip labelFormatter={(l) => `Period from ${String(l)}`} itemStyle={TOOLTIP_ITEM} contentStyle={TOOLTIP_BOX} />
                    <Area type="monotone" dataKey="issues" name="Open issues" stroke="#c2410c" fill="#fb923c55" isAnimationActive={false} />
                  </AreaChart>
                </ChartCard>
                <ChartCard title="Fixes applied" testId="chart-fixes" file={`${fileBase}-fixes`} onCsv={csv}>
                  <BarChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" stroke="#94a3b855" />
                    <XAxis dataKey="period" fontSize={12} />
                    <YAxis allowDecimals={false} fontSize={12} width={36} />
                    <Tooltip labelFormatter={(l) => `Period from ${String(l)}`} itemStyle={TOOLTIP_ITEM} contentStyle={TOOLTIP_BOX} />
                    <Bar dataKey="fixes" name="Fixes" fill="#15803d" isAnimationActive={false} />
                  </BarChart>
                </ChartCard>
              </div>
            </div>
          ) : (
            <HistoryTable rows={rows} columns={csvColumns.slice(2)} interval={state.interval} />
          )}
        </>
      )}
    </div>
  );
}

/** Repositories to chart: none = all together, one = that one, several = side by side. */
function RepoPicker({ options, chosen, onChange }: { options: { id: string; name: string }[]; chosen: string[]; onChange: (ids: string[]) => void }) {
  const set = new Set(chosen);
  const label = chosen.length === 0 ? "All repositories" : chosen.length === 1 ? (options.find((o) => o.id === chosen[0])?.name ?? chosen[0]) : `${chosen.length} repositories side by side`;
  return (
    <div className="flex flex-col text-sm">
      <span id="repos-label">Repositories</span>
      <Popover.Root>
        <Popover.Trigger className={`${select} flex min-w-48 items-center justify-between gap-2`} aria-labelledby="repos-label repos-value">
          <span id="repos-value">{label}</span>
          <ChevronDown className="h-4 w-4" aria-hidden />
        </Popover.Trigger>
        <Popover.Portal>
          <Popover.Content aria-label="Repositories to chart" align="start" sideOffset={4} className="z-30 w-72 rounded-md border border-slate-200 bg-white p-2 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100">
            <fieldset>
              <legend className="mb-1 text-xs font-medium text-slate-600 dark:text-slate-300">Pick two or more to compare them side by side</legend>
              {options.map((o) => (
                <label key={o.id} className="flex items-center gap-2 rounded px-1 py-0.5 hover:bg-slate-100 dark:hover:bg-slate-800">
                  <input
                    type="checkbox"
                    checked={set.has(o.id)}
                    onChange={(e) => {
                      const next = new Set(set);
                      if (e.target.checked) next.add(o.id);
                      else next.delete(o.id);
                      onChange(options.map((x) => x.id).filter((id) => next.has(id)));
                    }}
                  />
                  {o.name}
                </label>
              ))}
              {chosen.length > 0 && (
                <button type="button" className="mt-1 text-xs text-indigo-700 underline dark:text-indigo-300" onClick={() => onChange([])}>
                  All repositories together
                </button>
              )}
            </fieldset>
          </Popover.Content>
        </Popover.Portal>
      </Popover.Root>
    </div>
  );
}

/** The last period that has ended (its last day before `today`), its value and the change from the period before. */
function lastComplete(h: HistoryResult, today: string): { value: number | null; change: number | null; period?: string; before?: number | null } {
  const done = h.data_points.filter((p) => p.period_end < today);
  const last = done[done.length - 1];
  const prev = done[done.length - 2];
  const value = shown(last?.value);
  const before = shown(prev?.value);
  return { value, change: value === null || before === null ? null : value - before, period: last ? (last.period_start === last.period_end ? last.period_start : `${last.period_start} – ${last.period_end}`) : undefined, before };
}

function ChartCard({ title, testId, file, onCsv, children }: { title: string; testId: string; file: string; onCsv: () => void; children: React.ReactElement }) {
  const box = useRef<HTMLDivElement>(null);
  const btn = "inline-flex items-center gap-1 rounded border border-slate-300 px-1.5 py-0.5 text-xs hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800";
  return (
    <figure className="rounded-lg border border-slate-200 p-4 dark:border-slate-800" data-testid={testId}>
      <figcaption className="mb-2 flex flex-wrap items-center justify-between gap-2 font-medium">
        {title}
        <span className="flex gap-1 font-normal">
          <button type="button" className={btn} onClick={onCsv} aria-label={`Download the data of “${title}” as CSV`}><Download className="h-3 w-3" aria-hidden />CSV</button>
          <button type="button" className={btn} onClick={() => box.current && void downloadChartPng(box.current, `${file}.png`, title)} aria-label={`Download “${title}” as PNG`}><Download className="h-3 w-3" aria-hidden />PNG</button>
        </span>
      </figcaption>
      <div className="h-64 w-full" ref={box}>
        <ResponsiveContainer width="100%" height="100%">{children}</ResponsiveContainer>
      </div>
    </figure>
  );
}

function SummaryCard({ title, h, testId, total, interval, to }: { title: string; h?: HistoryResult; testId: string; total?: boolean; interval: (typeof INTERVALS)[number]; to: string }) {
  const s = h?.summary;
  const Icon = s?.trend === "improving" ? (h?.metric === "issues" ? TrendingDown : TrendingUp) : s?.trend === "declining" ? (h?.metric === "issues" ? TrendingUp : TrendingDown) : Minus;
  const color = s?.trend === "improving" ? "text-green-700 dark:text-green-400" : s?.trend === "declining" ? "text-red-700 dark:text-red-400" : "text-slate-600 dark:text-slate-400";
  const sum = h ? h.data_points.reduce((a, p) => a + (p.value ?? 0), 0) : 0;
  const c = h ? lastComplete(h, to) : { value: null, change: null };
  const start = shown(s?.start_value);
  const end = shown(s?.end_value);
  const noun = PERIOD_NOUN[interval];
  return (
    <div className="rounded-lg border border-slate-200 p-4 dark:border-slate-800" data-testid={testId}>
      <div className="text-sm text-slate-600 dark:text-slate-400">{title}, last complete {noun}</div>
      <div className="mt-1 text-2xl font-semibold tabular-nums" data-testid={`${testId}-value`}>{c.value ?? "—"}</div>
      <div className="text-sm text-slate-600 dark:text-slate-400" data-testid={`${testId}-vs`}>
        {c.period ? `${c.period}` : "no complete period yet"}
        {c.change !== null && <> · <span className="tabular-nums">{c.change > 0 ? "+" : c.change < 0 ? "−" : "±"}{Math.abs(c.change)}</span> vs the {noun} before ({c.before})</>}
      </div>
      <div className={`mt-1 flex items-center gap-1 text-sm ${color}`}>
        <Icon className="h-4 w-4" aria-hidden />
        <span>over the range:</span>
        <span data-testid={`${testId}-trend`}>{s?.trend ?? "stable"}</span>
        {start !== null && end !== null && <span className="tabular-nums">({start} → {end})</span>}
      </div>
      {total && <div className="mt-1 text-sm text-slate-600 dark:text-slate-400">{sum.toLocaleString("en-US")} in the range</div>}
    </div>
  );
}

function HistoryTable({ rows, columns, interval }: { rows: Row[]; columns: { key: string; label: string }[]; interval: string }) {
  return (
    <div className="relative mt-6 overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="history-table">
        <caption className="mb-2 text-left font-medium">Compliance history by {interval}</caption>
        <thead className="border-b border-slate-200 text-slate-500 dark:border-slate-800 dark:text-slate-400">
          <tr>
            <th scope="col" className="py-2 pr-4 font-medium">Period</th>
            {columns.map((c) => <th key={c.key} scope="col" className="py-2 pr-4 font-medium">{c.label.replace(/^open issues$/, "Open issues").replace(/^fixes$/, "Fixes")}</th>)}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.period} className="border-b border-slate-100 dark:border-slate-800/60">
              <th scope="row" className="py-1.5 pr-4 font-normal">{r.period === r.period_end ? r.period : `${r.period} – ${r.period_end}`}</th>
              {columns.map((c) => <td key={c.key} className="py-1.5 pr-4 tabular-nums">{r[c.key] ?? "—"}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
