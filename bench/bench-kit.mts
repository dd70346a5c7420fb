/** Shared types and helpers for `npm run bench`. */
import type { EventInput } from "../lib/audit/event-schema.ts";
import { buildDemoEvents } from "../lib/demo/build-demo-events.ts";
import { createScratchPostgres } from "../tests/support/test-database.ts";

export interface BenchContext {
  /** PostgreSQL admin URL (database `postgres`); create your own scratch database from it. */
  pgAdminUrl: string;
  log: (line: string) => void;
}

export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. "≤ 50 ms" or "≥ 0.5 × raw". */
  target?: string;
  pass?: boolean;
}

export type BenchFn = (ctx: BenchContext) => Promise<BenchRow[]>;

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** Starting the built app for a benchmark: the same helper the process tests use. */
export { startAppServer, freePort, api } from "../tests/support/app-server.ts";

/** A scratch PostgreSQL database for one benchmark (`audit_bench_<label>_<random>`); drop() removes it. */
export function benchDatabase(ctx: BenchContext, label: string): Promise<{ url: string; drop(): Promise<void> }> {
  return createScratchPostgres(ctx.pgAdminUrl, `audit_bench_${label}`);
}

/**
 * `total` realistic events: the demo generator, repeated over earlier half-years with fresh ids per
 * round, for the events and for the issues, fixes and scans they refer to (so lifecycles stay apart).
 */
export function benchEvents(total: number): EventInput[] {
  const events: EventInput[] = [];
  for (let round = 0; events.length < total; round++) {
    const end = new Date(Date.UTC(2026, 0, 1) - round * 182 * 86_400_000);
    for (const e of buildDemoEvents({ seed: round + 1, end })) {
      if (events.length >= total) break;
      const t = e.resource.type;
      const resource = t === "issue" || t === "fix" || t === "scan" ? { ...e.resource, id: `r${round}-${e.resource.id}` } : e.resource;
      events.push({ ...e, id: `r${round}-${e.id}`, resource });
    }
  }
  return events;
}

/** The list filters an auditor uses (ComplianceAgent list API), shared by the foundation and upkeep benches. */
export const LIST_QUERIES = [
  "limit=50",
  "event_type=issue.resolved&limit=50",
  "actor=alice@acme.com&limit=50",
  "repository_id=repo_api&limit=50",
  "event_type=config.changed&from=2025-06-01&to=2025-09-30",
  "actor=system_scanner&event_type=scan.completed&limit=100",
  "page=20&limit=50",
];
