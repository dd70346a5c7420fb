import type { SqlClient } from "../db/sql";
import { databaseErrorToAppError, hasDatabaseCode } from "../db/database-errors";
import { currentQueryBudget, requestAbortedError, withQueryBudget } from "../db/query-budget";
import { AppError } from "../errors";
import {
  appendPreparedInTx,
  appendPreparedPipelined,
  computeSearchVectors,
  StaleTailError,
  prepareAppend,
  type AppendResult,
  type ChainTail,
  type PreparedAppend,
} from "./append-events";
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
 * - pipelined (PostgreSQL, issue 11): the next group does not wait for the running one to COMMIT.
 *   As soon as the running group has given its events their seqs and hashes, the next one plans on
 *   that tail and INSERTs its rows on a connection of its own, then waits for the chain-head lock,
 *   checks the head is the tail it planned on, and finishes (lib/audit/append-events.ts,
 *   appendPreparedPipelined). At most two groups of an org are in flight; commits stay in chain
 *   order. A pipelined attempt that fails for any reason other than the database's state (the tail
 *   went stale, another process appended, a 409 against rows that then did not commit, …) is
 *   answered by the serial append in a fresh transaction, after the group after it has let go of its
 *   rows and the group before it has finished. Where that failure was a sign of another writer on
 *   the org (a stale tail, a unique violation, a deadlock, a lock wait given up) the org appends
 *   serially for PIPELINE_PAUSE_MS: another process or instance appending to it makes pipelining
 *   pointless for a while. Other
 *   writers cannot deadlock with a pipelined group: every writer takes the org's append lock before
 *   the chain head (lib/audit/append-events.ts, ORG_APPEND_LOCK). A pipelined group waits at most
 *   PIPELINE_LOCK_WAIT_MS for the chain-head lock, then leaves the answer to the serial append;
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

/** How long a pipelined group waits for the chain-head lock before it leaves the answer to the serial append. */
export const PIPELINE_LOCK_WAIT_MS = 2000;
/** After a pipelined attempt failed, the org appends serially for this long. */
const PIPELINE_PAUSE_MS = 10_000;

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
  /**
   * Overlap the next group's INSERT with the running group (see above; default: as `vectorsAhead`).
   * PGlite is one session: there groups run one after another.
   */
  pipelined?: boolean;
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

/** A group of requests on its way (pipelining: the group before it, the group after it). */
interface Link {
  /** Where the chain will end after this group, once it has planned (null until then, or if it failed first). */
  tail: ChainTail | null;
  /** Its pipelined attempt failed: its tail is not to be followed. */
  failed: boolean;
  /** Resolved once it has planned (or failed before it could). */
  planned: Deferred;
  /** Resolved once its pipelined attempt's transaction has ended (committed or rolled back). */
  attempt: Deferred;
  /** Resolved once every request of the group has its answer. */
  done: Deferred;
  successor: Link | null;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const newLink = (): Link => ({ tail: null, failed: false, planned: deferred(), attempt: deferred(), done: deferred(), successor: null });

/** Per process, on globalThis: Next.js bundles each route separately. */
const KEY = Symbol.for("audit-trail.append-queues");
function queues(): Map<string, OrgQueue> {
  const g = globalThis as { [KEY]?: Map<string, OrgQueue> };
  return (g[KEY] ??= new Map());
}

/** Per org: pipelining paused until then (ms since the epoch), kept when the org's queue empties. */
const PAUSES = Symbol.for("audit-trail.append-pipeline-pauses");
function pipelinePauses(): Map<string, number> {
  const g = globalThis as { [PAUSES]?: Map<string, number> };
  return (g[PAUSES] ??= new Map());
}

function pipeliningPaused(orgId: string): boolean {
  const until = pipelinePauses().get(orgId);
  if (until === undefined) return false;
  if (Date.now() < until) return true;
  pipelinePauses().delete(orgId);
  return false;
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
    if (!queue.running) void drain(opts.sql, opts.orgId, queue, limits, budget.statementTimeoutMs, opts.pipelined ?? opts.vectorsAhead !== false);
  });
}

