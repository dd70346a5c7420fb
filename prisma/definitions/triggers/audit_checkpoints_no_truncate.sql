CREATE OR REPLACE TRIGGER audit_checkpoints_no_truncate
  BEFORE TRUNCATE ON "audit_checkpoints"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
ALTER TABLE "audit_checkpoints" ENABLE ALWAYS TRIGGER audit_checkpoints_no_truncate;
