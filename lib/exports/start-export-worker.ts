import type { Database } from "../db/open-database";
import { startPollingWorker, stopPollingWorker, wakePollingWorker } from "../service/start-polling-worker";
import { getExportConfig } from "./export-config";
import { expireExports } from "./expire-exports";
import { claimExport, newWorkerId, runExport } from "./run-export";

const KEY = "audit-trail.export-worker";

/** Wakes this instance's idle worker (after a job was queued here) instead of waiting for the poll. */
export function kickExportWorker(): void {
  wakePollingWorker(KEY);
}

/**
 * Starts the export worker in this process (once; from lib/service/start-service.ts):
 * AUDIT_EXPORT_WORKERS loops that claim jobs from the database, run them, and sleep
 * AUDIT_EXPORT_POLL_MS when idle; the first also sweeps expired files once a minute. Any number of
 * instances may run it against the same database (lib/service/start-polling-worker.ts).
 */
export function startExportWorker(opts: { db: Database; log?: (line: string) => void }): void {
  const cfg = getExportConfig();
  const log = opts.log ?? console.log;
  let lastSweep = 0;
  const loop = (n: number) => {
    const workerId = newWorkerId();
    return {
      name: "worker",
      pollMs: cfg.AUDIT_EXPORT_POLL_MS,
      step: async () => {
        if (n === 0 && Date.now() - lastSweep > 60_000) {
          lastSweep = Date.now();
          const expired = await expireExports({ db: opts.db });
          if (expired) log(`[exports] expired ${expired} export(s) and deleted their files`);
        }
        const job = await claimExport({ db: opts.db, workerId });
        if (!job) return false;
        log(`[exports] ${job.id}: claimed by ${workerId} (attempt ${job.attempts})`);
        await runExport({ db: opts.db, job, workerId, log });
        return true;
      },
    };
  };
  const loops = Array.from({ length: cfg.AUDIT_EXPORT_WORKERS }, (_, n) => loop(n));
  if (startPollingWorker({ key: KEY, label: "[exports]", loops, log }) && loops.length > 0) {
    log(`[exports] worker started (${loops.length} loop(s))`);
  }
}

/** Stops the loops after their current job (tests). */
export function stopExportWorker(): Promise<void> {
  return stopPollingWorker(KEY);
}
