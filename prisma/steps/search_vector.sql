-- Full-text search over audit events (issue #3). `search_vector` is filled when a row is inserted,
-- by the trigger below, from the row's canonical `content`; rows are never updated afterwards.
-- The 'simple' configuration (no stemming, no stop words) keeps emails, ids and dotted actions
-- searchable; every text is indexed twice: as the parser sees it (alice@example.com,
-- policy.update) and split at punctuation (alice example com, policy update), so that parts match.
-- Weights: A = actor, B = details and changes, C = everything else (action, resource, ids, ip...).
-- `fields=actor` / `fields=details` in the search API restrict matches with ts_filter on A / B.

-- Every scalar (string, number, boolean) inside a JSON value, space-separated.
CREATE OR REPLACE FUNCTION audit_search_scalars(j jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(v #>> '{}', ' '), '')
  FROM jsonb_path_query(coalesce(j, 'null'::jsonb),
    'strict $.** ? (@.type() == "string" || @.type() == "number" || @.type() == "boolean")') AS v
$$;

-- The searchable text of one part of an event ('actor', 'details', 'other' or 'all'), also used
-- by ts_headline. Private-use characters U+E000/U+E001 are removed: they mark hits in headlines.
CREATE OR REPLACE FUNCTION audit_search_text(content text, part text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  c jsonb := content::jsonb;
  actor text;
  details text;
  other text;
BEGIN
  actor := concat_ws(' ', c #>> '{actor,name}', c #>> '{actor,email}', c #>> '{actor,id}');
  details := concat_ws(' ',
    (SELECT string_agg(key || ': ' || audit_search_scalars(value -> 'old') || ' -> ' || audit_search_scalars(value -> 'new'), '; ')
       FROM jsonb_each(c -> 'changes')),
    audit_search_scalars(c -> 'details'));
  other := concat_ws(' ', c ->> 'action', c #>> '{resource,type}', c #>> '{resource,id}', c #>> '{resource,name}',
    c #>> '{repository,name}', c #>> '{repository,id}', c ->> 'id', c ->> 'ip_address', c ->> 'request_id',
    c ->> 'session_id', c ->> 'user_agent');
  RETURN translate(
    CASE part WHEN 'actor' THEN actor WHEN 'details' THEN details WHEN 'other' THEN other
      ELSE concat_ws(' ', other, actor, details) END,
    chr(57344) || chr(57345), '');
END;
$$;

-- One weighted part: the text as parsed, then again split at every non-alphanumeric character.
CREATE OR REPLACE FUNCTION audit_search_part_vector(t text, w "char") RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('simple', t) || to_tsvector('simple', regexp_replace(t, '[^[:alnum:]]+', ' ', 'g')), w)
$$;

CREATE OR REPLACE FUNCTION audit_search_vector(content text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT audit_search_part_vector(audit_search_text(content, 'actor'), 'A')
      || audit_search_part_vector(audit_search_text(content, 'details'), 'B')
      || audit_search_part_vector(audit_search_text(content, 'other'), 'C')
$$;

CREATE OR REPLACE FUNCTION audit_events_set_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector := audit_search_vector(NEW.content);
  RETURN NEW;
END;
$$;

CREATE TRIGGER audit_events_search_vector
  BEFORE INSERT ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION audit_events_set_search_vector();
ALTER TABLE "audit_events" ENABLE ALWAYS TRIGGER audit_events_search_vector;

-- Rows ingested before this migration: computed once here. The append-only trigger is switched
-- off for this one statement inside the migration's transaction (ALTER TABLE holds an exclusive
-- lock until commit, so no other session can update meanwhile), then on again.
ALTER TABLE "audit_events" DISABLE TRIGGER audit_events_no_update_delete;
UPDATE "audit_events" SET search_vector = audit_search_vector(content) WHERE search_vector IS NULL;
ALTER TABLE "audit_events" ENABLE ALWAYS TRIGGER audit_events_no_update_delete;
