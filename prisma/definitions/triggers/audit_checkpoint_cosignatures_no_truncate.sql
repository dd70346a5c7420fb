CREATE OR REPLACE TRIGGER audit_checkpoint_cosignatures_no_truncate
  BEFORE TRUNCATE ON "audit_checkpoint_cosignatures"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
ALTER TABLE "audit_checkpoint_cosignatures" ENABLE ALWAYS TRIGGER audit_checkpoint_cosignatures_no_truncate;
