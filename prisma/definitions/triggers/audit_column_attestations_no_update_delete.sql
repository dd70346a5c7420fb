CREATE OR REPLACE TRIGGER audit_column_attestations_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_column_attestations"
  FOR EACH ROW EXECUTE FUNCTION audit_column_attestations_refuse_change();
ALTER TABLE "audit_column_attestations" ENABLE ALWAYS TRIGGER audit_column_attestations_no_update_delete;
