-- Issue #9: the verifiable log (docs/integrity.md). Each org's entries are the leaves of an RFC 9162
-- Merkle tree (leaf seq-1, leaf hash SHA-256(0x00 || UTF-8(content)), node SHA-256(0x01 || l || r)).
-- audit_chain_heads keeps the tree size and right frontier; audit_merkle_nodes keeps the perfect
-- subtrees at levels 4, 8, 12, … (plus any node stored on purpose, e.g. before a retention cut);
-- audit_checkpoints keeps the signed checkpoints. All three are append-only for everyone.

CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege', HINT = 'Checkpoints, cosignatures and Merkle nodes can only be inserted.';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_checkpoints_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
ALTER TABLE "audit_checkpoints" ENABLE ALWAYS TRIGGER audit_checkpoints_no_update_delete;
CREATE TRIGGER audit_checkpoints_no_truncate
  BEFORE TRUNCATE ON "audit_checkpoints"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
ALTER TABLE "audit_checkpoints" ENABLE ALWAYS TRIGGER audit_checkpoints_no_truncate;

CREATE TRIGGER audit_checkpoint_cosignatures_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_checkpoint_cosignatures"
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
ALTER TABLE "audit_checkpoint_cosignatures" ENABLE ALWAYS TRIGGER audit_checkpoint_cosignatures_no_update_delete;
CREATE TRIGGER audit_checkpoint_cosignatures_no_truncate
  BEFORE TRUNCATE ON "audit_checkpoint_cosignatures"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
ALTER TABLE "audit_checkpoint_cosignatures" ENABLE ALWAYS TRIGGER audit_checkpoint_cosignatures_no_truncate;

CREATE TRIGGER audit_merkle_nodes_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_merkle_nodes"
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
ALTER TABLE "audit_merkle_nodes" ENABLE ALWAYS TRIGGER audit_merkle_nodes_no_update_delete;
CREATE TRIGGER audit_merkle_nodes_no_truncate
  BEFORE TRUNCATE ON "audit_merkle_nodes"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
ALTER TABLE "audit_merkle_nodes" ENABLE ALWAYS TRIGGER audit_merkle_nodes_no_truncate;

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

-- MTH of the perfect subtree (p_level, p_idx) — leaves [p_idx·2^p_level, (p_idx+1)·2^p_level) — from
-- stored nodes and leaf contents; NULL when a leaf it needs is gone. The caller keeps it inside the tree.
-- For the retention path: before removing entries 1..n, store the compact range of [0, n) with
-- audit_merkle_store_prefix(org, n) so that proofs for the remaining entries stay computable.
CREATE OR REPLACE FUNCTION audit_merkle_subtree_hash(p_org text, p_level integer, p_idx bigint) RETURNS bytea
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public AS $$
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

-- Stores the perfect subtrees that make up [0, p_size) (the compact range, all levels).
CREATE OR REPLACE FUNCTION audit_merkle_store_prefix(p_org text, p_size bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
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

-- One-time build of the tree for a chain that existed before this migration: every entry 1..seq in
-- order. Entries a retention cut had already removed cannot be hashed any more: their leaves are the
-- hash of empty content, and the compact range over them is stored so that proofs for the remaining
-- entries never need them (docs/integrity.md, "Chains older than the tree").
CREATE OR REPLACE FUNCTION audit_merkle_backfill(p_org text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
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

SELECT audit_merkle_backfill(org_id) FROM audit_chain_heads WHERE seq > 0 AND tree_size = 0;
