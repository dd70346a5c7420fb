CREATE OR REPLACE TRIGGER audit_merkle_nodes_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_merkle_nodes"
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
ALTER TABLE "audit_merkle_nodes" ENABLE ALWAYS TRIGGER audit_merkle_nodes_no_update_delete;
