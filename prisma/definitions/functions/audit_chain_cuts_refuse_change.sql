-- (2) Cuts are append-only too.
CREATE OR REPLACE FUNCTION audit_chain_cuts_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_chain_cuts is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
