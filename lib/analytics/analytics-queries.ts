import { z } from "zod";
import { AppError } from "../errors";
import { parseTimeBound, parseTimeRange } from "../audit/time-bounds";
import { METRICS } from "./get-history";
import { INTERVALS, TimeZoneParam } from "./periods";

/** Query parameters of the analytics endpoints (zod at the boundary; routes call these). */
export const HistoryQuerySchema = z.object({
  metric: z.enum(METRICS, { message: `must be one of ${METRICS.join(", ")}` }).default("score"),
  interval: z.enum(INTERVALS, { message: `must be one of ${INTERVALS.join(", ")}` }).default("week"),
  framework: z.string().trim().min(1).max(64).optional(),
  repository_id: z.string().trim().min(1).max(256).optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  /** The zone whose calendar days, weeks and months are counted; plain-date from/to are its days too. */
  time_zone: TimeZoneParam,
});

export function toHistoryOptions(q: z.infer<typeof HistoryQuerySchema>) {
  const range = parseTimeRange(q, undefined, q.time_zone);
  return { metric: q.metric, interval: q.interval, framework: q.framework, repositoryId: q.repository_id, timeZone: q.time_zone, ...range };
}

export const StatisticsQuerySchema = z.object({ from: z.string().optional(), to: z.string().optional() });

export const Soc2QuerySchema = z.object({
  criteria: z.string({ message: "criteria is required (e.g. CC6.1)" }).trim().min(1, "criteria is required (e.g. CC6.1)").max(32),
  audit_period_start: z.string().optional(),
  audit_period_end: z.string().optional(),
});

const DAY_MS = 86_400_000;

/** The audit period [start, end + 1 day); default: the 90 days up to and including today. */
export function toAuditPeriod(q: z.infer<typeof Soc2QuerySchema>, now: Date = new Date()): { from: Date; to: Date } {
  const to = q.audit_period_end ? parseTimeBound(q.audit_period_end, "to", "audit_period_end") : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS);
  const from = q.audit_period_start ? parseTimeBound(q.audit_period_start, "from", "audit_period_start") : new Date(to.getTime() - 90 * DAY_MS);
  if (from.getTime() >= to.getTime()) {
    throw new AppError("invalid_parameter", "invalid audit period: audit_period_start is after audit_period_end", { field: "audit_period_start" });
  }
  return { from, to };
}
