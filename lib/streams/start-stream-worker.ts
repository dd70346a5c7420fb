import { claimAlertRule, evaluateAlertRule } from "../alerts/evaluate-alert-rules";
import type { Database } from "../db/open-database";
import { startPollingWorker, stopPollingWorker } from "../service/start-polling-worker";
import { claimStream, newStreamWorkerId, runStream } from "./run-stream-worker";
import { getStreamConfig } from "./stream-config";
import { setStreamWorkerWake } from "./stream-signals";

const KEY = "audit-trail.stream-worker";

/**
 * Starts the stream worker in this process (once; from lib/service/start-service.ts):
 * AUDIT_STREAMS_WORKERS delivery loops that claim due streams from the database and deliver them,
 * and one loop that evaluates alert rules every AUDIT_ALERTS_POLL_MS. Any number of instances may
 * run it against the same database: claims (FOR UPDATE SKIP LOCKED + lease) keep each stream with
 * one worker at a time (lib/service/start-polling-worker.ts).
 */
export function startStreamWorker(opts: { db: Database; log?: (line: string) => void }): void {
  const cfg = getStreamConfig();
  if (cfg.AUDIT_STREAMS_WORKERS === 0) return;
  const log = opts.log ?? console.log;
  const delivery = () => {
    const workerId = newStreamWorkerId();
    return {
      name: "worker",
      pollMs: cfg.AUDIT_STREAMS_POLL_MS,
      step: async () => {
        const stream = await claimStream({ db: opts.db, workerId });
        if (!stream) return false;
        await runStream({ db: opts.db, stream, workerId, log });
        return true;
      },
    };
  };
  const alerts = () => {
    const workerId = newStreamWorkerId();
    return {
      name: "alerts",
      pollMs: cfg.AUDIT_ALERTS_POLL_MS,
      step: async () => {
        const rule = await claimAlertRule({ db: opts.db, workerId });
        if (!rule) return false;
        await evaluateAlertRule({ db: opts.db, rule, workerId, log });
        return true;
      },
    };
  };
  const loops = [...Array.from({ length: cfg.AUDIT_STREAMS_WORKERS }, delivery), alerts()];
  const worker = startPollingWorker({ key: KEY, label: "[streams]", loops, log });
  if (!worker) return;
  setStreamWorkerWake(worker.wake);
  log(`[streams] worker started (${cfg.AUDIT_STREAMS_WORKERS} delivery loop(s), alert rules every ${cfg.AUDIT_ALERTS_POLL_MS} ms)`);
}

/** Stops the loops after their current delivery (tests). */
export async function stopStreamWorker(): Promise<void> {
  await stopPollingWorker(KEY);
  setStreamWorkerWake(undefined);
}
