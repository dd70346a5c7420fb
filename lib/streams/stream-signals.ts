/** Wakes this instance's idle stream worker (after a stream was created, resumed or replayed here) instead of waiting for the poll. */
const KEY = Symbol.for("audit-trail.stream-worker-wake");
type Holder = { [KEY]?: () => void };

export function setStreamWorkerWake(fn: (() => void) | undefined): void {
  (globalThis as Holder)[KEY] = fn;
}

export function kickStreamWorker(): void {
  (globalThis as Holder)[KEY]?.();
}
