-- MTH of the perfect subtree (p_level, p_idx) — leaves [p_idx·2^p_level, (p_idx+1)·2^p_level) — from
-- stored nodes and leaf contents; NULL when a leaf it needs is gone. The caller keeps it inside the tree.
-- For the retention path: before removing entries 1..n, store the compact range of [0, n) with
-- audit_merkle_store_prefix(org, n) so that proofs for the remaining entries stay computable.
CREATE OR REPLACE FUNCTION audit_merkle_subtree_hash(p_org text, p_level integer, p_idx bigint) RETURNS bytea
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  v bytea;
  l bytea;
  r bytea;
BEGIN
  SELECT hash INTO v FROM audit_merkle_nodes WHERE org_id = p_org AND level = p_level AND idx = p_idx;
  IF FOUND THEN
    RETURN v;
  END IF;
  IF p_level = 0 THEN
    SELECT sha256('\x00'::bytea || convert_to(content, 'UTF8')) INTO v FROM audit_events WHERE org_id = p_org AND seq = p_idx + 1;
    RETURN v;
  END IF;
  l := audit_merkle_subtree_hash(p_org, p_level - 1, 2 * p_idx);
  r := audit_merkle_subtree_hash(p_org, p_level - 1, 2 * p_idx + 1);
  IF l IS NULL OR r IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN sha256('\x01'::bytea || l || r);
END;
$$;
