/**
 * Calendar periods in UTC: days, ISO weeks (Monday to Sunday) and calendar months. Dates are
 * handled as UTC midnights; `end` is exclusive, `period_end` in answers is the inclusive last day.
 */
export const INTERVALS = ["day", "week", "month"] as const;
export type Interval = (typeof INTERVALS)[number];

const DAY_MS = 86_400_000;

export interface Period {
  start: Date;
  /** Exclusive. */
  end: Date;
}

export function utcMidnight(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** The start of the period that contains `d`. */
export function periodStart(d: Date, interval: Interval): Date {
  const day = utcMidnight(d);
  if (interval === "day") return day;
  if (interval === "week") {
    const sinceMonday = (day.getUTCDay() + 6) % 7;
    return new Date(day.getTime() - sinceMonday * DAY_MS);
  }
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}

export function nextPeriodStart(start: Date, interval: Interval): Date {
  if (interval === "day") return new Date(start.getTime() + DAY_MS);
  if (interval === "week") return new Date(start.getTime() + 7 * DAY_MS);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

/** Whole periods covering [from, to): from the one containing `from` to the one containing `to - 1 ms`. */
export function buildPeriods(from: Date, to: Date, interval: Interval, max: number): Period[] | null {
  const out: Period[] = [];
  const last = to.getTime() - 1;
  for (let s = periodStart(from, interval); s.getTime() <= last; ) {
    const e = nextPeriodStart(s, interval);
    out.push({ start: s, end: e });
    if (out.length > max) return null;
    s = e;
  }
  return out;
}

/** `2024-01-15` */
export function dateKey(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The inclusive last day of a period. */
export function lastDay(p: Period): string {
  return dateKey(new Date(p.end.getTime() - DAY_MS));
}

/** Default range when `from` is absent: this many periods back from `to`. */
export const DEFAULT_PERIODS: Record<Interval, number> = { day: 30, week: 12, month: 12 };

export function periodsBack(to: Date, interval: Interval, n: number): Date {
  let s = periodStart(new Date(to.getTime() - 1), interval);
  for (let i = 1; i < n; i++) {
    s = periodStart(new Date(s.getTime() - 1), interval);
  }
  return s;
}

/** The SQL expression giving the `YYYY-MM-DD` start of the period containing a timestamptz. */
export function sqlPeriodKey(column: string, interval: Interval): string {
  return `to_char(date_trunc('${interval}', ${column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`;
}
