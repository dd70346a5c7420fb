import type { Database } from "../db/open-database";
import { getExportConfig } from "./export-config";
import { expireExports } from "./expire-exports";
import { claimExport, newWorkerId, runExport } from "./run-export";

interface WorkerState {
  stopping: boolean;
  wake: () => void;
  loops: Promise<void>[];
}
const KEY = Symbol.for("audit-trail.export-worker");
type Holder = { [KEY]?: WorkerState };

/** Wakes this instance's idle worker (after a job was queued here) instead of waiting for the poll. */
export function kickExportWorker(): void {
  (globalThis as Holder)[KEY]?.wake();
}

/**
 * Starts the export worker in this process (once; from lib/service/start-service.ts): a few loops
 * that claim jobs from the database, run them, and sleep AUDIT_EXPORT_POLL_MS when idle; plus the
 * sweep that expires old files. Any number of instances may run it against the same database.
 */
export function startExportWorker(opts: { db: Database; log?: (line: string) => void }): void {
  const g = globalThis as Holder;
  if (g[KEY]) return;
  const cfg = getExportConfig();
  const log = opts.log ?? console.log;
  let wakeResolvers: (() => void)[] = [];
  const state: WorkerState = {
    stopping: false,
    wake: () => {
      const w = wakeResolvers;
      wakeResolvers = [];
      w.forEach((f) => f());
    },
    loops: [],
  };
  g[KEY] = state;
  const idle = () =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, cfg.AUDIT_EXPORT_POLL_MS);
      t.unref?.();
      wakeResolvers.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  let lastSweep = 0;
  const loop = async (n: number) => {
    const workerId = newWorkerId();
    while (!state.stopping) {
      try {
        if (n === 0 && Date.now() - lastSweep > 60_000) {
          lastSweep = Date.now();
          const expired = await expireExports({ db: opts.db });
          if (expired) log(`[exports] expired ${expired} export(s) and deleted their files`);
        }
        const job = await claimExport({ db: opts.db, workerId });
        if (job) {
          log(`[exports] ${job.id}: claimed by ${workerId} (attempt ${job.attempts})`);
          await runExport({ db: opts.db, job, workerId, log });
          continue;
        }
      } catch (e) {
        log(`[exports] worker error: ${e instanceof Error ? e.message : String(e)}`);
      }
      await idle();
    }
  };
  for (let i = 0; i < cfg.AUDIT_EXPORT_WORKERS; i++) state.loops.push(loop(i));
  if (cfg.AUDIT_EXPORT_WORKERS > 0) log(`[exports] worker started (${cfg.AUDIT_EXPORT_WORKERS} loop(s))`);
}

/** Stops the loops after their current job (tests). */
export async function stopExportWorker(): Promise<void> {
  const g = globalThis as Holder;
  const s = g[KEY];
  if (!s) return;
  s.stopping = true;
  s.wake();
  await Promise.all(s.loops);
  delete g[KEY];
}
