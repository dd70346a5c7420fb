import { AppError } from "../errors";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;

/**
 * Parses a `from`/`to` boundary. Accepted: an ISO 8601 date-time (with `Z` or an offset such as
 * `+00:00`; without one it is read as UTC) or a plain date. A plain-date `to` covers that whole
 * day (an export "to 2024-03-31" includes the 31st). Returns the inclusive lower bound for `from`
 * and the *exclusive* upper bound for `to`.
 */
export function parseTimeBound(value: string, kind: "from" | "to", field: string): Date {
  const v = value.trim();
  let d: Date;
  if (DATE_ONLY.test(v)) {
    d = new Date(`${v}T00:00:00Z`);
    if (!Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) !== v) d = new Date(Number.NaN);
    if (kind === "to") d = new Date(d.getTime() + 86_400_000);
  } else if (DATE_TIME.test(v)) {
    const hasZone = /(Z|[+-]\d{2}(:?\d{2})?)$/i.test(v);
    d = new Date(hasZone ? v.replace(" ", "T") : `${v.replace(" ", "T")}Z`);
    if (kind === "to") d = new Date(d.getTime() + 1); // inclusive to the millisecond
  } else {
    d = new Date(Number.NaN);
  }
  if (Number.isNaN(d.getTime())) {
    throw new AppError("invalid_parameter", `${field}: "${value}" is not an ISO 8601 date or date-time (e.g. 2024-01-15T10:30:00Z)`, { field });
  }
  return d;
}

export interface TimeRange {
  from?: Date;
  /** exclusive */
  to?: Date;
}

export function parseTimeRange(
  raw: { from?: string | null; to?: string | null },
  names: { from: string; to: string } = { from: "from", to: "to" },
): TimeRange {
  const from = raw.from ? parseTimeBound(raw.from, "from", names.from) : undefined;
  const to = raw.to ? parseTimeBound(raw.to, "to", names.to) : undefined;
  if (from && to && from.getTime() >= to.getTime()) {
    throw new AppError("invalid_parameter", `invalid time range: ${names.from} is after ${names.to}`, { field: names.from });
  }
  return { from, to };
}
