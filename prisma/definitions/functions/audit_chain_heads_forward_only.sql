-- The chain head may only move forward, and so may its tree.
CREATE OR REPLACE FUNCTION audit_chain_heads_forward_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'audit_chain_heads rows cannot be deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.seq < OLD.seq THEN
    RAISE EXCEPTION 'audit chain head cannot move backwards (% -> %)', OLD.seq, NEW.seq USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.tree_size < OLD.tree_size THEN
    RAISE EXCEPTION 'audit Merkle tree cannot shrink (% -> %)', OLD.tree_size, NEW.tree_size USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
