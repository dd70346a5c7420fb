import { COLOCATION_TABLE, COORDINATOR_TABLES, DISTRIBUTED_FUNCTIONS, DISTRIBUTION_COLUMN, REFERENCE_TABLES } from "./citus-layout";
import type { SqlClient, SqlExecutor } from "./sql";

export interface CitusLayout {
  /** Tables distributed by org_id (co-located with audit_events), in the order they were distributed. */
  distributed: string[];
  reference: string[];
  /** Plain tables left on the coordinator. */
  coordinator: string[];
  /** Functions delegated to the worker holding their org's shard. */
  functions: string[];
  /** Tables with no org_id column that citus-layout.ts does not list: left on the coordinator. */
  unclassified: string[];
  /** What this call changed (empty when everything was already in place). */
  changed: string[];
}

export interface DistributeTablesOptions {
  sql: SqlClient;
  /** Serialise with other instances (the migration runner's advisory lock key). */
  lockKey?: number;
  log?: (line: string) => void;
}

/** Whether the database has the `citus` extension (i.e. we are connected to a Citus coordinator). */
export async function hasCitus(sql: SqlExecutor): Promise<boolean> {
  const rows = await sql.query<{ present: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') AS present`);
  return rows[0]?.present === true;
}

/**
 * On a Citus coordinator, lays the tables out as lib/db/citus-layout.ts declares: reference tables
 * first (the org-scoped tables' foreign keys point at them), then every org-scoped table distributed
 * by org_id and co-located with audit_events, then the per-org functions delegated to the workers.
 * Idempotent: what is already in place is left alone, so it runs at every start-up, after the
 * migrations (a migration that adds an org-scoped table gets it distributed at the next start).
 * Returns null (and does nothing) when the database has no `citus` extension.
 */
export async function distributeTables(opts: DistributeTablesOptions): Promise<CitusLayout | null> {
  if (!(await hasCitus(opts.sql))) return null;
  const layout = await opts.sql.transaction(async (tx) => {
    if (opts.lockKey !== undefined) await tx.query("SELECT pg_advisory_xact_lock($1)", [opts.lockKey]);
    // The audit tables carry row triggers (append-only guards, search vector): Citus refuses to
    // distribute a table with triggers unless this is on (they then run on the shards).
    await tx.query("SET LOCAL citus.enable_unsafe_triggers = on");
    // Several DDL commands on distributed tables in one transaction: one connection per worker.
    await tx.query("SET LOCAL citus.multi_shard_modify_mode = 'sequential'");
    return layOut(tx);
  });
  const log = opts.log ?? (() => undefined);
  const summary = `${layout.distributed.length} tables distributed by ${DISTRIBUTION_COLUMN} (co-located with ${COLOCATION_TABLE}), ${layout.reference.length} reference tables, ${layout.functions.length} distributed functions, ${layout.coordinator.length} tables on the coordinator only`;
  if (layout.changed.length > 0) log(`[audit-trail] citus: ${layout.changed.join("; ")} — now ${summary}`);
  else log(`[audit-trail] citus: layout in place: ${summary}`);
  if (layout.unclassified.length > 0) {
    log(`[audit-trail] citus: WARNING tables without ${DISTRIBUTION_COLUMN} not listed in lib/db/citus-layout.ts stay on the coordinator: ${layout.unclassified.join(", ")}`);
  }
  return layout;
}

type TableRow = { name: string; has_org: boolean; partmethod: string | null; repmodel: string | null };

async function layOut(tx: SqlExecutor): Promise<CitusLayout> {
  const tables = await tx.query<TableRow>(
    `SELECT c.relname AS name,
            EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = $1 AND NOT a.attisdropped) AS has_org,
            p.partmethod::text AS partmethod, p.repmodel::text AS repmodel
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_dist_partition p ON p.logicalrelid = c.oid
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      ORDER BY c.relname`,
    [DISTRIBUTION_COLUMN],
  );
  const byName = new Map(tables.map((t) => [t.name, t]));
  const reference = new Set<string>(REFERENCE_TABLES);
  const coordinator = new Set<string>(COORDINATOR_TABLES);
  const changed: string[] = [];

  const madeReference: string[] = [];
  for (const name of REFERENCE_TABLES) {
    const t = byName.get(name);
    if (!t) continue;
    if (t.partmethod === "n" && t.repmodel === "t") continue;
    if (t.partmethod === "h") throw new Error(`citus: table ${name} is distributed, but lib/db/citus-layout.ts declares it a reference table`);
    await tx.query("SELECT create_reference_table($1::regclass)", [`public.${name}`]);
    madeReference.push(name);
  }
  if (madeReference.length > 0) changed.push(`reference tables created: ${madeReference.join(", ")}`);

  const toDistribute = tables.filter((t) => t.has_org && !reference.has(t.name) && !coordinator.has(t.name)).map((t) => t.name);
  const fks = await foreignKeys(tx);
  const ordered = foreignKeyOrder(fks, toDistribute);
  const pendingNames = new Set(ordered.filter((n) => byName.get(n)!.partmethod !== "h"));
  for (const name of pendingNames) {
    const t = byName.get(name)!;
    if (t.partmethod === "n" && t.repmodel === "t") throw new Error(`citus: table ${name} is a reference table, but lib/db/citus-layout.ts distributes it by ${DISTRIBUTION_COLUMN}`);
  }
  // A foreign key between two tables still to be distributed (e.g. cosignatures → checkpoints) is
  // dropped for the moment and re-created, same name and definition, once both are distributed:
  // Citus refuses a key from a local table to a distributed one and the other way round.
  const suspended = fks.filter((fk) => pendingNames.has(fk.source) && pendingNames.has(fk.target) && fk.source !== fk.target);
  for (const fk of suspended) await tx.query(`ALTER TABLE public.${quoteIdent(fk.source)} DROP CONSTRAINT ${quoteIdent(fk.name)}`);
  const madeDistributed: string[] = [];
  for (const name of ordered) {
    if (!pendingNames.has(name)) continue;
    const colocateWith = name === COLOCATION_TABLE ? "none" : `public.${COLOCATION_TABLE}`;
    await tx.query("SELECT create_distributed_table($1::regclass, $2, colocate_with := $3)", [`public.${name}`, DISTRIBUTION_COLUMN, colocateWith]);
    madeDistributed.push(name);
  }
  for (const fk of suspended) await tx.query(`ALTER TABLE public.${quoteIdent(fk.source)} ADD CONSTRAINT ${quoteIdent(fk.name)} ${fk.definition}`);
  if (madeDistributed.length > 0) changed.push(`distributed by ${DISTRIBUTION_COLUMN}: ${madeDistributed.join(", ")}`);

  // Coordinator tables join reference tables (e.g. a stream's org slug): Citus must know they live on
  // the coordinator (a Citus local table), or it routes such a query to a worker, where they do not exist.
  const madeLocal: string[] = [];
  for (const name of COORDINATOR_TABLES) {
    const t = byName.get(name);
    if (!t || t.partmethod !== null || name === "_prisma_migrations") continue;
    const [known] = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_dist_partition WHERE logicalrelid = $1::regclass", [`public.${name}`]);
    if (known && known.n > 0) continue; // added with a table it references (cascade)
    await tx.query("SELECT citus_add_local_table_to_metadata($1::regclass, cascade_via_foreign_keys := true)", [`public.${name}`]);
    madeLocal.push(name);
  }
  if (madeLocal.length > 0) changed.push(`kept on the coordinator as Citus local tables: ${madeLocal.join(", ")}`);

  const functions: string[] = [];
  const madeFunctions: string[] = [];
  for (const f of DISTRIBUTED_FUNCTIONS) {
    const [row] = await tx.query<{ exists: boolean; distributed: boolean }>(
      `SELECT to_regprocedure($1) IS NOT NULL AS exists,
              EXISTS (SELECT 1 FROM pg_dist_object o
                       WHERE o.classid = 'pg_proc'::regclass AND o.objid = to_regprocedure($1)
                         AND o.distribution_argument_index IS NOT NULL AND o.force_delegation) AS distributed`,
      [f.signature],
    );
    if (!row?.exists) continue;
    functions.push(f.signature);
    if (row.distributed) continue;
    await tx.query("SELECT create_distributed_function($1::regprocedure, $2, colocate_with := $3, force_delegation := true)", [f.signature, f.argument, COLOCATION_TABLE]);
    madeFunctions.push(f.signature);
  }
  if (madeFunctions.length > 0) changed.push(`functions delegated to the workers: ${madeFunctions.join(", ")}`);

  return {
    distributed: ordered,
    reference: REFERENCE_TABLES.filter((n) => byName.has(n)),
    coordinator: tables.filter((t) => coordinator.has(t.name)).map((t) => t.name),
    functions,
    unclassified: tables.filter((t) => !t.has_org && !reference.has(t.name) && !coordinator.has(t.name)).map((t) => t.name),
    changed,
  };
}

type ForeignKey = { name: string; source: string; target: string; definition: string };

async function foreignKeys(tx: SqlExecutor): Promise<ForeignKey[]> {
  return tx.query<ForeignKey>(
    `SELECT k.conname AS name, s.relname AS source, t.relname AS target, pg_get_constraintdef(k.oid) AS definition
       FROM pg_constraint k
       JOIN pg_class s ON s.oid = k.conrelid JOIN pg_namespace sn ON sn.oid = s.relnamespace
       JOIN pg_class t ON t.oid = k.confrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace
      WHERE k.contype = 'f' AND sn.nspname = 'public' AND tn.nspname = 'public'
      ORDER BY k.conname`,
  );
}

/** `names` with the co-location table first, then each table after those (within `names`) its foreign keys point to. */
function foreignKeyOrder(fks: ForeignKey[], names: string[]): string[] {
  const pending = new Set(names);
  const out: string[] = [];
  if (pending.delete(COLOCATION_TABLE)) out.push(COLOCATION_TABLE);
  while (pending.size > 0) {
    const ready = [...pending].filter((n) => !fks.some((fk) => fk.source === n && fk.target !== n && pending.has(fk.target)));
    if (ready.length === 0) throw new Error(`citus: foreign keys form a cycle among ${[...pending].join(", ")}`);
    for (const n of ready.sort()) {
      pending.delete(n);
      out.push(n);
    }
  }
  return out;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
