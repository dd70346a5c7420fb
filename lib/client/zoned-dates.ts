/**
 * Dates typed or picked in the dashboard's chosen zone (UTC or the browser's), as ISO text
 * (`2026-11-28` or `2026-11-28 14:05`) and back to instants: one reading for every date field.
 */
export type Zone = "utc" | "local";

const pad = (n: number) => String(n).padStart(2, "0");

/** An instant as field text in the zone: `YYYY-MM-DD` or `YYYY-MM-DD HH:mm`. */
export function toFieldText(value: Date | string | number, zone: Zone, withTime = false): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return "";
  const [y, m, day, h, min] =
    zone === "utc" ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()] : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes()];
  const date = `${String(y).padStart(4, "0")}-${pad(m)}-${pad(day)}`;
  return withTime ? `${date} ${pad(h)}:${pad(min)}` : date;
}

const FIELD_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** Whether text is a valid field value (a date that exists, optional HH:mm[:ss]). */
export function isFieldText(text: string): boolean {
  return fieldToDate(text, "utc") !== null;
}

/**
 * Field text → the instant it names in the zone. `endOfDay`: a plain date means the last
 * millisecond of that day (an inclusive "to"). Null for text that is not a date that exists.
 */
export function fieldToDate(text: string, zone: Zone, endOfDay = false): Date | null {
  const m = FIELD_RE.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? undefined : Number(x)));
  const hasTime = h !== undefined;
  const parts = [y!, mo! - 1, d!, hasTime ? h! : endOfDay ? 23 : 0, hasTime ? mi! : endOfDay ? 59 : 0, hasTime ? (s ?? 0) : endOfDay ? 59 : 0, !hasTime && endOfDay ? 999 : 0] as const;
  const date = zone === "utc" ? new Date(Date.UTC(...parts)) : new Date(...parts);
  // Refuse dates that roll over (2026-02-30) and impossible times.
  const back = zone === "utc" ? [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()] : [date.getFullYear(), date.getMonth(), date.getDate()];
  if (back[0] !== y || back[1] !== mo! - 1 || back[2] !== d || (hasTime && (h! > 23 || mi! > 59))) return null;
  return date;
}

/** Field text → an ISO 8601 string with the zone's offset (what the API reads), or "" when empty/invalid. */
export function fieldToIso(text: string, zone: Zone, endOfDay = false): string {
  const d = fieldToDate(text, zone, endOfDay);
  if (!d) return "";
  if (zone === "utc") return d.toISOString();
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "-";
  const a = Math.abs(off);
  const ms = String(d.getMilliseconds()).padStart(3, "0");
  return `${toFieldText(d, "local", true).replace(" ", "T")}:${pad(d.getSeconds())}.${ms}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

export interface DatePreset {
  id: string;
  label: string;
  from: Date;
  /** Inclusive last day. */
  to: Date;
}

/**
 * Calendar presets for audit periods, in the zone: last quarter, quarter to date, last half-year,
 * last calendar year, year to date. `from`/`to` are the first and last day (dates at 00:00).
 */
export function calendarPresets(now: Date, zone: Zone): DatePreset[] {
  const Y = zone === "utc" ? now.getUTCFullYear() : now.getFullYear();
  const M = zone === "utc" ? now.getUTCMonth() : now.getMonth();
  const D = zone === "utc" ? now.getUTCDate() : now.getDate();
  const mk = (y: number, m: number, d: number) => (zone === "utc" ? new Date(Date.UTC(y, m, d)) : new Date(y, m, d));
  const q = Math.floor(M / 3);
  const h = M < 6 ? 0 : 1;
  const today = mk(Y, M, D);
  return [
    { id: "last-quarter", label: `Last quarter (Q${q === 0 ? 4 : q} ${q === 0 ? Y - 1 : Y})`, from: mk(Y, q * 3 - 3, 1), to: mk(Y, q * 3, 0) },
    { id: "quarter-to-date", label: `This quarter (Q${q + 1} to date)`, from: mk(Y, q * 3, 1), to: today },
    { id: "last-half", label: `Last half-year (H${h === 0 ? 2 : 1} ${h === 0 ? Y - 1 : Y})`, from: mk(Y, h * 6 - 6, 1), to: mk(Y, h * 6, 0) },
    { id: "last-year", label: `Last year (${Y - 1})`, from: mk(Y - 1, 0, 1), to: mk(Y - 1, 11, 31) },
    { id: "year-to-date", label: `This year (${Y} to date)`, from: mk(Y, 0, 1), to: today },
  ];
}
