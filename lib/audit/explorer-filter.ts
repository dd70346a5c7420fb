import { z } from "zod";
import { AppError } from "../errors";
import { F, type FilterNode } from "./filter-tree";
import { parseExplorerQuery } from "./parse-explorer-query";
import type { EventFilter } from "./query-events";
import { parseTimeBound } from "./time-bounds";

const list = z
  .string()
  .max(4000)
  .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));

/** The explorer's URL parameters (the page's filter bar and query box, as its API receives them). */
export const ExplorerParamsSchema = z.object({
  q: z.string().max(2000, "at most 2000 characters").optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  actor: z.string().min(1).max(320).optional(),
  action: list.optional(),
  resource_type: z.string().min(1).max(256).optional(),
  /** Repository id (the filter bar's select); the query box's repo: also matches names. */
  repo: z.string().min(1).max(256).optional(),
});
export type ExplorerParams = z.infer<typeof ExplorerParamsSchema>;

/** Which bound of the time window came from where: the page's range (`from`/`to`) or the query's `created:`. */
export interface TimeWindow {
  from: string | null;
  to: string | null;
  /** "query": created: is narrower than the range on this side; "range": the range is (or there is no created:). */
  from_source: "range" | "query" | null;
  to_source: "range" | "query" | null;
}

export interface ExplorerView {
  filter: EventFilter;
  window: TimeWindow;
  /** The clauses an empty result is explained by (each with its text): filter bar, query conjuncts. */
  clauses: { text: string; node: FilterNode }[];
  /** The bounds of each source, so that diagnostics can drop one. */
  range: { from?: Date; to?: Date };
  created: { from?: Date; to?: Date };
}

/**
 * Filter bar + query box → the shared EventFilter, parsed once per request. A query with bad syntax
 * is refused (400, field `q`) with every problem listed, so the page can show them inline. The time
 * window is the intersection of the page's range and the query's `created:` (the narrower wins, and
 * `window` says which).
 */
export function explorerView(p: ExplorerParams): ExplorerView {
  const q = parseExplorerQuery(p.q ?? "");
  if (q.errors.length) {
    throw new AppError("invalid_parameter", `q: ${q.errors.map((e) => e.message).join("; ")}`, { field: "q", details: { query_errors: q.errors } });
  }
  const range = { from: p.from ? parseTimeBound(p.from, "from", "from") : undefined, to: p.to ? parseTimeBound(p.to, "to", "to") : undefined };
  const created = { from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined };
  const fromQuery = !!created.from && (!range.from || created.from > range.from);
  const toQuery = !!created.to && (!range.to || created.to < range.to);
  const from = fromQuery ? created.from : range.from;
  const to = toQuery ? created.to : range.to;
  const clauses: ExplorerView["clauses"] = [];
  const bar = (text: string, node: FilterNode | undefined) => node && clauses.push({ text, node: { ...node, label: text } });
  bar(`actor=${p.actor}`, p.actor === undefined ? undefined : F.actor(p.actor));
  bar(`action=${p.action?.join(",")}`, p.action?.length ? F.in("action", ...p.action) : undefined);
  bar(`resource_type=${p.resource_type}`, F.eq("resource.type", p.resource_type));
  bar(`repo=${p.repo}`, F.eq("repository.id", p.repo));
  for (const c of q.where ? (q.where.op === "and" && !q.where.label ? q.where.nodes : [q.where]) : []) clauses.push({ text: c.label ?? "", node: c });
  const where = clauses.length === 0 ? undefined : clauses.length === 1 ? clauses[0]!.node : { op: "and" as const, nodes: clauses.map((c) => c.node) };
  return {
    filter: { where, from, to },
    window: {
      from: from?.toISOString() ?? null,
      to: to?.toISOString() ?? null,
      from_source: from ? (fromQuery ? "query" : "range") : null,
      to_source: to ? (toQuery ? "query" : "range") : null,
    },
    clauses,
    range,
    created,
  };
}

export function explorerFilter(p: ExplorerParams): EventFilter {
  return explorerView(p).filter;
}
