"use client";

import { format } from "date-fns";
import { useSyncExternalStore } from "react";
import { usePreferences, type TimeZoneMode } from "./preferences";

const noSubscribe = () => () => undefined;
/** False while rendering on the server and hydrating, true after: the server cannot know the browser's zone. */
const useHydrated = () => useSyncExternalStore(noSubscribe, () => true, () => false);

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Formats an instant in UTC or the browser's zone. `withZone` appends "UTC" or the offset. */
export function formatInstant(value: string | number | Date, tz: TimeZoneMode, opts: { seconds?: boolean; ms?: boolean; withZone?: boolean } = {}): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const { seconds = true, ms = false, withZone = true } = opts;
  if (tz === "utc") {
    const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    const s = seconds ? `:${pad(d.getUTCSeconds())}${ms ? `.${pad(d.getUTCMilliseconds(), 3)}` : ""}` : "";
    return `${base}${s}${withZone ? " UTC" : ""}`;
  }
  const pattern = `yyyy-MM-dd HH:mm${seconds ? (ms ? ":ss.SSS" : ":ss") : ""}${withZone ? " xxx" : ""}`;
  return format(d, pattern);
}

/** Short axis labels for charts, in the chosen zone. */
export function formatAxis(value: number, tz: TimeZoneMode, spanMs: number): string {
  const d = new Date(value);
  if (spanMs > 300 * 86_400_000) return tz === "utc" ? `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}` : format(d, "yyyy-MM");
  const day = spanMs > 3 * 86_400_000;
  if (tz === "utc") return day ? `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` : `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return format(d, day ? "MM-dd" : "HH:mm");
}

/** Every timestamp in the dashboard renders through this, so the UTC/local toggle governs all of them. */
export function Time({ value, ms, className }: { value: string | number | Date; ms?: boolean; className?: string }) {
  const { timeZone: chosen } = usePreferences();
  // Server HTML shows UTC (correct, and labelled); "local" takes over right after hydration.
  const timeZone = useHydrated() ? chosen : "utc";
  const d = value instanceof Date ? value : new Date(value);
  return (
    <time dateTime={Number.isNaN(d.getTime()) ? undefined : d.toISOString()} className={className} suppressHydrationWarning title={formatInstant(d, timeZone === "utc" ? "local" : "utc", { ms: true })}>
      {formatInstant(d, timeZone, { ms })}
    </time>
  );
}

/** The formatter itself, for places that need a string (charts, tooltips, CSV names). */
export function useFormatInstant() {
  const { timeZone } = usePreferences();
  return (value: string | number | Date, opts?: { seconds?: boolean; ms?: boolean; withZone?: boolean }) => formatInstant(value, timeZone, opts);
}
