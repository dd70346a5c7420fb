-- Stores the perfect subtrees that make up [0, p_size) (the compact range, all levels).
CREATE OR REPLACE FUNCTION audit_merkle_store_prefix(p_org text, p_size bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  v_offset bigint := 0;
  v_level integer;
  v_hash bytea;
BEGIN
  FOR v_level IN REVERSE 62..0 LOOP
    IF (p_size >> v_level) & 1 = 1 THEN
      v_hash := audit_merkle_subtree_hash(p_org, v_level, v_offset >> v_level);
      IF v_hash IS NULL THEN
        RAISE EXCEPTION 'audit_merkle_store_prefix: leaves of [%, %) are missing for org %', v_offset, v_offset + (1::bigint << v_level), p_org;
      END IF;
      INSERT INTO audit_merkle_nodes (org_id, level, idx, hash) VALUES (p_org, v_level, v_offset >> v_level, v_hash)
        ON CONFLICT DO NOTHING;
      v_offset := v_offset + (1::bigint << v_level);
    END IF;
  END LOOP;
END;
$$;
