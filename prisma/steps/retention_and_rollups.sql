-- Issue #6: (1) the retention job's one narrow path through the append-only guard, (2) the record
-- of where a chain was cut, (3) daily rollups kept by statement-level triggers for statistics.

-- (1) The append-only guard, replaced: UPDATE and TRUNCATE are still always refused; DELETE is
-- allowed only for rows of the org and seq range that audit_retention_purge() has flagged for
-- the current transaction (transaction-local settings, cleared again by the function).
CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF current_setting('audit.purge_org', true) = OLD.org_id
       AND OLD.seq <= coalesce(nullif(current_setting('audit.purge_through_seq', true), '')::bigint, 0) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege', HINT = 'Audit events can only be inserted; retention removes them through audit_retention_purge().';
END;
$$ LANGUAGE plpgsql;

-- (2) Cuts are append-only too.
CREATE OR REPLACE FUNCTION audit_chain_cuts_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_chain_cuts is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_chain_cuts_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_chain_cuts"
  FOR EACH ROW EXECUTE FUNCTION audit_chain_cuts_refuse_change();
ALTER TABLE "audit_chain_cuts" ENABLE ALWAYS TRIGGER audit_chain_cuts_no_update_delete;
CREATE TRIGGER audit_chain_cuts_no_truncate
  BEFORE TRUNCATE ON "audit_chain_cuts"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_cuts_refuse_change();
ALTER TABLE "audit_chain_cuts" ENABLE ALWAYS TRIGGER audit_chain_cuts_no_truncate;

-- The one path that removes audit events: the prefix seq 1..p_through_seq of one org's chain.
-- It refuses unless every removed entry is older than p_cutoff and none is under an active legal
-- hold, locks the chain head (no append can interleave), deletes, and records the cut (the last
-- removed seq and its hash) so that verification accepts the first remaining entry's link.
CREATE OR REPLACE FUNCTION audit_retention_purge(p_org text, p_through_seq bigint, p_cutoff timestamptz)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  v_head bigint;
  v_last_cut bigint;
  v_hash text;
  v_count bigint;
BEGIN
  SELECT seq INTO v_head FROM audit_chain_heads WHERE org_id = p_org FOR UPDATE;
  IF v_head IS NULL OR p_through_seq > v_head THEN
    RAISE EXCEPTION 'retention purge: seq % is beyond the chain head of org %', p_through_seq, p_org USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT coalesce(max(cut_seq), 0) INTO v_last_cut FROM audit_chain_cuts WHERE org_id = p_org;
  IF p_through_seq <= v_last_cut THEN
    RETURN 0;
  END IF;
  IF EXISTS (SELECT 1 FROM audit_events WHERE org_id = p_org AND seq <= p_through_seq AND "timestamp" >= p_cutoff) THEN
    RAISE EXCEPTION 'retention purge: entries up to seq % are not all older than %', p_through_seq, p_cutoff USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF EXISTS (
    SELECT 1 FROM legal_holds h
    WHERE h.org_id = p_org AND h.released_at IS NULL
      AND (h.scope = 'all' OR EXISTS (
        SELECT 1 FROM audit_events e
        WHERE e.org_id = p_org AND e.seq <= p_through_seq
          AND ((h.scope = 'repository' AND e.repository_id = h.target)
            OR (h.scope = 'actor' AND (e.actor_id = h.target OR e.actor_email = h.target)))))
  ) THEN
    RAISE EXCEPTION 'retention purge: entries up to seq % include events under a legal hold', p_through_seq USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT hash INTO v_hash FROM audit_events WHERE org_id = p_org AND seq = p_through_seq;
  IF v_hash IS NULL THEN
    RAISE EXCEPTION 'retention purge: entry % of org % does not exist', p_through_seq, p_org USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM set_config('audit.purge_org', p_org, true);
  PERFORM set_config('audit.purge_through_seq', p_through_seq::text, true);
  DELETE FROM audit_events WHERE org_id = p_org AND seq <= p_through_seq;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  PERFORM set_config('audit.purge_org', '', true);
  PERFORM set_config('audit.purge_through_seq', '', true);
  INSERT INTO audit_chain_cuts (org_id, cut_seq, cut_hash, removed_count, cutoff, created_at)
  VALUES (p_org, p_through_seq, v_hash, v_count, p_cutoff, now());
  RETURN v_count;
END;
$$;

-- (3) Daily rollups for statistics: one row per (org, UTC day, action, repository name, actor type,
-- actor key), kept by statement-level triggers in the same transaction as the insert or delete.
-- actor key = email, else name, else id (what statistics' top_actors reports).
CREATE OR REPLACE FUNCTION audit_rollups_add() RETURNS trigger AS $$
BEGIN
  INSERT INTO audit_daily_rollups (org_id, day, action, repository_name, actor_type, actor_key, event_count)
  SELECT org_id, ("timestamp" AT TIME ZONE 'UTC')::date, action, coalesce(repository_name, ''), actor_type,
         coalesce(actor_email, content::jsonb #>> '{actor,name}', actor_id), count(*)
  FROM new_rows
  GROUP BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (org_id, day, action, repository_name, actor_type, actor_key)
  DO UPDATE SET event_count = audit_daily_rollups.event_count + EXCLUDED.event_count;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_rollups_remove() RETURNS trigger AS $$
BEGIN
  UPDATE audit_daily_rollups r SET event_count = r.event_count - d.n
  FROM (
    SELECT org_id, ("timestamp" AT TIME ZONE 'UTC')::date AS day, action, coalesce(repository_name, '') AS repository_name, actor_type,
           coalesce(actor_email, content::jsonb #>> '{actor,name}', actor_id) AS actor_key, count(*) AS n
    FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6
  ) d
  WHERE r.org_id = d.org_id AND r.day = d.day AND r.action = d.action AND r.repository_name = d.repository_name
    AND r.actor_type = d.actor_type AND r.actor_key = d.actor_key;
  DELETE FROM audit_daily_rollups WHERE event_count <= 0;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_events_rollups_insert
  AFTER INSERT ON "audit_events" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_rollups_add();
ALTER TABLE "audit_events" ENABLE ALWAYS TRIGGER audit_events_rollups_insert;
CREATE TRIGGER audit_events_rollups_delete
  AFTER DELETE ON "audit_events" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_rollups_remove();
ALTER TABLE "audit_events" ENABLE ALWAYS TRIGGER audit_events_rollups_delete;

-- Backfill from what is already stored.
INSERT INTO audit_daily_rollups (org_id, day, action, repository_name, actor_type, actor_key, event_count)
SELECT org_id, ("timestamp" AT TIME ZONE 'UTC')::date, action, coalesce(repository_name, ''), actor_type,
       coalesce(actor_email, content::jsonb #>> '{actor,name}', actor_id), count(*)
FROM audit_events
GROUP BY 1, 2, 3, 4, 5, 6;