async function drain(sql: SqlClient, orgId: string, queue: OrgQueue, limits: QueueLimits, statementTimeoutMs: number, pipelined: boolean): Promise<void> {
  queue.running = true;
  let previous: Link | null = null;
  try {
    for (;;) {
      while (queue.waiting.length > 0) {
        const pipelining = pipelined && !pipeliningPaused(orgId);
        if (!pipelining && previous) {
          await previous.done.promise; // the serial append starts from the head as committed
          previous = null;
          continue; // requests may have come, or left, meanwhile
        }
        const group = takeGroup(queue, limits.maxGroupEvents);
        const link = newLink();
        if (previous) previous.successor = link;
        void runGroup({ sql, orgId, group, statementTimeoutMs, pipeline: pipelining ? { link, after: previous } : null }).finally(() => {
          link.planned.resolve();
          link.attempt.resolve();
          link.done.resolve();
        });
        if (pipelining) {
          await link.planned.promise;
          // At most two groups in flight: the next one starts once this one's predecessor is done.
          if (previous) await previous.done.promise;
          previous = link;
        } else {
          await link.done.promise;
        }
      }
      if (!previous) break;
      await previous.done.promise;
      previous = null;
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

interface GroupRun {
  sql: SqlClient;
  orgId: string;
  group: Waiting[];
  statementTimeoutMs: number;
  /** This group's link and the group in flight before it (null: the serial append). */
  pipeline: { link: Link; after: Link | null } | null;
}

async function runGroup(run: GroupRun): Promise<void> {
  // A request whose own preparation failed (its vector statement; its client gone) gets that answer
  // alone; the others go on.
  const settled = await Promise.allSettled(run.group.map((w) => w.ready));
  const group = run.group.filter((w, i) => {
    const r = settled[i]!;
    if (r.status === "rejected") w.reject(r.reason);
    return r.status === "fulfilled";
  });
  if (group.length === 0) return;
  run = { ...run, group };
  try {
    const results = await appendTogether(run);
    let at = 0;
    for (const w of group) {
      w.resolve(results.slice(at, at + w.events.length));
      at += w.events.length;
    }
  } catch (e) {
    // A reason of the input (conflicting id, …): nothing was stored; one by one, each its own answer.
    if (group.length > 1 && e instanceof AppError && e.status < 500) {
      for (const w of group) await runGroup({ ...run, group: [w], pipeline: null });
      return;
    }
    for (const w of group) w.reject(e);
  }
}

async function appendTogether(run: GroupRun): Promise<AppendResult[]> {
  const { sql, orgId, group, pipeline } = run;
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
    const batches = group.map((w) => w.prepared);
    return await withQueryBudget({ statementTimeoutMs: run.statementTimeoutMs, signal: controller.signal }, async () => {
      if (!pipeline) return appendSerially(sql, orgId, batches);
      const { link, after } = pipeline;
      try {
        // The group before failed, or never planned: this one starts from the head as committed, after
        // it. It holds no rows meanwhile, so the group before need not wait for its attempt.
        if (after && (after.failed || after.tail === null)) {
          link.attempt.resolve();
          await after.done.promise;
        }
        const tail = after && !after.failed ? after.tail : null;
        const results = await sql.transaction((tx) =>
          appendPreparedPipelined({
            tx,
            orgId,
            batches,
            after: tail,
            lockWaitMs: PIPELINE_LOCK_WAIT_MS,
            onPlanned: (t) => {
              link.tail = t;
              link.planned.resolve();
            },
            // Asks for the chain-head lock once the group before has committed: asking earlier would
            // count its locked work against the lock wait, or find this tail stale if it got the lock
            // first. No other writer can take the head in between: a serial append first needs the
            // org's append lock exclusively, which waits for this group's shared hold.
            beforeLock: tail && after ? () => after.attempt.promise : undefined,
          }),
        );
        link.attempt.resolve();
        return results;
      } catch (e) {
        link.failed = true;
        link.planned.resolve();
        link.attempt.resolve();
        // The database's state (down, disk full), the budget (query_timeout) and abandoned requests
        // are the answer as they are; our own wait for the lock (55P03 lock_not_available) is not.
        const timedOut = e instanceof AppError && e.code === "query_timeout";
        if (controller.signal.aborted || timedOut || (databaseErrorToAppError(e) && !hasDatabaseCode(e, "55P03"))) throw e;
        // Signs of another writer on this org (not of a client's input): append serially for a while.
        if (e instanceof StaleTailError || ["23505", "40P01", "55P03"].some((c) => hasDatabaseCode(e, c))) {
          pipelinePauses().set(orgId, Date.now() + PIPELINE_PAUSE_MS);
        }
        // The group after this one lets go of its rows (it finds its tail stale), the one before
        // finishes; then the serial append gives the answer.
        if (link.successor) await link.successor.attempt.promise;
        if (after) await after.done.promise;
        return appendSerially(sql, orgId, batches);
      }
    });
  } finally {
    for (const s of signals) s.removeEventListener("abort", onAbort);
  }
}

/** The serial append (the lock first); once more if PostgreSQL chose it as a deadlock's victim (40P01). */
async function appendSerially(sql: SqlClient, orgId: string, batches: PreparedAppend[]): Promise<AppendResult[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sql.transaction((tx) => appendPreparedInTx({ tx, orgId, batches }));
    } catch (e) {
      if (attempt >= 2 || !hasDatabaseCode(e, "40P01")) throw e;
    }
  }
}
