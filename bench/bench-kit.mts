/** Shared types and helpers for `npm run bench`. */
import fs from "node:fs";
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

/**
 * CPU seconds (user + system) used so far by a process tree on this host, from /proc (Linux): the
 * processes themselves, their live descendants, and the children they have already reaped. null where
 * /proc is not there.
 */
export function treeCpuSeconds(rootPid: number): number | null {
  if (!fs.existsSync(`/proc/${rootPid}/stat`)) return null;
  const tick = 100; // USER_HZ: 100 on every Linux this runs on
  const stat = (pid: number) => {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      return f.slice(f.lastIndexOf(")") + 2).split(" ");
    } catch {
      return null; // exited meanwhile
    }
  };
  const children = new Map<number, number[]>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const s = stat(Number(d));
    if (!s) continue;
    const ppid = Number(s[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
  }
  let total = 0;
  const walk = (pid: number) => {
    const s = stat(pid);
    if (s) total += Number(s[11]) + Number(s[12]) + Number(s[13]) + Number(s[14]); // utime stime cutime cstime
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(rootPid);
  return total / tick;
}

/** The PostgreSQL server's postmaster pid when it runs on this host (its data directory readable), else null. */
export async function postmasterPid(query: (sql: string) => Promise<{ rows: Record<string, unknown>[] }>): Promise<number | null> {
  try {
    const dir = String((await query(`SHOW data_directory`)).rows[0]!.data_directory);
    const pid = Number(fs.readFileSync(`${dir}/postmaster.pid`, "utf8").split("\n")[0]);
    return Number.isFinite(pid) && fs.existsSync(`/proc/${pid}/stat`) ? pid : null;
  } catch {
    return null;
  }
}
