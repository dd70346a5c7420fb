CREATE OR REPLACE TRIGGER audit_checkpoint_cosignatures_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_checkpoint_cosignatures"
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
ALTER TABLE "audit_checkpoint_cosignatures" ENABLE ALWAYS TRIGGER audit_checkpoint_cosignatures_no_update_delete;
