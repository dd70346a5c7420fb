/** Shared types and helpers for `npm run bench`. */

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
