import type { SqlExecutor } from "../db/sql";
import type { StoredEvent } from "./event-schema";
import { decodeEventCursor, encodeEventCursor } from "./event-cursor";
import { explorerFilter, type ExplorerParams } from "./explorer-filter";
import { countTotal } from "./count-events";
import { listEvents } from "./query-events";

/** The explorer's total is exact up to this many matches; beyond, it says "more than" (`total_exact: false`). */
export const EXPLORER_TOTAL_CAP = 10_000;

export interface ExplorePage {
  data: StoredEvent[];
  next_cursor: string | null;
  total: number | null;
  /** false: more than `total` (EXPLORER_TOTAL_CAP) entries match. */
  total_exact: boolean;
}

/**
 * One page of the explorer: entries newest first by (timestamp, seq) after the keyset cursor, the
 * next cursor, and (unless `withTotal` is false) the total, exact up to EXPLORER_TOTAL_CAP. Used by the explorer's API route
 * and by the /logs page, which renders the first page with the HTML.
 */
export async function exploreEvents(opts: { sql: SqlExecutor; orgId: string; params: ExplorerParams; cursor?: string; limit: number; withTotal?: boolean }): Promise<ExplorePage> {
  const filter = explorerFilter(opts.params);
  const after = opts.cursor ? decodeEventCursor(opts.cursor, { hint: "pass next_cursor back unchanged" }) : undefined;
  const [rows, total] = await Promise.all([
    listEvents({ sql: opts.sql, orgId: opts.orgId, filter, limit: opts.limit + 1, after }),
    opts.withTotal === false ? Promise.resolve(null) : countTotal({ sql: opts.sql, orgId: opts.orgId, filter, policy: "bounded", cap: EXPLORER_TOTAL_CAP }),
  ]);
  const data = rows.slice(0, opts.limit);
  const last = data[data.length - 1];
  return { data, next_cursor: rows.length > opts.limit && last ? encodeEventCursor(last) : null, total: total?.count ?? null, total_exact: total?.exact ?? true };
}
