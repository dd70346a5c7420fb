import type { SqlExecutor } from "../db/sql";
import { countTotal } from "./count-events";
import type { ExplorerView } from "./explorer-filter";
import { F, type FilterNode } from "./filter-tree";
import type { EventFilter } from "./query-events";

/** Counts with one clause removed go this far (enough to say "3 entries" or "more than 1 000"). */
const CAP = 1000;

export interface EmptyExplanation {
  /** Each clause (filter bar, query conjunct, time window) and how many entries match without it. */
  clauses: { clause: string; kind: "filter" | "query" | "time"; matches_without: number; exact: boolean }[];
  /** The clause that alone eliminated everything (the others match something without it), if one did. */
  culprit: string | null;
  /** Likely fixes: a message, and the query to try (with how many entries it matches). */
  suggestions: { message: string; q?: string; matches?: number }[];
}

const asWhere = (nodes: FilterNode[]): FilterNode | undefined => (nodes.length === 0 ? undefined : nodes.length === 1 ? nodes[0] : { op: "and", nodes });

/**
 * "No silent empties" (issue 12): for an empty result, how many entries match with each clause
 * removed, which clause is the culprit, and the likely fix — `resource_name:` for a name typed into
 * `resource:` (which means the type), `action:*.x` for a last segment typed as a full action, the
 * whole range when `created:` lies outside the page's range.
 */
export async function explainEmpty(opts: { sql: SqlExecutor; orgId: string; view: ExplorerView; q?: string }): Promise<EmptyExplanation> {
  const { sql, orgId, view } = opts;
  const count = async (filter: EventFilter) => {
    const t = await countTotal({ sql, orgId, filter, policy: "bounded", cap: CAP });
    return { matches_without: t.count, exact: t.exact };
  };
  const clauses: EmptyExplanation["clauses"] = [];
  const nodes = view.clauses.map((c) => c.node);
  for (let i = 0; i < view.clauses.length; i++) {
    const c = view.clauses[i]!;
    const rest = asWhere(nodes.filter((_, j) => j !== i));
    clauses.push({ clause: c.text, kind: c.text.includes("=") && !c.text.includes(":") ? "filter" : "query", ...(await count({ where: rest, from: view.filter.from, to: view.filter.to })) });
  }
  const where = asWhere(nodes);
  const hasRange = !!(view.range.from || view.range.to);
  const hasCreated = !!(view.created.from || view.created.to);
  if (hasRange) clauses.push({ clause: "time range", kind: "time", ...(await count({ where, from: hasCreated ? view.created.from : undefined, to: hasCreated ? view.created.to : undefined })) });
  if (hasCreated) clauses.push({ clause: "created:", kind: "time", ...(await count({ where, from: view.range.from, to: view.range.to })) });
  const culprits = clauses.filter((c) => c.matches_without > 0);
  const culprit = culprits.length === 1 ? culprits[0]!.clause : null;

  const suggestions: EmptyExplanation["suggestions"] = [];
  const replace = (text: string, by: string) => (opts.q && opts.q.includes(text) ? opts.q.replace(text, by) : undefined);
  for (const c of view.clauses) {
    const n = c.node;
    // A name typed into resource: (which means the resource TYPE).
    if (n.op === "in" && n.field === "resource.type" && n.values.length === 1) {
      const name = n.values[0]!;
      const m = await count({ where: asWhere([...nodes.filter((x) => x !== n), F.in("resource.name", name)]), from: view.filter.from, to: view.filter.to });
      if (m.matches_without > 0) {
        const q = `resource_name:"${name}"`;
        suggestions.push({ message: `resource: means the resource TYPE (policy, repository…); "${name}" is a resource NAME: use ${q}`, q: replace(c.text, q), matches: m.matches_without });
      }
    }
    // A last segment typed as a whole action (action:failed → action:*.failed).
    if (n.op === "in" && n.field === "action" && n.values.length === 1 && !n.values[0]!.includes(".")) {
      const seg = n.values[0]!;
      const m = await count({ where: asWhere([...nodes.filter((x) => x !== n), F.like("action", `*.${seg}`)]), from: view.filter.from, to: view.filter.to });
      if (m.matches_without > 0) suggestions.push({ message: `no action is named "${seg}"; actions ending in .${seg}: action:*.${seg}`, q: replace(c.text, `action:*.${seg}`), matches: m.matches_without });
    }
    // Lower-case "or" is a word; OR in capitals is the operator.
    if (n.op === "text" && /^"(or|and|not)"$/.test(n.query)) {
      suggestions.push({ message: `"${n.query.slice(1, -1)}" is searched as a word: write ${n.query.slice(1, -1).toUpperCase()} in capitals for the operator` });
    }
  }
  if (hasRange && hasCreated) {
    const t = clauses.find((c) => c.clause === "time range")!;
    if (t.matches_without > 0) suggestions.push({ message: "created: lies outside the selected time range (the narrower bound wins): choose the range All or Custom", matches: t.matches_without });
  }
  return { clauses, culprit, suggestions };
}
