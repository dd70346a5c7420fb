CREATE OR REPLACE TRIGGER audit_chain_heads_guard
  BEFORE UPDATE OR DELETE ON "audit_chain_heads"
  FOR EACH ROW EXECUTE FUNCTION audit_chain_heads_forward_only();
ALTER TABLE "audit_chain_heads" ENABLE ALWAYS TRIGGER audit_chain_heads_guard;
