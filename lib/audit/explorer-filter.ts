import { z } from "zod";
import { AppError } from "../errors";
import { phrasesTextSearch } from "../search/parse-search-query";
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

/**
 * Filter bar + query box → the shared EventFilter. A query with bad syntax is refused (400, field
 * `q`) with every problem listed, so the page can show them inline.
 */
export function explorerFilter(p: ExplorerParams): EventFilter {
  const q = parseExplorerQuery(p.q ?? "");
  if (q.errors.length) {
    throw new AppError("invalid_parameter", `q: ${q.errors.map((e) => e.message).join("; ")}`, { field: "q", details: { query_errors: q.errors } });
  }
  let from = p.from ? parseTimeBound(p.from, "from", "from") : undefined;
  let to = p.to ? parseTimeBound(p.to, "to", "to") : undefined;
  if (q.from && (!from || new Date(q.from) > from)) from = new Date(q.from);
  if (q.to && (!to || new Date(q.to) < to)) to = new Date(q.to);
  const f: EventFilter = { from, to };
  if (p.actor) f.actor = p.actor;
  if (p.action?.length) f.actions = p.action;
  if (p.resource_type) f.resourceType = p.resource_type;
  if (p.repo) f.repositoryId = p.repo;
  if (q.actions.length || q.actionPrefixes.length) f.actionAnyOf = { exact: q.actions, prefixes: q.actionPrefixes };
  if (q.notActions.length || q.notActionPrefixes.length) f.actionNoneOf = { exact: q.notActions, prefixes: q.notActionPrefixes };
  if (q.actors.length) f.actorAnyOf = q.actors;
  if (q.notActors.length) f.actorNoneOf = q.notActors;
  if (q.actorTypes[0]) f.actorType = q.actorTypes[0];
  if (q.resources.length) f.resourceAnyOf = q.resources;
  if (q.notResources.length) f.resourceNoneOf = q.notResources;
  if (q.resourceIds.length) f.resourceId = q.resourceIds[0];
  if (q.repos.length) f.repositoryAnyOf = q.repos;
  if (q.notRepos.length) f.repositoryNoneOf = q.notRepos;
  if (q.ips[0]) f.ipAddress = q.ips[0];
  if (q.sessions[0]) f.sessionId = q.sessions[0];
  if (q.requests[0]) f.requestId = q.requests[0];
  // Free words, and the exact keys the search index holds, are looked up in the index (never a
  // scan per word); ip/session/request/resource_id keep their exact condition on top.
  const indexed = phrasesTextSearch([...q.text, ...q.ips.slice(0, 1), ...q.sessions.slice(0, 1), ...q.requests.slice(0, 1), ...q.resourceIds.slice(0, 1)]);
  if (indexed) f.textSearch = indexed;
  return f;
}
