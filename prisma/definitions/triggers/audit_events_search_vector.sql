CREATE OR REPLACE TRIGGER audit_events_search_vector
  BEFORE INSERT ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION audit_events_set_search_vector();
ALTER TABLE "audit_events" ENABLE ALWAYS TRIGGER audit_events_search_vector;
