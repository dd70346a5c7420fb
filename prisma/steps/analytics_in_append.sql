-- Issue 11: no statement triggers with transition tables (Citus cannot run them: every insert failed
-- with `executor could not find named tuplestore "new_rows"`). The analytics side tables (rollups,
-- scan scores, issue events and their deltas) are now kept by audit_analytics_add(org, from, to),
-- called by every writer after its INSERT in the same transaction, and audit_analytics_remove(org,
-- through), called by the retention purge before its DELETE (prisma/definitions/functions/). What is
-- stored stays as it is: the triggers kept the side tables exact up to this migration.
DROP TRIGGER IF EXISTS audit_events_rollups_insert ON "audit_events";
DROP TRIGGER IF EXISTS audit_events_rollups_delete ON "audit_events";
DROP FUNCTION IF EXISTS audit_rollups_add();
DROP FUNCTION IF EXISTS audit_rollups_remove();
DROP FUNCTION IF EXISTS audit_issue_deltas_recompute(text[], text[]);
