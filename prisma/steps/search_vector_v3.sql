-- Full-text search: no phrase across spellings or parts (issue #3). Each part of the document is
-- indexed as parsed and again split at punctuation; before this migration the split copy followed
-- the parsed one (and the next part followed the previous one) at adjacent positions, so a phrase
-- could match across the seam ("critical" at the end of one copy, "block" at the start of the
-- next). A separator word before each copy leaves a position gap; it is then deleted from the
-- vector. One to_tsvector call per part instead of two.
CREATE OR REPLACE FUNCTION audit_search_part_vector(t text, w "char") RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(ts_delete(to_tsvector('simple',
    'zzauditsep ' || t || ' zzauditsep ' || regexp_replace(t, '[^[:alnum:]]+', ' ', 'g')), 'zzauditsep'), w)
$$;
