-- Append-only, like the other integrity tables.
CREATE OR REPLACE FUNCTION audit_column_attestations_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_column_attestations is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
