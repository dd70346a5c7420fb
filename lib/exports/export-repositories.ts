import type { SqlExecutor } from "../db/sql";
import { AppError } from "../errors";
import { readRepositories } from "../audit/read-repositories";

export interface RepositoryOption {
  id: string;
  name: string | null;
}

/**
 * The org's repositories (id and latest name), found with a loose index scan of the repository
 * index (one probe per repository). `q` keeps those whose id or name contains it (case-insensitive):
 * what the export forms' repository pickers autocomplete from.
 */
export async function listRepositories(opts: { sql: SqlExecutor; orgId: string; q?: string; limit?: number }): Promise<RepositoryOption[]> {
  const rows = await readRepositories({ sql: opts.sql, orgId: opts.orgId });
  const q = opts.q?.toLowerCase();
  const hits = q ? rows.filter((r) => r.id.toLowerCase().includes(q) || (r.name ?? "").toLowerCase().includes(q)) : rows;
  return hits.sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id)).slice(0, opts.limit ?? 50);
}

/**
 * Refuses (400 naming `field`) a repository id the org has no entry for, so that an export never
 * quietly comes out empty because a name was typed where the id goes: the message gives the id of a
 * repository with that name, when there is one.
 */
export async function requireRepositories(opts: { sql: SqlExecutor; orgId: string; ids: readonly string[]; field: (i: number) => string }): Promise<void> {
  if (!opts.ids.length) return;
  const found = await opts.sql.query<{ id: string }>(
    `SELECT v.id FROM unnest($2::text[]) AS v(id) WHERE EXISTS (SELECT 1 FROM audit_events e WHERE e.org_id = $1 AND e.repository_id = v.id)`,
    [opts.orgId, [...opts.ids]],
  );
  const known = new Set(found.map((r) => r.id));
  const missing = opts.ids.map((id, i) => ({ id, i })).filter((x) => !known.has(x.id));
  if (!missing.length) return;
  const all = await listRepositories({ sql: opts.sql, orgId: opts.orgId, limit: 10_000 });
  const { id, i } = missing[0]!;
  const byName = all.find((r) => r.name === id) ?? all.find((r) => r.name?.toLowerCase() === id.toLowerCase());
  const field = opts.field(i);
  throw new AppError(
    "invalid_parameter",
    byName
      ? `${field}: "${id}" is a repository name, not an id: use "${byName.id}" (GET /api/v1/exports/repositories lists ids and names)`
      : `${field}: no repository "${id}" in this org (GET /api/v1/exports/repositories lists ids and names)`,
    { field, ...(byName && { details: { repository: byName } }) },
  );
}
