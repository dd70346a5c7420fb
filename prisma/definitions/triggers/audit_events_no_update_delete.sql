CREATE OR REPLACE TRIGGER audit_events_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
ALTER TABLE "audit_events" ENABLE ALWAYS TRIGGER audit_events_no_update_delete;
