-- Issue 12: `has:changes` and `changed:<field>` in the query language without parsing every entry's
-- content. About a third of a busy org's entries carry `changes`; finding the newest of them by
-- walking the (org, timestamp) index parsed the content (text → jsonb) of every entry on the way, and
-- a search-index bitmap for the field's word read and sorted every match. This partial index holds
-- the entries that have changes, in the explorer's order: `has:changes` is its predicate (no per-row
-- test at all), `changed:<field>` walks it and tests only those entries. The predicate is the
-- registry's (lib/audit/event-fields.ts changes.presenceIndex), written the same way so the planner
-- proves the query's condition implies it. Ingest: one btree entry for entries with changes only.
CREATE INDEX IF NOT EXISTS "audit_events_with_changes_idx" ON "audit_events" ("org_id", "timestamp" DESC, "seq" DESC) WHERE (content::jsonb ? 'changes');

-- `resource_name:` (case-insensitive exact name, or `*` wildcards): the lower-cased name as an
-- expression index (the registry's resource.name.indexedExpression, written the same way). Exact names
-- are served by it directly (`= ANY`); for wildcards its statistics tell the planner how many entries a
-- pattern keeps (without them a third of the org matching `Polic*` was guessed as a handful, and the
-- newest 10 000 were found by a Seq Scan + sort).
CREATE INDEX IF NOT EXISTS "audit_events_resource_name_idx" ON "audit_events" ("org_id", (lower((content::jsonb #>> '{resource,name}'))) text_pattern_ops);
