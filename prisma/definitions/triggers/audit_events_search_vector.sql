-- The full-text vector of a row inserted without one (COPY, bulk loads); ingest supplies it, computed
-- before the org's lock (lib/audit/append-events.ts computeSearchVectors). The WHEN clause keeps the
-- trigger function from being called at all for rows that carry their vector (issue 11).
CREATE OR REPLACE TRIGGER audit_events_search_vector
  BEFORE INSERT ON "audit_events"
  FOR EACH ROW WHEN (NEW.search_vector IS NULL) EXECUTE FUNCTION audit_events_set_search_vector();
ALTER TABLE "audit_events" ENABLE ALWAYS TRIGGER audit_events_search_vector;
