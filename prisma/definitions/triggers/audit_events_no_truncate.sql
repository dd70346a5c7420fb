CREATE OR REPLACE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
ALTER TABLE "audit_events" ENABLE ALWAYS TRIGGER audit_events_no_truncate;
