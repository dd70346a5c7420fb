import { withoutQueryBudget } from "./query-budget";
import type { SqlClient } from "./sql";

/**
 * The service's own table upkeep for embedded PGlite, which runs PostgreSQL single-user and so has
 * no autovacuum at all: without this nothing ever analyzes (the planner works without statistics)
 * or vacuums (no visibility map, so every count and index-only scan reads the heap), and no
 * checkpoint ever happens by time.
 *
 * It applies autovacuum's own rules, from the same settings: a table is analyzed when
 * `n_mod_since_analyze > autovacuum_analyze_threshold + autovacuum_analyze_scale_factor × reltuples`,
 * vacuumed when its inserts since the last vacuum pass `autovacuum_vacuum_insert_threshold +
 * autovacuum_vacuum_insert_scale_factor × reltuples` (or its dead rows the `autovacuum_vacuum_*`
 * pair), each value taken from the table's storage parameters when set (the migration
 * `table_upkeep` sets them on the append-only tables, for PostgreSQL's autovacuum too) and from the
 * server's settings otherwise. A checkpoint runs when the WAL since the last one reaches half of
 * `max_wal_size`, or when WAL was written and `checkpoint_timeout` has passed. So one declaration (the tables' storage parameters) drives both
 * PostgreSQL's autovacuum and this.
 *
 * PGlite is single-threaded: a step blocks every other query while it runs. So each step does ONE
 * thing (one table's ANALYZE, or one table's VACUUM, or a CHECKPOINT), and the next step waits
 * `max(intervalMs, spacing × duration of this step)`: maintenance takes at most 1/(spacing+1) of the
 * database's time even under continuous ingest (10 % with the default spacing of 9). Frequent small
 * vacuums stay cheap: pages already all-visible are skipped, and an insert-only table has no dead
 * rows, so its indexes are not scanned.
 */

export type MaintenanceAction = "analyze" | "vacuum" | "checkpoint";

export interface MaintenanceStep {
  action: MaintenanceAction;
  /** Quoted table name (schema.table); undefined for a checkpoint. */
  table?: string;
  /** How long the step held the database (ms). */
  ms: number;
}

interface DueRow extends Record<string, unknown> {
  tbl: string;
  analyze_due: number;
  vacuum_due: number;
}

/** The table's storage parameter `name` when set, else the server setting of that name. */
const opt = (name: string) =>
  `coalesce((SELECT option_value FROM pg_options_to_table(c.reloptions) WHERE option_name = '${name}'), current_setting('${name}'))::float8`;

/**
 * Tables past autovacuum's thresholds, from pg_stat_user_tables and each table's reloptions; the
 * `*_due` columns say how far past (> 1: due), so the most overdue table goes first. reltuples is
 * -1 before the first ANALYZE/VACUUM: counted as 0, as autovacuum does.
 */
const DUE_SQL = `
SELECT format('%I.%I', st.schemaname, st.relname) AS tbl,
  st.n_mod_since_analyze / (${opt("autovacuum_analyze_threshold")} + ${opt("autovacuum_analyze_scale_factor")} * greatest(c.reltuples, 0)) AS analyze_due,
  greatest(
    st.n_ins_since_vacuum / (${opt("autovacuum_vacuum_insert_threshold")} + ${opt("autovacuum_vacuum_insert_scale_factor")} * greatest(c.reltuples, 0)),
    st.n_dead_tup / (${opt("autovacuum_vacuum_threshold")} + ${opt("autovacuum_vacuum_scale_factor")} * greatest(c.reltuples, 0))
  ) AS vacuum_due
FROM pg_stat_user_tables st JOIN pg_class c ON c.oid = st.relid
WHERE c.relkind IN ('r', 'm')
  AND coalesce((SELECT option_value FROM pg_options_to_table(c.reloptions) WHERE option_name = 'autovacuum_enabled'), 'true')::boolean`;

/**
 * A checkpoint is due by volume when the WAL written since the last one reaches half of
 * max_wal_size (a single-user server never requests one itself: the WAL would grow without bound),
 * and by time when WAL was written and checkpoint_timeout has passed.
 */
const CHECKPOINT_DUE_SQL = `
SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), c.redo_lsn) >= pg_size_bytes(current_setting('max_wal_size')) / 2 AS by_volume,
       pg_current_wal_lsn() <> c.redo_lsn AND now() - c.checkpoint_time >= current_setting('checkpoint_timeout')::interval AS by_time
FROM pg_control_checkpoint() c`;

/** The next thing to do, or null when nothing is due. A checkpoint due by WAL volume goes first. */
export async function findMaintenanceStep(sql: SqlClient): Promise<Omit<MaintenanceStep, "ms"> | null> {
  const [cp] = await sql.query<{ by_volume: boolean; by_time: boolean }>(CHECKPOINT_DUE_SQL);
  if (cp?.by_volume) return { action: "checkpoint" };
  const rows = await sql.query<DueRow>(DUE_SQL);
  let best: { action: MaintenanceAction; table: string; due: number } | null = null;
  for (const r of rows) {
    // ANALYZE before VACUUM at equal need: the planner's statistics matter more than the visibility map.
    if (r.analyze_due > 1 && (!best || r.analyze_due > best.due)) best = { action: "analyze", table: r.tbl, due: r.analyze_due };
    if (r.vacuum_due > 1 && (!best || r.vacuum_due > best.due)) best = { action: "vacuum", table: r.tbl, due: r.vacuum_due };
  }
  if (best) return { action: best.action, table: best.table };
  return cp?.by_time ? { action: "checkpoint" } : null;
}

