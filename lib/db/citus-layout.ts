/**
 * Where each table lives on a Citus cluster (issue #11). Declared once here; the migration runner
 * (lib/db/distribute-tables.ts) applies it, the schema rules test and docs/operations.md refer to it.
 *
 * - Distributed by `org_id`, co-located with `audit_events` (one org's rows of every such table sit on
 *   the same worker, so an append, a proof or a purge is a single-node transaction): every table of
 *   the public schema with an `org_id` column that is not listed below — today every `audit_*`
 *   table, `legal_holds` and `retention_policies`.
 * - Reference tables (a copy on every node; small, read on every request by keys other than the
 *   org, e.g. a token's hash or a session id, and joined with distributed tables).
 * - Coordinator tables: plain PostgreSQL tables on the coordinator only (queues, counters, secrets,
 *   Prisma's migration history), never joined with the audit tables.
 */
export const DISTRIBUTION_COLUMN = "org_id";

/** The table every distributed table is co-located with. */
export const COLOCATION_TABLE = "audit_events";

/** Referenced before distributed tables are created (their foreign keys point here). */
export const REFERENCE_TABLES = ["orgs", "users", "api_tokens", "memberships", "sessions", "invitations"] as const;

/**
 * Work queues claimed across orgs with `FOR UPDATE SKIP LOCKED` (Citus refuses row locks in a query
 * over all shards) stay here too: streams, alert rules and their firings (which reference the rules).
 */
export const COORDINATOR_TABLES = [
  "_prisma_migrations",
  "export_jobs",
  "export_chunks",
  "service_secrets",
  "sign_in_throttles",
  "rate_limit_windows",
  "audit_streams",
  "audit_alert_rules",
  "audit_alert_firings",
] as const;

/**
 * Functions that work on one org's co-located rows and must run on the worker holding them
 * (`create_distributed_function(…, force_delegation := true)`): the retention purge authorises its
 * DELETE by the current transaction id, which must be the worker's.
 */
export const DISTRIBUTED_FUNCTIONS = [
  { signature: "public.audit_retention_plan(text)", argument: "p_org" },
  { signature: "public.audit_retention_purge(text, text)", argument: "p_org" },
] as const;
