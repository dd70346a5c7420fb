"use client";

import { useQueryStates } from "nuqs";
import { explorerParsers } from "./explorer-params";

export { COLUMN_IDS, EXPLORER_TABLE_COLUMNS, RANGES, RANGE_LABEL, RANGE_MS, explorerParsers, type ColumnId, type ExplorerState, type RangePreset } from "./explorer-params";

export function useExplorerState() {
  return useQueryStates(explorerParsers, { history: "push" });
}
export type SetExplorerState = ReturnType<typeof useExplorerState>[1];
