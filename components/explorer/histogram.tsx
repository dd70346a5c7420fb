"use client";

import { useState } from "react";
import { Bar, BarChart, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useFormatInstant } from "@/components/time";
import { nounFor, plural } from "@/lib/client/format";
import { timeTicks } from "@/lib/client/time-ticks";
import { usePreferences } from "@/components/preferences";
import type { EventBuckets } from "@/lib/client/use-explorer";

const toIndex = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined);

/** Events over time; drag across bars to select that time range (the selection goes to the URL). */
export function Histogram({ data, loading, onSelect }: { data: EventBuckets | undefined; loading: boolean; onSelect: (from: string, to: string) => void }) {
  const { timeZone } = usePreferences();
  const fmt = useFormatInstant();
  const [drag, setDrag] = useState<{ a: number; b: number } | null>(null);
  const buckets = data?.buckets ?? [];
  const rows = buckets.map((b, i) => ({ i, t: new Date(b.start).getTime(), count: b.count }));
  const total = buckets.reduce((s, b) => s + b.count, 0);
  // The axis spans the chosen range (the API pads empty buckets up to `to`); ticks on whole
  // hours/days/weeks/months of the chosen zone, never two with the same label.
  const first = rows[0]?.t ?? 0;
  const rangeFrom = data?.from ? Date.parse(data.from) : first;
  const rangeTo = data?.to ? Date.parse(data.to) : (rows[rows.length - 1]?.t ?? 0) + (data?.interval_ms ?? 0);
  const tickLabels = new Map<number, string>();
  if (data && rows.length) {
    for (const tk of timeTicks(rangeFrom, rangeTo, timeZone, { minStepMs: data.interval_ms })) {
      const i = Math.floor((tk.t - first) / data.interval_ms);
      if (i >= 0 && i < rows.length && !tickLabels.has(i)) tickLabels.set(i, tk.label);
    }
  }
  const finish = () => {
    if (drag && data) {
      const lo = Math.min(drag.a, drag.b);
      const hi = Math.max(drag.a, drag.b);
      const from = rows[lo]?.t;
      const to = (rows[hi]?.t ?? 0) + data.interval_ms;
      if (from !== undefined) onSelect(new Date(from).toISOString(), new Date(to).toISOString());
    }
    setDrag(null);
  };
  return (
    <figure className="rounded-md border border-slate-200 p-2 dark:border-slate-800" aria-busy={loading}>
      <figcaption className="flex items-center justify-between px-1 text-xs text-slate-600 dark:text-slate-300">
        <span>
          Events over time{data ? ` · ${Math.round(data.interval_ms / 60_000) >= 1440 ? `${Math.round(data.interval_ms / 86_400_000)} d` : Math.round(data.interval_ms / 60_000) >= 60 ? `${Math.round(data.interval_ms / 3_600_000)} h` : `${Math.round(data.interval_ms / 60_000)} min`} buckets (${timeZone === "utc" ? "UTC" : "local time"})${data.complete === false ? " · newest 100 000 matches counted" : ""}` : ""}
        </span>
        <span className="hidden sm:inline">Drag across the bars to zoom into a time range</span>
      </figcaption>
      <div className="h-28 select-none" data-testid="histogram" role="img" aria-label={`Histogram: ${plural(total, "event")} in ${plural(buckets.length, "bucket")}${data?.from && data.to ? `, ${fmt(data.from, { seconds: false })} to ${fmt(data.to, { seconds: false })}` : ""}`}>
        {rows.length === 0 ? (
          <div className={`flex h-full items-center justify-center text-sm text-slate-500 dark:text-slate-400 ${loading ? "animate-pulse" : ""}`}>{loading ? "Loading…" : "No events in this range"}</div>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <BarChart
              data={rows}
              margin={{ top: 4, right: 4, bottom: 0, left: 0 }}
              onMouseDown={(s) => {
                const i = toIndex(s.activeIndex);
                if (i !== undefined) setDrag({ a: i, b: i });
              }}
              onMouseMove={(s) => {
                const i = toIndex(s.activeIndex);
                if (drag && i !== undefined && i !== drag.b) setDrag({ ...drag, b: i });
              }}
              onMouseUp={finish}
              onMouseLeave={() => setDrag(null)}
            >
              <XAxis dataKey="i" ticks={[...tickLabels.keys()]} interval={0} tickFormatter={(i: number | string) => tickLabels.get(Number(i)) ?? ""} tick={{ fontSize: 10, fill: "currentColor" }} stroke="currentColor" className="text-slate-500" data-testid="histogram-axis" />
              <YAxis width={36} tick={{ fontSize: 10, fill: "currentColor" }} allowDecimals={false} stroke="currentColor" className="text-slate-500" />
              <Tooltip
                cursor={{ fill: "rgba(99,102,241,0.12)" }}
                labelFormatter={(i) => {
                  const r = rows[Number(i)];
                  return r ? fmt(r.t, { seconds: false }) : "";
                }}
                formatter={(v) => [Number(v).toLocaleString("en-US"), nounFor(Number(v), "event")]}
                contentStyle={{ fontSize: 12 }}
              />
              <Bar dataKey="count" fill="#6366f1" isAnimationActive={false} />
              {drag && <ReferenceArea x1={Math.min(drag.a, drag.b)} x2={Math.max(drag.a, drag.b)} fill="#6366f1" fillOpacity={0.2} />}
            </BarChart>
          </ResponsiveContainer>
        )}
      </div>
    </figure>
  );
}
