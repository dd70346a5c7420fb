-- Every scalar (string, number, boolean) inside a JSON value, space-separated.
CREATE OR REPLACE FUNCTION audit_search_scalars(j jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(v #>> '{}', ' '), '')
  FROM jsonb_path_query(coalesce(j, 'null'::jsonb),
    'strict $.** ? (@.type() == "string" || @.type() == "number" || @.type() == "boolean")') AS v
$$;
