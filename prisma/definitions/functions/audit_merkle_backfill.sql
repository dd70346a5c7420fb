-- One-time build of the tree for a chain that existed before this migration: every entry 1..seq in
-- order. Entries a retention cut had already removed cannot be hashed any more: their leaves are the
-- hash of empty content, and the compact range over them is stored so that proofs for the remaining
-- entries never need them (docs/integrity.md, "Chains older than the tree").
CREATE OR REPLACE FUNCTION audit_merkle_backfill(p_org text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  v_head bigint;
  v_first bigint;
  v_size bigint := 0;
  v_frontier bytea[] := '{}';
  v_n integer;
  v_h bytea;
  v_level integer;
  v_offset bigint;
  v_packed bytea := ''::bytea;
  r record;
BEGIN
  SELECT seq INTO v_head FROM audit_chain_heads WHERE org_id = p_org AND tree_size = 0 FOR UPDATE;
  IF NOT FOUND OR v_head = 0 THEN
    RETURN;
  END IF;
  SELECT coalesce(min(seq), v_head + 1) INTO v_first FROM audit_events WHERE org_id = p_org;
  FOR r IN
    SELECT s.seq, e.content FROM generate_series(1, v_head) AS s(seq)
      LEFT JOIN audit_events e ON e.org_id = p_org AND e.seq = s.seq
      ORDER BY s.seq
  LOOP
    IF v_size = v_first - 1 AND v_size > 0 THEN
      -- the removed prefix [0, v_size): keep its compact range (the frontier right now)
      v_offset := 0;
      v_n := 1;
      FOR v_level IN REVERSE 62..0 LOOP
        IF (v_size >> v_level) & 1 = 1 THEN
          INSERT INTO audit_merkle_nodes (org_id, level, idx, hash) VALUES (p_org, v_level, v_offset >> v_level, v_frontier[v_n])
            ON CONFLICT DO NOTHING;
          v_offset := v_offset + (1::bigint << v_level);
          v_n := v_n + 1;
        END IF;
      END LOOP;
    END IF;
    v_h := sha256('\x00'::bytea || convert_to(coalesce(r.content, ''), 'UTF8'));
    v_level := 0;
    WHILE (v_size >> v_level) & 1 = 1 LOOP
      v_n := array_length(v_frontier, 1);
      v_h := sha256('\x01'::bytea || v_frontier[v_n] || v_h);
      v_frontier := v_frontier[1:v_n - 1];
      v_level := v_level + 1;
      IF v_level % 4 = 0 THEN
        INSERT INTO audit_merkle_nodes (org_id, level, idx, hash) VALUES (p_org, v_level, v_size >> v_level, v_h);
      END IF;
    END LOOP;
    v_frontier := v_frontier || v_h;
    v_size := v_size + 1;
  END LOOP;
  FOR v_n IN 1..coalesce(array_length(v_frontier, 1), 0) LOOP
    v_packed := v_packed || v_frontier[v_n];
  END LOOP;
  UPDATE audit_chain_heads SET tree_size = v_size, frontier = v_packed WHERE org_id = p_org;
END;
$$;
