CREATE OR REPLACE TRIGGER audit_column_attestations_no_truncate
  BEFORE TRUNCATE ON "audit_column_attestations"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_column_attestations_refuse_change();
ALTER TABLE "audit_column_attestations" ENABLE ALWAYS TRIGGER audit_column_attestations_no_truncate;
