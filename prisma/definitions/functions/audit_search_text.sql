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
