import { TZDate } from "@date-fns/tz";
import { AppError } from "../errors";

/**
 * The instants the service represents: years 0001 to 9999 (four-digit years, as RFC 3339 and the
 * rendered form `2024-01-15T10:30:00Z` need). PostgreSQL and JavaScript reach further, but a date
 * outside this range cannot be rendered, bucketed or put in a file name, so it is refused (400/422
 * naming the field) wherever it is given: event timestamps, query bounds, cursors.
 */
export const MIN_INSTANT = Date.parse("0001-01-01T00:00:00.000Z");
export const MAX_INSTANT = Date.parse("9999-12-31T23:59:59.999Z");
export const isSupportedInstant = (ms: number): boolean => Number.isFinite(ms) && ms >= MIN_INSTANT && ms <= MAX_INSTANT;
export const SUPPORTED_RANGE_TEXT = "dates run from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z";

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:([Tt ])(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

export interface IsoInstant {
  /** The first millisecond named. */
  start: Date;
  /** Exclusive end: the next day for a plain date, the next millisecond for a date-time. */
  end: Date;
  hasTime: boolean;
  hasZone: boolean;
  separator: "T" | " " | null;
}

const daysIn = (y: number, m: number) => [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;

/**
 * The one strict ISO 8601 / RFC 3339 reader: `2024-01-15`, `2024-01-15T10:30Z`,
 * `2024-01-15T10:30:00.250+02:00` (a date-time without a zone is UTC). The date must exist
 * (`2024-02-30` does not), hours 00–23, minutes and seconds 00–59, offsets up to ±23:59, no
 * surrounding or embedded whitespace, and the instant within years 0001–9999. Nothing is
 * normalised: anything else is `null`. Digits past the millisecond are dropped (stored precision).
 */
export function parseIsoInstant(value: string): IsoInstant | null {
  const m = ISO.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return null;
  const hasTime = m[4] !== undefined;
  const [h, mi, s] = [Number(m[5] ?? 0), Number(m[6] ?? 0), Number(m[7] ?? 0)];
  if (h > 23 || mi > 59 || s > 59) return null;
  const ms = Number((m[8] ?? "").padEnd(3, "0").slice(0, 3));
  let offsetMin = 0;
  if (m[10]) {
    const [oh, om] = [Number(m[11]), Number(m[12] ?? 0)];
    if (oh > 23 || om > 59) return null;
    offsetMin = (m[10] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d); // setUTCFullYear: years 0–99 are not read as 19xx
  t.setUTCHours(h, mi, s, ms);
  const start = t.getTime() - offsetMin * 60_000;
  const end = start + (hasTime ? 1 : 86_400_000);
  if (!isSupportedInstant(start) || !isSupportedInstant(end - 1)) return null;
  return { start: new Date(start), end: new Date(end), hasTime, hasZone: !!(m[9] || m[10]), separator: hasTime ? (m[4] === " " ? " " : "T") : null };
}

/** The instant the calendar day of `utcDay` (its UTC date) begins in an IANA zone (23–25 h days). */
export function zoneMidnight(utcDay: Date, timeZone: string): Date {
  return new Date(new TZDate(utcDay.getUTCFullYear(), utcDay.getUTCMonth(), utcDay.getUTCDate(), timeZone).getTime());
}

const DAY_MS = 86_400_000;
/** The UTC midnight at or before `d`. */
export const floorUtcDay = (d: Date): Date => new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS);
/** The UTC midnight at or after `d`. */
export const ceilUtcDay = (d: Date): Date => new Date(Math.ceil(d.getTime() / DAY_MS) * DAY_MS);
/** `2024-01-15`: the UTC calendar date of an instant (a `date` parameter for the daily rollups). */
export const utcDateText = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * Parses a `from`/`to` boundary. Accepted: an ISO 8601 date-time (with `Z` or an offset such as
 * `+00:00`; without one it is read as UTC) or a plain date. A plain-date `to` covers that whole
 * day (an export "to 2024-03-31" includes the 31st). Returns the inclusive lower bound for `from`
 * and the *exclusive* upper bound for `to`, which must itself be a supported instant (so the
 * latest `to` is 9999-12-30 or a date-time before 9999-12-31T23:59:59.999Z).
 */
export function parseTimeBound(value: string, kind: "from" | "to", field: string, timeZone?: string): Date {
  let p = parseIsoInstant(value);
  if (!p) {
    throw new AppError("invalid_parameter", `${field}: ${JSON.stringify(value)} is not an ISO 8601 date or date-time that exists (e.g. 2024-01-15T10:30:00Z; ${SUPPORTED_RANGE_TEXT})`, { field });
  }
  // A plain date in a named zone: that zone's calendar day (midnight to midnight, 23–25 h).
  if (!p.hasTime && timeZone && timeZone !== "UTC") {
    p = { ...p, start: zoneMidnight(p.start, timeZone), end: zoneMidnight(p.end, timeZone) };
  }
  if (kind === "from") return p.start;
  if (!isSupportedInstant(p.end.getTime())) {
    throw new AppError("invalid_parameter", `${field}: ${JSON.stringify(value)} ends past the last supported instant (${SUPPORTED_RANGE_TEXT}); leave ${field} out for "no end"`, { field });
  }
  return p.end;
}

export interface TimeRange {
  from?: Date;
  /** exclusive */
  to?: Date;
}

export function parseTimeRange(
  raw: { from?: string | null; to?: string | null },
  names: { from: string; to: string } = { from: "from", to: "to" },
  /** Plain dates are calendar days in this IANA zone (default UTC). */
  timeZone?: string,
): TimeRange {
  const from = raw.from ? parseTimeBound(raw.from, "from", names.from, timeZone) : undefined;
  const to = raw.to ? parseTimeBound(raw.to, "to", names.to, timeZone) : undefined;
  if (from && to && from.getTime() >= to.getTime()) {
    throw new AppError("invalid_parameter", `invalid time range: ${names.from} is after ${names.to}`, { field: names.from });
  }
  return { from, to };
}
