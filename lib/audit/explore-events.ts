import type { SqlExecutor } from "../db/sql";
import { countTotal } from "./count-events";
import type { StoredEvent } from "./event-schema";
import { decodeEventCursor, encodeEventCursor } from "./event-cursor";
import { explainEmpty, type EmptyExplanation } from "./explain-empty";
import { explorerView, type ExplorerParams, type TimeWindow } from "./explorer-filter";
import { listEvents } from "./query-events";

/** The explorer's total is exact up to this many matches; beyond, it says "more than" (`total_exact: false`). */
export const EXPLORER_TOTAL_CAP = 10_000;

export interface ExplorePage {
  data: StoredEvent[];
  next_cursor: string | null;
  total: number | null;
  /** false: more than `total` (EXPLORER_TOTAL_CAP) entries match. */
  total_exact: boolean;
  /** "desc": newest first (default); "asc": oldest first — over the whole result, not the loaded rows. */
  order: "desc" | "asc";
  /** The time window applied: the page's range and the query's created:, the narrower bound winning (and which one did). */
  time_window: TimeWindow;
  /** Only when nothing matches (first page): which clause eliminated everything, and the likely fix. */
  empty?: EmptyExplanation;
}

/**
 * One page of the explorer: entries by (timestamp, seq) in `order` after the keyset cursor, the
 * next cursor, and (unless `withTotal` is false) the total, exact up to EXPLORER_TOTAL_CAP. When the
 * first page is empty, `empty` says why (lib/audit/explain-empty.ts). Used by the explorer's API
 * route and by the /logs page, which renders the first page with the HTML.
 */
export async function exploreEvents(opts: {
  sql: SqlExecutor;
  orgId: string;
  params: ExplorerParams;
  cursor?: string;
  limit: number;
  withTotal?: boolean;
  order?: "desc" | "asc";
}): Promise<ExplorePage> {
  const view = explorerView(opts.params);
  const { filter } = view;
  const order = opts.order ?? "desc";
  const after = opts.cursor ? decodeEventCursor(opts.cursor, { hint: "pass next_cursor back unchanged", order }) : undefined;
  const [rows, total] = await Promise.all([
    listEvents({ sql: opts.sql, orgId: opts.orgId, filter, limit: opts.limit + 1, after, order }),
    opts.withTotal === false ? Promise.resolve(null) : countTotal({ sql: opts.sql, orgId: opts.orgId, filter, policy: "bounded", cap: EXPLORER_TOTAL_CAP }),
  ]);
  const data = rows.slice(0, opts.limit);
  const last = data[data.length - 1];
  const empty = data.length === 0 && !opts.cursor ? await explainEmpty({ sql: opts.sql, orgId: opts.orgId, view, q: opts.params.q }) : undefined;
  return {
    data,
    next_cursor: rows.length > opts.limit && last ? encodeEventCursor(last, order) : null,
    total: total?.count ?? null,
    total_exact: total?.exact ?? true,
    order,
    time_window: view.window,
    ...(empty && { empty }),
  };
}