/**
 * The statistics target of the upkeep's ANALYZE (PostgreSQL's default is 100). ANALYZE reads
 * 300 × target rows spread over the whole table, and PGlite blocks everything while it runs: with
 * 100, one ANALYZE of audit_events at 300 000 events held the database 9.5 s (over the 5 s request
 * budget of whoever waited behind it). 30 reads 9 000 rows: 30 most-common values and 30 histogram
 * buckets per column, plenty for the few actors, actions and repositories an org has.
 */
export const UPKEEP_STATISTICS_TARGET = 30;

export interface RunMaintenanceStepOptions {
  /** default_statistics_target for ANALYZE (default {@link UPKEEP_STATISTICS_TARGET}). */
  statisticsTarget?: number;
}

/** Runs one step (what {@link findMaintenanceStep} says), or nothing; returns what it did. */
export function runMaintenanceStep(sql: SqlClient, opts: RunMaintenanceStepOptions = {}): Promise<MaintenanceStep | null> {
  // Background work: no per-request statement budget (lib/db/query-budget.ts).
  return withoutQueryBudget(() => runStep(sql, Math.trunc(opts.statisticsTarget ?? UPKEEP_STATISTICS_TARGET)));
}

async function runStep(sql: SqlClient, statisticsTarget: number): Promise<MaintenanceStep | null> {
  const step = await findMaintenanceStep(sql);
  if (!step) return null;
  const t0 = performance.now();
  // VACUUM cannot run in a transaction block: one bare statement. The table name comes from
  // format('%I.%I') over the catalog, so it is quoted. ANALYZE can: its sample size set for it alone.
  if (step.action === "analyze") {
    await sql.transaction(async (tx) => {
      await tx.query(`SET LOCAL default_statistics_target = ${statisticsTarget}`);
      await tx.query(`ANALYZE ${step.table}`);
    });
  } else if (step.action === "vacuum") await sql.exec(`VACUUM ${step.table}`);
  else await sql.exec("CHECKPOINT");
  return { ...step, ms: performance.now() - t0 };
}

export interface TableMaintenance {
  /** Steps run so far (the newest 1 000), for logs and the bench. */
  readonly steps: readonly MaintenanceStep[];
  /** Resolves once no step is due (runs the due steps back to back, without spacing). */
  drain(): Promise<void>;
  stop(): void;
}

export interface StartTableMaintenanceOptions {
  sql: SqlClient;
  /** Pause between checks when nothing was due, and the least pause after a step (default 5 s). */
  intervalMs?: number;
  /** After a step of d ms, wait at least spacing × d before the next (default 9: ≤ 10 % of the time). */
  spacing?: number;
  /** default_statistics_target for ANALYZE (default {@link UPKEEP_STATISTICS_TARGET}). */
  statisticsTarget?: number;
  log?: (line: string) => void;
}

const KEY = Symbol.for("audit-trail.table-maintenance");
type Holder = { [KEY]?: TableMaintenance };

/**
 * Starts the upkeep loop (once per process; the service starts it for PGlite only — PostgreSQL has
 * autovacuum). Steps that fail are logged and retried at the next check.
 */
export function startTableMaintenance(opts: StartTableMaintenanceOptions): TableMaintenance {
  const g = globalThis as Holder;
  if (g[KEY]) return g[KEY];
  const intervalMs = opts.intervalMs ?? 5000;
  const spacing = opts.spacing ?? 9;
  const steps: MaintenanceStep[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();

  const record = (step: MaintenanceStep | null) => {
    if (step) {
      steps.push(step);
      if (steps.length > 1000) steps.shift();
      if (step.ms > 1000) opts.log?.(`[audit-trail] maintenance: ${step.action}${step.table ? ` ${step.table}` : ""} held the database ${Math.round(step.ms)} ms`);
    }
    return step;
  };
  /** One tick's work; returns the database time it took (null: nothing was due). */
  const one = async (): Promise<number | null> => {
    const run = () => runMaintenanceStep(opts.sql, { statisticsTarget: opts.statisticsTarget });
    const step = record(await run());
    if (!step) return null;
    // A checkpoint due by WAL volume goes first; during a fast ingest one is due at almost every
    // tick, so the same tick also runs the next table step (else the tables wait behind checkpoints).
    const next = step.action === "checkpoint" ? record(await run()) : null;
    return step.ms + (next?.ms ?? 0);
  };
  const tick = () => {
    timer = undefined;
    const p = one().then(
      (ms) => (ms === null ? intervalMs : Math.max(intervalMs, spacing * ms)),
      (e: unknown) => {
        opts.log?.(`[audit-trail] maintenance failed: ${e instanceof Error ? e.message : String(e)}`);
        return intervalMs;
      },
    );
    running = p;
    void p.then((wait) => {
      if (stopped) return;
      timer = setTimeout(tick, wait);
      timer.unref?.();
    });
  };
  timer = setTimeout(tick, intervalMs);
  timer.unref?.();

  const handle: TableMaintenance = {
    steps,
    async drain() {
      await running;
      while ((await one()) !== null) {
        /* run every due step */
      }
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (g[KEY] === handle) delete g[KEY];
    },
  };
  g[KEY] = handle;
  return handle;
}
