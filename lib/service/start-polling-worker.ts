/**
 * The background-worker shape the export and stream workers share: a few loops in this process,
 * each claiming one unit of work from the database (`step`), going again at once while there is
 * work, and sleeping `pollMs` when there is none — until woken (a job was queued here) or stopped.
 * Any number of instances may run the same worker against one database: the steps claim with
 * FOR UPDATE SKIP LOCKED. Once per process (kept on globalThis under `key`, so the several module
 * copies a Next.js server can load share one).
 */

export interface PollingLoop {
  /** For error messages: "worker", "alerts", … */
  name: string;
  pollMs: number;
  /** One unit of work; true when it did something (the loop goes again without sleeping). */
  step: () => Promise<boolean>;
}

export interface StartPollingWorkerOptions {
  /** Identifies the worker in this process (Symbol.for(key) on globalThis). */
  key: string;
  /** Log prefix: "[exports]". */
  label: string;
  loops: PollingLoop[];
  log: (line: string) => void;
}

interface WorkerState {
  stopping: boolean;
  wake: () => void;
  loops: Promise<void>[];
}
type Holder = Record<symbol, WorkerState | undefined>;

const holder = () => globalThis as unknown as Holder;

/**
 * Starts the loops (nothing when this process already runs the worker named `key`); returns the
 * worker's wake function. The same error message is logged at most once per 30 s per worker.
 */
export function startPollingWorker(opts: StartPollingWorkerOptions): { wake: () => void } | null {
  const key = Symbol.for(opts.key);
  const g = holder();
  if (g[key]) return null;
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
  g[key] = state;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      t.unref?.();
      waiting.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  const lastLogged = new Map<string, number>();
  const report = (where: string, e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    if (Date.now() - (lastLogged.get(msg) ?? 0) > 30_000) opts.log(`${opts.label} ${where} error: ${msg}`);
    lastLogged.set(msg, Date.now());
  };
  const run = async (loop: PollingLoop) => {
    while (!state.stopping) {
      try {
        if (await loop.step()) continue;
      } catch (e) {
        report(loop.name, e);
      }
      await sleep(loop.pollMs);
    }
  };
  state.loops = opts.loops.map(run);
  return { wake: state.wake };
}

/** Wakes the idle loops of the worker named `key` in this process (no-op when it does not run). */
export function wakePollingWorker(key: string): void {
  holder()[Symbol.for(key)]?.wake();
}

/** Stops the worker named `key` after each loop's current step (tests, shutdown). */
export async function stopPollingWorker(key: string): Promise<void> {
  const g = holder();
  const k = Symbol.for(key);
  const s = g[k];
  if (!s) return;
  s.stopping = true;
  s.wake();
  await Promise.all(s.loops);
  delete g[k];
}
