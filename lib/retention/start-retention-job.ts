import type { Database } from "../db/open-database";
import { enforceRetentionForAllOrgs } from "./enforce-retention";

const KEY = Symbol.for("audit-trail.retention-job");
type Holder = { [KEY]?: ReturnType<typeof setInterval> };

/**
 * Starts the periodic retention enforcement (once per process): first run a minute after start,
 * then hourly. Several instances may run it at once: the purge function locks the chain head and
 * skips a cut another instance already made.
 */
export function startRetentionJob(opts: { db: Database; intervalMs?: number; firstRunMs?: number; log?: (line: string) => void }): void {
  const g = globalThis as Holder;
  if (g[KEY]) return;
  const run = () => void enforceRetentionForAllOrgs({ db: opts.db, log: opts.log }).catch((e) => opts.log?.(`[audit-trail] retention job failed: ${String(e)}`));
  const first = setTimeout(run, opts.firstRunMs ?? 60_000);
  first.unref?.();
  g[KEY] = setInterval(run, opts.intervalMs ?? 3_600_000);
  g[KEY].unref?.();
}
