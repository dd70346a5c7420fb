import { parseAsArrayOf, parseAsString, parseAsStringLiteral, type inferParserType } from "nuqs/server";
import { EXPLORER_COLUMNS } from "@/lib/audit/event-fields";
import { parseExplorerQuery } from "@/lib/audit/parse-explorer-query";
import type { ExplorerQuery } from "@/lib/client/use-explorer";

/** Shared by the page (server: prefetch of the first rows) and the explorer (client: URL state). */
export const RANGES = ["1h", "24h", "7d", "30d", "all", "custom"] as const;
export type RangePreset = (typeof RANGES)[number];
export const RANGE_MS: Record<Exclude<RangePreset, "all" | "custom">, number> = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 };
export const RANGE_LABEL: Record<RangePreset, string> = { "1h": "1 h", "24h": "24 h", "7d": "7 d", "30d": "30 d", all: "All", custom: "Custom" };

/**
 * The table's columns: the field registry's explorer columns (lib/audit/event-fields.ts), plus the
 * "changes" summary (field: old → new) after the resource.
 */
export const EXPLORER_TABLE_COLUMNS: readonly { id: string; label: string; hidden: boolean }[] = EXPLORER_COLUMNS.flatMap((c) =>
  c.id === "resource" ? [c, { id: "changes", label: "Changes", hidden: false }] : [c],
);
export const COLUMN_IDS: readonly string[] = EXPLORER_TABLE_COLUMNS.map((c) => c.id);
export type ColumnId = string;

/** Everything about the explorer's view lives in the URL: a copied link reproduces it; back/forward work. */
export const explorerParsers = {
  q: parseAsString.withDefault(""),
  range: parseAsStringLiteral(RANGES).withDefault("30d"),
  from: parseAsString,
  to: parseAsString,
  actor: parseAsString,
  action: parseAsArrayOf(parseAsString).withDefault([]),
  type: parseAsString,
  repo: parseAsString,
  sort: parseAsString,
  hide: parseAsArrayOf(parseAsString).withDefault(EXPLORER_TABLE_COLUMNS.filter((c) => c.hidden).map((c) => c.id)),
  entry: parseAsString,
};
export type ExplorerState = inferParserType<typeof explorerParsers>;

/** The API query of a view; relative ranges are anchored at `now`. An invalid `q` is left out (the box explains it). */
export function toExplorerQuery(state: ExplorerState, now: number): ExplorerQuery {
  const valid = parseExplorerQuery(state.q).errors.length === 0;
  const f: ExplorerQuery = {
    q: valid && state.q ? state.q : undefined,
    actor: state.actor ?? undefined,
    action: state.action.length ? state.action : undefined,
    resource_type: state.type ?? undefined,
    repo: state.repo ?? undefined,
  };
  if (state.range === "custom") {
    f.from = state.from ?? undefined;
    f.to = state.to ?? undefined;
  } else if (state.range !== "all") {
    // Rolling: the last N×24 h up to `now` (Home's ranges use the same definition). `to` too, so
    // the histogram spans the whole range, not just up to the last matching event.
    f.from = new Date(now - RANGE_MS[state.range]).toISOString();
    f.to = new Date(now).toISOString();
  }
  return f;
}
