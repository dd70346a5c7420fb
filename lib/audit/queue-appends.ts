import type { SqlClient } from "../db/sql";
import { currentQueryBudget, requestAbortedError, withQueryBudget } from "../db/query-budget";
import { AppError } from "../errors";
import { appendPreparedInTx, computeSearchVectors, prepareAppend, type AppendResult, type PreparedAppend } from "./append-events";
import type { EventInput } from "./event-schema";

/**
 * Ingest requests of one org wait their turn HERE, in the process, not in the database (issue 10).
 *
 * Appends of one org are serial (the chain-head row lock). Left to the database, every concurrent
 * request of an org would hold a pooled connection and wait on that lock inside a statement — so
 * under load a 100-event batch failed with 503 `query_timeout` merely for queueing behind others
 * (the statement budget counts lock waits), and the waiters took the pool from everyone else.
 *
 * Instead, per org and process:
 * - one transaction at a time appends; requests that arrive meanwhile wait in a queue, holding no
 *   connection and no statement (so no statement budget applies to the wait);
 * - when the transaction ends, the waiting requests are appended TOGETHER in the next one (group
 *   commit, in arrival order, up to `maxGroupEvents` events): one lock, one checkpoint, one commit for
 *   many requests. Each request's events stay contiguous and in order; an identical id seen earlier in
 *   the group is a duplicate exactly as if the requests had come one after another. When the group
 *   fails for a reason of the input (a 4xx such as a conflicting id), nothing of it was stored and its
 *   requests are appended again one by one, so each gets its own answer;
 * - the wait is bounded: at most `maxWaitingEvents` events waiting per org (a request that would
 *   go beyond: 503 `service_unavailable` with Retry-After — this also bounds the memory the queue
 *   holds), each request at most `maxWaitMs` (then 503); a request whose client goes away leaves the
 *   queue at once and stores nothing.
 * Every statement still runs under the statement budget: a transaction that cannot get the lock
 * (another process holds it) or runs long fails its requests with 503 `query_timeout` and never holds
 * the database past the budget. A running group's statements are cancelled only when every request in
 * it was abandoned (the others still wait for the answer).
 */
export interface QueueLimits {
  /** Events of one org that may wait, all requests together (beyond: 503). */
  maxWaitingEvents: number;
  /** How long one request may wait for its turn (beyond: 503). */
  maxWaitMs: number;
  /** Events appended together in one transaction at most (a request larger than that goes alone). */
  maxGroupEvents: number;
}

export const DEFAULT_QUEUE_LIMITS: QueueLimits = { maxWaitingEvents: 50_000, maxWaitMs: 30_000, maxGroupEvents: 500 };

export interface QueueAppendsOptions {
  sql: SqlClient;
  orgId: string;
  events: EventInput[];
  /** As appendEvents: "events" for a batch, "" for a single event. */
  fieldPrefix?: string;
  limits?: Partial<QueueLimits>;
  /**
   * Compute the full-text vectors on arrival, on a pooled connection of their own, while the request
   * waits (default true: PostgreSQL). PGlite is one session: there they are computed in the group's
   * transaction instead (before its lock), so waiting requests do not queue statements on it.
   */
  vectorsAhead?: boolean;
}

interface Waiting {
  events: EventInput[];
  fieldPrefix: string;
  /** Prepared on arrival, before the wait (issue 11): JS work and full-text vectors off the lock. */
  prepared: PreparedAppend;
  /** The vectors' computation, started on arrival on a pooled connection of its own. */
  ready: Promise<void>;
  signal?: AbortSignal;
  resolve(r: AppendResult[]): void;
  reject(e: unknown): void;
  /** Leaves the queue (timer, abort listener). */
  settle(): void;
}

interface OrgQueue {
  running: boolean;
  waiting: Waiting[];
  /** Events in `waiting`. */
  events: number;
}

/** Per process, on globalThis: Next.js bundles each route separately. */
const KEY = Symbol.for("audit-trail.append-queues");
function queues(): Map<string, OrgQueue> {
  const g = globalThis as { [KEY]?: Map<string, OrgQueue> };
  return (g[KEY] ??= new Map());
}

