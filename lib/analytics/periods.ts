import { TZDate } from "@date-fns/tz";
import { addDays, addMonths, addWeeks, format, startOfDay, startOfISOWeek, startOfMonth } from "date-fns";
import { z } from "zod";
import { zoneMidnight as zoneMidnightOf } from "../audit/time-bounds";

/**
 * Calendar periods in one time zone (IANA name; "UTC" unless the caller says otherwise): days, ISO
 * weeks (Monday to Sunday) and calendar months, each from one local midnight to the next (a day
 * across a daylight-saving change lasts 23 or 25 hours). `end` is exclusive; `period_end` in
 * answers is the inclusive last day. Dates are `YYYY-MM-DD` in that zone.
 */
export const INTERVALS = ["day", "week", "month"] as const;
export type Interval = (typeof INTERVALS)[number];

export const DEFAULT_TIME_ZONE = "UTC";

/** A time zone a client may name: an IANA zone this runtime (and so PostgreSQL's tz database) knows. */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The `time_zone` query parameter, declared once for every endpoint that counts calendar periods. */
export const TimeZoneParam = z
  .string()
  .refine(isTimeZone, { message: 'must be an IANA time zone name such as "UTC" or "Europe/Berlin"' })
  .default(DEFAULT_TIME_ZONE);

export interface Period {
  start: Date;
  /** Exclusive. */
  end: Date;
}

const inZone = (d: Date, timeZone: string) => new TZDate(d.getTime(), timeZone);
const plain = (d: TZDate) => new Date(d.getTime());

/** The start of the period that contains `d`. */
export function periodStart(d: Date, interval: Interval, timeZone = DEFAULT_TIME_ZONE): Date {
  const z = inZone(d, timeZone);
  return plain(interval === "day" ? startOfDay(z) : interval === "week" ? startOfISOWeek(z) : startOfMonth(z));
}

export function nextPeriodStart(start: Date, interval: Interval, timeZone = DEFAULT_TIME_ZONE): Date {
  const z = inZone(start, timeZone);
  return plain(startOfDay(interval === "day" ? addDays(z, 1) : interval === "week" ? addWeeks(z, 1) : addMonths(z, 1)));
}

/** Whole periods covering [from, to): from the one containing `from` to the one containing `to - 1 ms`. */
export function buildPeriods(from: Date, to: Date, interval: Interval, max: number, timeZone = DEFAULT_TIME_ZONE): Period[] | null {
  const out: Period[] = [];
  const last = to.getTime() - 1;
  for (let s = periodStart(from, interval, timeZone); s.getTime() <= last; ) {
    const e = nextPeriodStart(s, interval, timeZone);
    out.push({ start: s, end: e });
    if (out.length > max) return null;
    s = e;
  }
  return out;
}

/** `2024-01-15`: the calendar date of an instant in the zone. */
export function dateKey(d: Date, timeZone = DEFAULT_TIME_ZONE): string {
  return timeZone === DEFAULT_TIME_ZONE ? d.toISOString().slice(0, 10) : format(inZone(d, timeZone), "yyyy-MM-dd");
}

/** The inclusive last day of a period. */
export function lastDay(p: Period, timeZone = DEFAULT_TIME_ZONE): string {
  return dateKey(new Date(p.end.getTime() - 1), timeZone);
}

/** The instant a calendar date (`YYYY-MM-DD`) begins in the zone. */
export function zoneMidnight(date: string, timeZone = DEFAULT_TIME_ZONE): Date {
  return zoneMidnightOf(new Date(`${date}T00:00:00Z`), timeZone);
}

/** Default range when `from` is absent: this many periods back from `to`. */
export const DEFAULT_PERIODS: Record<Interval, number> = { day: 30, week: 12, month: 12 };

export function periodsBack(to: Date, interval: Interval, n: number, timeZone = DEFAULT_TIME_ZONE): Date {
  let s = periodStart(new Date(to.getTime() - 1), interval, timeZone);
  for (let i = 1; i < n; i++) {
    s = periodStart(new Date(s.getTime() - 1), interval, timeZone);
  }
  return s;
}

/**
 * The SQL expression giving the `YYYY-MM-DD` start of the period containing a timestamptz, in the
 * zone (written into the SQL as a literal: only names {@link isTimeZone} accepts, which hold no quote).
 */
export function sqlPeriodKey(column: string, interval: Interval, timeZone = DEFAULT_TIME_ZONE): string {
  if (!isTimeZone(timeZone)) throw new Error(`sqlPeriodKey: not a time zone name: ${JSON.stringify(timeZone)}`);
  return `to_char(date_trunc('${interval}', ${column} AT TIME ZONE '${timeZone}'), 'YYYY-MM-DD')`;
}
