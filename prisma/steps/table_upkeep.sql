-- Storage parameters for the insert-only tables (issue #11 item 5). Rows are only ever appended
-- (retention removes a whole prefix rarely), so:
-- - fillfactor 100 (the heap default, stated): no room kept for updates that never come;
-- - autovacuum_vacuum_insert_*: vacuum after 10 000 + 5 % new rows (PostgreSQL's default waits for
--   1 000 + 20 %), so the visibility map covers at least ~95 % of the table and counts and
--   index-only scans skip the heap; for an insert-only table such a vacuum only sets the map and
--   freezes: no index scan, no dead rows;
-- - autovacuum_analyze_*: re-analyze after 10 000 + 5 % changed rows (default 50 + 10 %), so the
--   planner's row counts and histograms follow a table that only grows.
-- PostgreSQL's autovacuum reads them; on PGlite (no autovacuum) lib/db/maintain-tables.ts applies
-- the same rule from the same parameters. Plain reloptions: PostgreSQL 15–18 and PGlite accept them,
-- and Citus copies a table's storage parameters to its shards when it distributes it.
ALTER TABLE "audit_events" SET (fillfactor = 100,
  autovacuum_vacuum_insert_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0.05,
  autovacuum_analyze_threshold = 10000, autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE "audit_merkle_nodes" SET (fillfactor = 100,
  autovacuum_vacuum_insert_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0.05,
  autovacuum_analyze_threshold = 10000, autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE "audit_checkpoints" SET (fillfactor = 100,
  autovacuum_vacuum_insert_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0.05,
  autovacuum_analyze_threshold = 10000, autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE "audit_checkpoint_cosignatures" SET (fillfactor = 100,
  autovacuum_vacuum_insert_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0.05,
  autovacuum_analyze_threshold = 10000, autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE "audit_column_attestations" SET (fillfactor = 100,
  autovacuum_vacuum_insert_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0.05,
  autovacuum_analyze_threshold = 10000, autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE "audit_scan_scores" SET (fillfactor = 100,
  autovacuum_vacuum_insert_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0.05,
  autovacuum_analyze_threshold = 10000, autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE "audit_issue_events" SET (fillfactor = 100,
  autovacuum_vacuum_insert_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0.05,
  autovacuum_analyze_threshold = 10000, autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE "audit_chain_cuts" SET (fillfactor = 100,
  autovacuum_vacuum_insert_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0.05,
  autovacuum_analyze_threshold = 10000, autovacuum_analyze_scale_factor = 0.05);
