import { claimAlertRule, evaluateAlertRule } from "../alerts/evaluate-alert-rules";
import type { Database } from "../db/open-database";
import { claimStream, newStreamWorkerId, runStream } from "./run-stream-worker";
import { getStreamConfig } from "./stream-config";
import { setStreamWorkerWake } from "./stream-signals";

interface WorkerState {
  stopping: boolean;
  wake: () => void;
  loops: Promise<void>[];
}
const KEY = Symbol.for("audit-trail.stream-worker");
type Holder = { [KEY]?: WorkerState };

/**
 * Starts the stream worker in this process (once; from lib/service/start-service.ts):
 * AUDIT_STREAMS_WORKERS delivery loops that claim due streams from the database and deliver them,
 * and one loop that evaluates alert rules every AUDIT_ALERTS_POLL_MS. Any number of instances may
 * run it against the same database: claims (FOR UPDATE SKIP LOCKED + lease) keep each stream with
 * one worker at a time.
 */
export function startStreamWorker(opts: { db: Database; log?: (line: string) => void }): void {
  const g = globalThis as Holder;
  if (g[KEY]) return;
  const cfg = getStreamConfig();
  if (cfg.AUDIT_STREAMS_WORKERS === 0) return;
  const log = opts.log ?? console.log;
  let waiting: (() => void)[] = [];
  const state: WorkerState = {
    stopping: false,
    wake: () => {
      const w = waiting;
      waiting = [];
      w.forEach((f) => f());
    },
    loops: [],
  };
  g[KEY] = state;
  setStreamWorkerWake(state.wake);
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      t.unref?.();
      waiting.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  const errors = new Map<string, number>();
  const report = (where: string, e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    const last = errors.get(msg) ?? 0;
    if (Date.now() - last > 30_000) log(`[streams] ${where} error: ${msg}`);
    errors.set(msg, Date.now());
  };
  const deliveryLoop = async () => {
    const workerId = newStreamWorkerId();
    while (!state.stopping) {
      try {
        const stream = await claimStream({ db: opts.db, workerId });
        if (stream) {
          await runStream({ db: opts.db, stream, workerId, log });
          continue;
        }
      } catch (e) {
        report("worker", e);
      }
      await sleep(cfg.AUDIT_STREAMS_POLL_MS);
    }
  };
  const alertLoop = async () => {
    const workerId = newStreamWorkerId();
    while (!state.stopping) {
      try {
        const rule = await claimAlertRule({ db: opts.db, workerId });
        if (rule) {
          await evaluateAlertRule({ db: opts.db, rule, workerId, log });
          continue;
        }
      } catch (e) {
        report("alerts", e);
      }
      await sleep(cfg.AUDIT_ALERTS_POLL_MS);
    }
  };
  for (let i = 0; i < cfg.AUDIT_STREAMS_WORKERS; i++) state.loops.push(deliveryLoop());
  state.loops.push(alertLoop());
  log(`[streams] worker started (${cfg.AUDIT_STREAMS_WORKERS} delivery loop(s), alert rules every ${cfg.AUDIT_ALERTS_POLL_MS} ms)`);
}

/** Stops the loops after their current delivery (tests). */
export async function stopStreamWorker(): Promise<void> {
  const g = globalThis as Holder;
  const s = g[KEY];
  if (!s) return;
  s.stopping = true;
  s.wake();
  await Promise.all(s.loops);
  setStreamWorkerWake(undefined);
  delete g[KEY];
}
