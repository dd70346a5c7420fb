-- audit_events is append-only for the application. UPDATE, DELETE and TRUNCATE are refused by the
-- database itself. ENABLE ALWAYS keeps the triggers active even under session_replication_role =
-- replica. The retention issue adds its one narrow path in a later migration.
CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege', HINT = 'Audit events can only be inserted.';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_events_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
ALTER TABLE "audit_events" ENABLE ALWAYS TRIGGER audit_events_no_update_delete;

CREATE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
ALTER TABLE "audit_events" ENABLE ALWAYS TRIGGER audit_events_no_truncate;

-- The chain head may only move forward, one event at a time per appended event, never back.
CREATE OR REPLACE FUNCTION audit_chain_heads_forward_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'audit_chain_heads rows cannot be deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.seq < OLD.seq THEN
    RAISE EXCEPTION 'audit chain head cannot move backwards (% -> %)', OLD.seq, NEW.seq USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_chain_heads_guard
  BEFORE UPDATE OR DELETE ON "audit_chain_heads"
  FOR EACH ROW EXECUTE FUNCTION audit_chain_heads_forward_only();
ALTER TABLE "audit_chain_heads" ENABLE ALWAYS TRIGGER audit_chain_heads_guard;
