CREATE OR REPLACE TRIGGER audit_chain_cuts_no_truncate
  BEFORE TRUNCATE ON "audit_chain_cuts"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_cuts_refuse_change();
ALTER TABLE "audit_chain_cuts" ENABLE ALWAYS TRIGGER audit_chain_cuts_no_truncate;