/** Appends the events to the org's chain in their turn (see above); durable when it resolves. */
export function queueAppends(opts: QueueAppendsOptions): Promise<AppendResult[]> {
  const limits = { ...DEFAULT_QUEUE_LIMITS, ...opts.limits };
  const budget = currentQueryBudget();
  if (budget.signal?.aborted) return Promise.reject(requestAbortedError());
  const all = queues();
  let q = all.get(opts.orgId);
  if (!q) all.set(opts.orgId, (q = { running: false, waiting: [], events: 0 }));
  const queue = q;
  if (queue.events > 0 && queue.events + opts.events.length > limits.maxWaitingEvents) {
    return Promise.reject(
      new AppError("service_unavailable", `too many ingest requests are waiting for this org (${queue.waiting.length} requests, ${queue.events} events; AUDIT_INGEST_QUEUE): nothing was stored, retry later`),
    );
  }
  // Issue 11: the request's own work (canonical JSON, digests, copied columns; then the full-text
  // vectors, one statement on any connection) starts now, while it waits for the org's turn: the
  // transaction that holds the chain-head lock does only what needs the lock.
  let prepared: PreparedAppend;
  try {
    prepared = prepareAppend({ events: opts.events, fieldPrefix: opts.fieldPrefix });
  } catch (e) {
    return Promise.reject(e);
  }
  const ready = opts.vectorsAhead === false ? Promise.resolve() : computeSearchVectors(opts.sql, prepared);
  ready.catch(() => undefined); // reported by the group that awaits it
  return new Promise<AppendResult[]>((resolve, reject) => {
    const leave = () => {
      const i = queue.waiting.indexOf(entry);
      if (i >= 0) {
        queue.waiting.splice(i, 1);
        queue.events -= entry.events.length;
      }
      entry.settle();
    };
    const timer = setTimeout(() => {
      leave();
      reject(new AppError("service_unavailable", `this ingest request waited ${limits.maxWaitMs} ms for its turn (AUDIT_INGEST_WAIT_MS) without starting: nothing was stored, retry later`));
    }, limits.maxWaitMs);
    const onAbort = () => {
      leave();
      reject(requestAbortedError());
    };
    const entry: Waiting = {
      events: opts.events,
      fieldPrefix: opts.fieldPrefix ?? "events",
      prepared,
      ready,
      signal: budget.signal,
      resolve,
      reject,
      settle: () => {
        clearTimeout(timer);
        budget.signal?.removeEventListener("abort", onAbort);
      },
    };
    budget.signal?.addEventListener("abort", onAbort, { once: true });
    queue.waiting.push(entry);
    queue.events += entry.events.length;
    if (!queue.running) void drain(opts.sql, opts.orgId, queue, limits, budget.statementTimeoutMs);
  });
}

async function drain(sql: SqlClient, orgId: string, queue: OrgQueue, limits: QueueLimits, statementTimeoutMs: number): Promise<void> {
  queue.running = true;
  try {
    while (queue.waiting.length > 0) {
      const group = takeGroup(queue, limits.maxGroupEvents);
      await runGroup(sql, orgId, group, statementTimeoutMs);
    }
  } finally {
    queue.running = false;
    if (queue.waiting.length === 0) queues().delete(orgId);
  }
}

/** The oldest waiting request and the ones after it while the events fit. */
function takeGroup(queue: OrgQueue, maxEvents: number): Waiting[] {
  const group: Waiting[] = [];
  let events = 0;
  while (queue.waiting.length > 0) {
    const next = queue.waiting[0]!;
    if (group.length > 0 && events + next.events.length > maxEvents) break;
    queue.waiting.shift();
    queue.events -= next.events.length;
    next.settle();
    group.push(next);
    events += next.events.length;
  }
  return group;
}

async function runGroup(sql: SqlClient, orgId: string, group: Waiting[], statementTimeoutMs: number): Promise<void> {
  try {
    const results = await appendTogether(sql, orgId, group, statementTimeoutMs);
    let at = 0;
    for (const w of group) {
      w.resolve(results.slice(at, at + w.events.length));
      at += w.events.length;
    }
  } catch (e) {
    // A reason of the input (conflicting id, …): nothing was stored; one by one, each its own answer.
    if (group.length > 1 && e instanceof AppError && e.status < 500) {
      for (const w of group) await runGroup(sql, orgId, [w], statementTimeoutMs);
      return;
    }
    for (const w of group) w.reject(e);
  }
}

async function appendTogether(sql: SqlClient, orgId: string, group: Waiting[], statementTimeoutMs: number): Promise<AppendResult[]> {
  // The group's statements are cancelled only when every one of its requests was abandoned.
  const controller = new AbortController();
  const signals = group.map((w) => w.signal).filter((s): s is AbortSignal => s !== undefined);
  const tracked = signals.length === group.length;
  let gone = signals.filter((s) => s.aborted).length;
  const onAbort = () => {
    if (++gone >= group.length) controller.abort();
  };
  if (tracked) {
    if (gone >= group.length) controller.abort();
    else for (const s of signals) if (!s.aborted) s.addEventListener("abort", onAbort, { once: true });
  }
  try {
    await Promise.all(group.map((w) => w.ready));
    return await withQueryBudget({ statementTimeoutMs, signal: controller.signal }, () =>
      sql.transaction((tx) => appendPreparedInTx({ tx, orgId, batches: group.map((w) => w.prepared) })),
    );
  } finally {
    for (const s of signals) s.removeEventListener("abort", onAbort);
  }
}
