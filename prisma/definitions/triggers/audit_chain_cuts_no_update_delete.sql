CREATE OR REPLACE TRIGGER audit_chain_cuts_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_chain_cuts"
  FOR EACH ROW EXECUTE FUNCTION audit_chain_cuts_refuse_change();
ALTER TABLE "audit_chain_cuts" ENABLE ALWAYS TRIGGER audit_chain_cuts_no_update_delete;
