CREATE OR REPLACE TRIGGER audit_merkle_nodes_no_truncate
  BEFORE TRUNCATE ON "audit_merkle_nodes"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
ALTER TABLE "audit_merkle_nodes" ENABLE ALWAYS TRIGGER audit_merkle_nodes_no_truncate;
