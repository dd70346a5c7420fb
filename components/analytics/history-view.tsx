"use client";

import { Minus, TrendingDown, TrendingUp } from "lucide-react";
import { parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";
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
  view: parseAsStringLiteral(VIEWS).withDefault("chart"),
};

const day = (d: Date) => d.toISOString().slice(0, 10);
const select = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";

interface Row {
  period: string;
  period_end: string;
  issues: number | null;
  fixes: number | null;
  [framework: string]: string | number | null;
}

/** /history: score per framework, open issues and fixes over time, with filters and a table view; all state in the URL. */
export function HistoryView() {
  const [state, setState] = useQueryStates(parsers);
  const now = new Date();
  const from = day(new Date(now.getTime() - (Number(state.period.slice(0, -1)) - 1) * 86_400_000));
  const to = day(now);
  const base = { interval: state.interval, from, to, ...(state.repo && { repository_id: state.repo }) };
  const frameworks = state.framework ? [state.framework] : [...FRAMEWORKS];
  const params: HistoryParams[] = [
    ...frameworks.map((fw) => ({ ...base, metric: "score" as const, framework: fw })),
    { ...base, metric: "issues", ...(state.framework && { framework: state.framework }) },
    { ...base, metric: "fixes", ...(state.framework && { framework: state.framework }) },
    ...(state.framework ? [] : [{ ...base, metric: "score" as const }]),
  ];
  const results = useHistories(params);
  const facets = useFacets({});
  const data = results.map((r) => r.data);
  const error = results.find((r) => r.isError)?.error;
  const ready = data.every((d): d is HistoryResult => !!d);

  let rows: Row[] = [];
  let summaries: { score?: HistoryResult; issues?: HistoryResult; fixes?: HistoryResult } = {};
  if (ready) {
    const byFw = frameworks.map((fw, i) => [fw, data[i]!] as const);
    const issues = data[frameworks.length]!;
    const fixes = data[frameworks.length + 1]!;
    summaries = { score: state.framework ? data[0] : data[frameworks.length + 2], issues, fixes };
    rows = issues.data_points.map((p, i) => {
      const row: Row = { period: p.period_start, period_end: p.period_end, issues: p.value, fixes: fixes.data_points[i]?.value ?? null };
      for (const [fw, h] of byFw) row[fw] = h.data_points[i]?.value ?? null;
      return row;
    });
  }

  return (
    <div className="mx-auto max-w-6xl">
      <h1 className="text-2xl font-semibold tracking-tight">History</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">Compliance over time, from the audit events: scan scores, open issues and applied fixes (periods in UTC; weeks start on Monday).</p>
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
        <label className="text-sm">Repository{" "}
          <select className={select} value={state.repo ?? ""} onChange={(e) => void setState({ repo: e.target.value || null })}>
            <option value="">All repositories</option>
            {(facets.data?.repositories ?? []).map((r) => <option key={r.value} value={r.value}>{r.label ?? r.value}</option>)}
          </select>
        </label>
        <label className="text-sm">Framework{" "}
          <select className={select} value={state.framework ?? ""} onChange={(e) => void setState({ framework: e.target.value || null })}>
            <option value="">All frameworks</option>
            {FRAMEWORKS.map((f) => <option key={f} value={f}>{FRAMEWORK_LABEL[f]}</option>)}
          </select>
        </label>
        <div role="group" aria-label="View" className="ml-auto flex overflow-hidden rounded-md border border-slate-300 dark:border-slate-700">
          {VIEWS.map((v) => (
            <button key={v} type="button" aria-pressed={state.view === v} onClick={() => void setState({ view: v })}
              className={`px-3 py-1.5 text-sm capitalize ${state.view === v ? "bg-indigo-600 text-white" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}>
              {v}
            </button>
          ))}
        </div>
      </form>

      {error && <p role="alert" className="mt-4 text-red-700 dark:text-red-400">Could not load history: {error.message}</p>}
      {!ready && !error && <div className="mt-6 h-64 animate-pulse rounded-lg bg-slate-100 dark:bg-slate-800" role="status" aria-label="Loading history" />}
      {ready && (
        <>
          <div className="mt-6 grid gap-4 sm:grid-cols-3" data-testid="summary">
            <SummaryCard title={state.framework ? `${FRAMEWORK_LABEL[state.framework] ?? state.framework} score` : "Score (all frameworks)"} h={summaries.score} testId="summary-score" />
            <SummaryCard title="Open issues" h={summaries.issues} testId="summary-issues" />
            <SummaryCard title="Fixes per period" h={summaries.fixes} testId="summary-fixes" total />
          </div>
          {state.view === "chart" ? (
            <div className="mt-6 grid gap-6">
              <ChartCard title="Compliance score by framework" testId="chart-score">
                <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#94a3b855" />
                  <XAxis dataKey="period" fontSize={12} />
                  <YAxis domain={[0, 100]} fontSize={12} width={36} />
                  <Tooltip labelFormatter={(l) => `Period from ${String(l)}`} itemStyle={TOOLTIP_ITEM} contentStyle={TOOLTIP_BOX} />
                  <Legend />
                  {frameworks.map((fw) => (
                    <Line key={fw} type="monotone" dataKey={fw} name={FRAMEWORK_LABEL[fw] ?? fw} stroke={COLORS[fw] ?? "#64748b"} strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
                  ))}
                </LineChart>
              </ChartCard>
              <div className="grid gap-6 lg:grid-cols-2">
                <ChartCard title="Open issues at period end" testId="chart-issues">
                  <AreaChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" stroke="#94a3b855" />
                    <XAxis dataKey="period" fontSize={12} />
                    <YAxis allowDecimals={false} fontSize={12} width={36} />
                    <Tooltip labelFormatter={(l) => `Period from ${String(l)}`} itemStyle={TOOLTIP_ITEM} contentStyle={TOOLTIP_BOX} />
                    <Area type="monotone" dataKey="issues" name="Open issues" stroke="#c2410c" fill="#fb923c55" isAnimationActive={false} />
                  </AreaChart>
                </ChartCard>
                <ChartCard title="Fixes applied" testId="chart-fixes">
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
            <HistoryTable rows={rows} frameworks={frameworks} interval={state.interval} />
          )}
        </>
      )}
    </div>
  );
}

function ChartCard({ title, testId, children }: { title: string; testId: string; children: React.ReactElement }) {
  return (
    <figure className="rounded-lg border border-slate-200 p-4 dark:border-slate-800" data-testid={testId}>
      <figcaption className="mb-2 font-medium">{title}</figcaption>
      <div className="h-64 w-full">
        <ResponsiveContainer width="100%" height="100%">{children}</ResponsiveContainer>
      </div>
    </figure>
  );
}

function SummaryCard({ title, h, testId, total }: { title: string; h?: HistoryResult; testId: string; total?: boolean }) {
  const s = h?.summary;
  const Icon = s?.trend === "improving" ? (h?.metric === "issues" ? TrendingDown : TrendingUp) : s?.trend === "declining" ? (h?.metric === "issues" ? TrendingUp : TrendingDown) : Minus;
  const color = s?.trend === "improving" ? "text-green-700 dark:text-green-400" : s?.trend === "declining" ? "text-red-700 dark:text-red-400" : "text-slate-600 dark:text-slate-400";
  const sum = h ? h.data_points.reduce((a, p) => a + (p.value ?? 0), 0) : 0;
  const change = s?.total_change;
  return (
    <div className="rounded-lg border border-slate-200 p-4 dark:border-slate-800" data-testid={testId}>
      <div className="text-sm text-slate-600 dark:text-slate-400">{title}</div>
      <div className="mt-1 text-2xl font-semibold tabular-nums">{s?.end_value ?? "—"}</div>
      <div className={`mt-1 flex items-center gap-1 text-sm ${color}`}>
        <Icon className="h-4 w-4" aria-hidden />
        <span data-testid={`${testId}-trend`}>{s?.trend ?? "stable"}</span>
        {change !== null && change !== undefined && <span className="tabular-nums">({change > 0 ? "+" : ""}{change} since {s?.start_value})</span>}
      </div>
      {total && <div className="mt-1 text-sm text-slate-600 dark:text-slate-400">{sum} in the period</div>}
    </div>
  );
}

function HistoryTable({ rows, frameworks, interval }: { rows: Row[]; frameworks: string[]; interval: string }) {
  return (
    <div className="mt-6 overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="history-table">
        <caption className="mb-2 text-left font-medium">Compliance history by {interval}</caption>
        <thead className="border-b border-slate-200 text-slate-500 dark:border-slate-800 dark:text-slate-400">
          <tr>
            <th scope="col" className="py-2 pr-4 font-medium">Period</th>
            {frameworks.map((fw) => <th key={fw} scope="col" className="py-2 pr-4 font-medium">{FRAMEWORK_LABEL[fw] ?? fw} score</th>)}
            <th scope="col" className="py-2 pr-4 font-medium">Open issues</th>
            <th scope="col" className="py-2 font-medium">Fixes</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.period} className="border-b border-slate-100 dark:border-slate-800/60">
              <th scope="row" className="py-1.5 pr-4 font-normal">{r.period === r.period_end ? r.period : `${r.period} – ${r.period_end}`}</th>
              {frameworks.map((fw) => <td key={fw} className="py-1.5 pr-4 tabular-nums">{r[fw] ?? "—"}</td>)}
              <td className="py-1.5 pr-4 tabular-nums">{r.issues ?? "—"}</td>
              <td className="py-1.5 tabular-nums">{r.fixes ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
