import type { SqlExecutor } from "../db/sql";
import { buildWhere, type EventFilter } from "./query-events";

export interface Facet {
  value: string;
  label?: string;
  count: number;
}

export interface EventFacets {
  actions: Facet[];
  actors: Facet[];
  resource_types: Facet[];
  repositories: Facet[];
}

/**
 * Value counts for the explorer's filter bar and autocomplete (top `limit` of each). Action counts
 * ignore the action filters themselves, so a multi-select keeps showing what else there is.
 */
export async function facetEvents(opts: { sql: SqlExecutor; orgId: string; filter: EventFilter; limit?: number }): Promise<EventFacets> {
  const limit = opts.limit ?? 50;
  const group = async (filter: EventFilter, valueSql: string, labelSql: string) => {
    const { where, params } = buildWhere(opts.orgId, filter);
    params.push(limit);
    const rows = await opts.sql.query<{ value: string | null; label: string | null; n: number }>(
      `SELECT ${valueSql} AS value, max(${labelSql}) AS label, count(*)::int8 AS n FROM audit_events e WHERE ${where}
       GROUP BY 1 HAVING ${valueSql} IS NOT NULL ORDER BY n DESC, value LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({ value: r.value!, ...(r.label && r.label !== r.value && { label: r.label }), count: Number(r.n) }));
  };
  const { actions: _a, actionAnyOf: _b, actionNoneOf: _c, actionPrefix: _d, ...withoutActions } = opts.filter;
  const [actions, actors, resource_types, repositories] = [
    await group(withoutActions, "e.action", "e.action"),
    await group(opts.filter, "coalesce(e.actor_email, e.actor_id)", "e.content::jsonb #>> '{actor,name}'"),
    await group(opts.filter, "e.resource_type", "e.resource_type"),
    await group(opts.filter, "e.repository_id", "e.repository_name"),
  ];
  return { actions, actors, resource_types, repositories };
}
