"use client";

import { parseAsArrayOf, parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";

export const RANGES = ["1h", "24h", "7d", "30d", "all", "custom"] as const;
export type RangePreset = (typeof RANGES)[number];
export const RANGE_MS: Record<Exclude<RangePreset, "all" | "custom">, number> = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 };
export const RANGE_LABEL: Record<RangePreset, string> = { "1h": "1 h", "24h": "24 h", "7d": "7 d", "30d": "30 d", all: "All", custom: "Custom" };

export const COLUMN_IDS = ["timestamp", "actor", "action", "resource", "repository", "ip_address", "request_id"] as const;
export type ColumnId = (typeof COLUMN_IDS)[number];

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
  hide: parseAsArrayOf(parseAsString).withDefault(["ip_address", "request_id"]),
  entry: parseAsString,
};

export function useExplorerState() {
  return useQueryStates(explorerParsers, { history: "push" });
}
export type ExplorerState = ReturnType<typeof useExplorerState>[0];
export type SetExplorerState = ReturnType<typeof useExplorerState>[1];
