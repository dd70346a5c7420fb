-- Full-text search: one spelling per part, half the size and parse time (issue #3). Each part of
-- the document is now indexed only split at punctuation (alice@example.com → alice example com,
-- policy.update → policy update); the search API splits the query the same way, in SQL with the
-- same expression, so whole emails, ids and dotted actions match as phrases of their parts.
-- Vectors written before this migration also hold the as-parsed spelling; queries still match
-- them through their split copy. A separator word before each part leaves a position gap, so no
-- phrase matches across two parts.
CREATE OR REPLACE FUNCTION audit_search_part_vector(t text, w "char") RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(ts_delete(to_tsvector('simple', 'zzauditsep ' || regexp_replace(t, '[^[:alnum:]]+', ' ', 'g')), 'zzauditsep'), w)
$$;
