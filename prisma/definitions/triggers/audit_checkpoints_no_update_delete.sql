CREATE OR REPLACE TRIGGER audit_checkpoints_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
ALTER TABLE "audit_checkpoints" ENABLE ALWAYS TRIGGER audit_checkpoints_no_update_delete;
