import type { SqlExecutor, SqlParam } from "../db/sql";
import { contentSql, fieldSpec, fieldSql, type EventFieldName } from "./event-fields";
import { readRepositories } from "./read-repositories";

/**
 * THE filter of every query over audit events (issue 12): a small tree of AND / OR / NOT over
 * leaves that name a field of the registry (lib/audit/event-fields.ts). Every API builds one — the
 * dialects from their parameters, the explorer and log exports from the query language
 * (parse-explorer-query.ts), evidence and history from their sections — and this module alone turns
 * it into SQL, from what the registry says about each field (its copied column, whether an index
 * leads with it, its weight in the search document).
 *
 * Index use: a leaf on an indexed copied column is a plain comparison (`= ANY`); a wildcard on such
 * a column is first resolved to the org's concrete values with a loose index scan (one index probe
 * per distinct value) so that `= ANY` can use the index; a leaf on a field without its own index but
 * in the full-text document gets the search index as its access path and the exact comparison as a
 * re-check; IP addresses and blocks use the expression index on the address.
 */
export type FilterLeaf =
  /** The field equals one of `values`. */
  | { op: "in"; field: EventFieldName; values: string[]; label?: string }
  /** The field matches one of `patterns` (`*` any run of characters; everything else literal). */
  | { op: "like"; field: EventFieldName; patterns: string[]; label?: string }
  /** An IP address field equals one of the addresses or lies in one of the CIDR blocks. */
  | { op: "ip"; field: EventFieldName; values: string[]; label?: string }
  /** The field is present. */
  | { op: "present"; field: EventFieldName; label?: string }
  /** `changes` touches one of these fields. */
  | { op: "changed"; keys: string[]; label?: string }
  /** Whole words of the entry, through the search index. */
  | { op: "text"; query: string; weight?: "a" | "b" | "c"; label?: string }
  | { op: "const"; value: boolean; label?: string };

export type FilterNode =
  | FilterLeaf
  | { op: "and"; nodes: FilterNode[]; label?: string }
  | { op: "or"; nodes: FilterNode[]; label?: string }
  | { op: "not"; node: FilterNode; label?: string };

// --- builders -----------------------------------------------------------------------------------

export const F = {
  and: (...nodes: (FilterNode | undefined)[]): FilterNode => ({ op: "and", nodes: nodes.filter((n): n is FilterNode => !!n) }),
  or: (...nodes: (FilterNode | undefined)[]): FilterNode => ({ op: "or", nodes: nodes.filter((n): n is FilterNode => !!n) }),
  not: (node: FilterNode): FilterNode => ({ op: "not", node }),
  in: (field: EventFieldName, ...values: string[]): FilterNode => ({ op: "in", field, values }),
  /** Optional value: undefined → no condition. */
  eq: (field: EventFieldName, value: string | undefined): FilterNode | undefined => (value === undefined ? undefined : { op: "in", field, values: [value] }),
  like: (field: EventFieldName, ...patterns: string[]): FilterNode => ({ op: "like", field, patterns }),
  prefix: (field: EventFieldName, ...prefixes: string[]): FilterNode => ({ op: "like", field, patterns: prefixes.map((p) => `${p}*`) }),
  /** Actor id or email (either). */
  actor: (...values: string[]): FilterNode => ({ op: "or", nodes: [{ op: "in", field: "actor.id", values }, { op: "in", field: "actor.email", values }] }),
  /** Repository id or name (either). */
  repository: (...values: string[]): FilterNode => ({ op: "or", nodes: [{ op: "in", field: "repository.id", values }, { op: "in", field: "repository.name", values }] }),
  text: (query: string, weight?: "a" | "b" | "c"): FilterNode => ({ op: "text", query, ...(weight && { weight }) }),
  none: (): FilterNode => ({ op: "const", value: false }),
};

/** The conjuncts of a node (the node itself unless it is an AND). */
export function conjuncts(node: FilterNode | undefined): FilterNode[] {
  if (!node) return [];
  return node.op === "and" ? node.nodes.flatMap(conjuncts) : [node];
}

/** Every field a node mentions. */
export function fieldsOf(node: FilterNode | undefined): Set<string> {
  const out = new Set<string>();
  const walk = (n: FilterNode) => {
    if (n.op === "and" || n.op === "or") n.nodes.forEach(walk);
    else if (n.op === "not") walk(n.node);
    else if (n.op === "changed") out.add("changes");
    else if (n.op === "text") out.add("text");
    else if (n.op !== "const") out.add(n.field);
  };
  if (node) walk(node);
  return out;
}

/** The node without its top-level conjuncts that mention only `fields` (facets ignore their own field's filter). */
export function withoutConjunctsOn(node: FilterNode | undefined, fields: readonly string[]): FilterNode | undefined {
  const kept = conjuncts(node).filter((c) => ![...fieldsOf(c)].every((f) => fields.includes(f)) || fieldsOf(c).size === 0);
  return kept.length ? (kept.length === 1 ? kept[0] : { op: "and", nodes: kept }) : undefined;
}

/** AND/OR flattened, constants folded; `const` when the whole tree is decided. */
export function simplify(node: FilterNode): FilterNode {
  if (node.op === "not") {
    const inner = simplify(node.node);
    if (inner.op === "const") return { op: "const", value: !inner.value };
    if (inner.op === "not") return inner.node;
    return { ...node, node: inner };
  }
  if (node.op === "and" || node.op === "or") {
    const unit = node.op === "and";
    const nodes: FilterNode[] = [];
    for (const n of node.nodes.map(simplify)) {
      if (n.op === "const") {
        if (n.value === unit) continue;
        return { op: "const", value: !unit, ...(node.label && { label: node.label }) };
      }
      if (n.op === node.op && !n.label) nodes.push(...n.nodes);
      else nodes.push(n);
    }
    if (nodes.length === 0) return { op: "const", value: unit };
    if (nodes.length === 1 && !node.label) return nodes[0]!;
    return { ...node, nodes };
  }
  return node;
}

// --- resolution (a few index probes before the query) ------------------------------------------

/** LIKE pattern of a `*` pattern: `%` for `*`, `\`-escaped `%`, `_` and `\`. */
export const likePattern = (p: string) => p.replace(/[\\%_]/g, "\\$&").replaceAll("*", "%");
const patternRegex = (p: string, flags = "") => new RegExp(`^${p.split("*").map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, flags);

/** Copied columns with their own index whose distinct values a loose index scan lists cheaply. */
const LOOSE_SCAN_COLUMNS = new Set(["action", "resource_type", "actor_type", "repository_id"]);

/**
 * Narrows a tree to what the indexes serve best, with a few index probes:
 * - a wildcard on an indexed column (`action:*.failed`) becomes the org's concrete values that match
 *   (a loose index scan lists them: one probe per distinct value), so `= ANY(…)` uses the index;
 * - a repository name becomes the ids of the org's repositories of that name;
 * - an actor value (id or email) keeps only the arm(s) where it occurs in this org.
 * Returns the simplified tree (`const false`: nothing can match).
 */
export async function resolveTree(sql: SqlExecutor, orgId: string, node: FilterNode): Promise<FilterNode> {
  const distinct = new Map<string, Promise<string[]>>();
  const values = (column: string) => {
    let p = distinct.get(column);
    if (!p) {
      p = sql
        .query<{ v: string }>(
          `WITH RECURSIVE a(v) AS (
             (SELECT ${column} FROM audit_events WHERE org_id = $1 AND ${column} IS NOT NULL ORDER BY ${column} LIMIT 1)
             UNION ALL
             SELECT (SELECT e.${column} FROM audit_events e WHERE e.org_id = $1 AND e.${column} > a.v ORDER BY e.${column} LIMIT 1)
             FROM a WHERE a.v IS NOT NULL
           )
           SELECT v FROM a WHERE v IS NOT NULL LIMIT 10000`,
          [orgId],
        )
        .then((rows) => rows.map((r) => r.v));
      distinct.set(column, p);
    }
    return p;
  };
  let repos: Promise<{ id: string; name: string | null }[]> | undefined;
  const repositories = () =>
    (repos ??= readRepositories({ sql, orgId }));
  const occurs = async (column: string, v: string) => {
    const [row] = await sql.query<{ x: boolean }>(`SELECT EXISTS (SELECT 1 FROM audit_events WHERE org_id = $1 AND ${column} = $2) AS x`, [orgId, v]);
    return !!row?.x;
  };

  const visit = async (n: FilterNode): Promise<FilterNode> => {
    switch (n.op) {
      case "and":
      case "or":
        return { ...n, nodes: await Promise.all(n.nodes.map(visit)) };
      case "not":
        return { ...n, node: await visit(n.node) };
      case "like": {
        const col = fieldSpec(n.field).column;
        if (n.field === "repository.name" || (col && LOOSE_SCAN_COLUMNS.has(col.name))) {
          const res = n.patterns.map((p) => patternRegex(p));
          if (n.field === "repository.name") {
            const ids = (await repositories()).filter((r) => r.name !== null && res.some((re) => re.test(r.name!))).map((r) => r.id);
            return ids.length ? { op: "in", field: "repository.id", values: ids, ...(n.label && { label: n.label }) } : { op: "const", value: false, ...(n.label && { label: n.label }) };
          }
          const hits = (await values(col!.name)).filter((v) => res.some((re) => re.test(v)));
          return hits.length ? { op: "in", field: n.field, values: hits, ...(n.label && { label: n.label }) } : { op: "const", value: false, ...(n.label && { label: n.label }) };
        }
        return n;
      }
      case "in": {
        if (n.field === "repository.name") {
          const ids = (await repositories()).filter((r) => r.name !== null && n.values.includes(r.name)).map((r) => r.id);
          return ids.length ? { op: "in", field: "repository.id", values: ids, ...(n.label && { label: n.label }) } : { op: "const", value: false, ...(n.label && { label: n.label }) };
        }
        if ((n.field === "actor.id" || n.field === "actor.email") && n.values.length <= 5) {
          const col = fieldSpec(n.field).column!.name;
          const kept = (await Promise.all(n.values.map(async (v) => ((await occurs(col, v)) ? v : null)))).filter((v): v is string => v !== null);
          return kept.length ? { ...n, values: kept } : { op: "const", value: false, ...(n.label && { label: n.label }) };
        }
        return n;
      }
      default:
        return n;
    }
  };
  return simplify(await visit(node));
}

// --- SQL ----------------------------------------------------------------------------------------

/**
 * SQL of the tsquery for words in parameter `p`: split at punctuation exactly as the index is
 * (prisma/definitions/functions/audit_search_part_vector.sql), read by websearch_to_tsquery('simple', …). A weight labels
 * every lexeme (`'alice':A`), so the GIN index and the planner's statistics still apply.
 */
export function textSearchTsquery(p: string, weight?: "a" | "b" | "c"): string {
  const q = `websearch_to_tsquery('simple', regexp_replace(${p}::text, '(?!-")[^[:alnum:][:space:]"]', ' ', 'g'))`;
  if (!weight) return q;
  const label = weight.toUpperCase();
  return `(regexp_replace((${q})::text, '''((?:[^'']|'''')*)''', '''\\1'':${label}', 'g'))::tsquery`;
}

/**
 * A to_tsquery text for `*` patterns (any of them): the whole words of each pattern AND-ed, a word
 * right before a `*` as a prefix (`Polic*` → 'polic':*); a word right after a `*` (a suffix) cannot be
 * looked up and is left to the exact re-check. Null when some pattern has no usable word (then the
 * pattern has no index access path of its own).
 */
function prefixQuery(patterns: readonly string[], weight?: "A" | "B" | "C"): string | null {
  const w = weight ?? "";
  const alts: string[] = [];
  for (const p of patterns) {
    const terms: string[] = [];
    const parts = p.toLowerCase().split("*");
    parts.forEach((part, i) => {
      const words = [...part.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => ({ w: m[0], start: m.index!, end: m.index! + m[0].length }));
      for (const x of words) {
        const afterStar = i > 0 && x.start === 0;
        const beforeStar = i < parts.length - 1 && x.end === part.length;
        if (afterStar) continue;
        terms.push(`'${x.w}':${beforeStar ? "*" : ""}${w}`);
      }
    });
    if (!terms.length) return null;
    alts.push(terms.length === 1 ? terms[0]! : `(${terms.join(" & ")})`);
  }
  return alts.join(" | ");
}

/** Web-search text of exact values as phrases (any of them): `"a b" or "c"`. Null when no value has a word. */
function phrases(values: readonly string[]): string | null {
  const parts = values.map((v) => v.split("*").filter((s) => /[\p{L}\p{N}]/u.test(s))).filter((ps) => ps.length).map((ps) => ps.map((s) => `"${s.replaceAll('"', " ")}"`).join(" "));
  return parts.length === values.length && parts.length ? parts.join(" or ") : null;
}

export interface SqlBuilder {
  params: SqlParam[];
  /** Pushes a parameter, returns its placeholder. */
  param: (v: SqlParam) => string;
}

export function sqlBuilder(params: SqlParam[]): SqlBuilder {
  return { params, param: (v) => (params.push(v), `$${params.length}`) };
}

/**
 * SQL that holds where `node` is not true (false or unknown: an entry without the field is kept by a
 * negation). Pushed down to the leaves (De Morgan) and, on a copied column, written as
 * `col IS NULL OR col <> ALL(…)`, which the planner estimates from the column's statistics: an opaque
 * `NOT coalesce(…)` is guessed to keep half the entries, and then the newest 100 000 matches of a
 * negation (histogram) looked cheaper by a Seq Scan of the whole table than by walking the org's
 * time index. Other leaves keep the generic form.
 */
function notTrueSql(node: FilterNode, b: SqlBuilder, a: string): string {
  switch (node.op) {
    case "const":
      return node.value ? "FALSE" : "TRUE";
    case "and":
      return node.nodes.length ? `(${node.nodes.map((n) => notTrueSql(n, b, a)).join(" OR ")})` : "FALSE";
    case "or":
      return node.nodes.length ? `(${node.nodes.map((n) => notTrueSql(n, b, a)).join(" AND ")})` : "TRUE";
    case "not":
      return `coalesce(${treeSql(node.node, b, a)}, false)`;
    case "in": {
      const spec = fieldSpec(node.field);
      if (spec.column && spec.query?.match !== "phrase" && node.values.length) {
        const col = fieldSql(node.field, a);
        const other = node.values.length === 1 ? `${col} <> ${b.param(node.values[0]!)}` : `${col} <> ALL(${b.param(node.values)}::text[])`;
        return `(${col} IS NULL OR ${other})`;
      }
      return `NOT coalesce(${treeSql(node, b, a)}, false)`;
    }
    default:
      return `NOT coalesce(${treeSql(node, b, a)}, false)`;
  }
}

/** SQL of a (resolved) tree over audit_events alias `a`. */
export function treeSql(node: FilterNode, b: SqlBuilder, a = "e"): string {
  switch (node.op) {
    case "const":
      return node.value ? "TRUE" : "FALSE";
    case "and":
      return node.nodes.length ? `(${node.nodes.map((n) => treeSql(n, b, a)).join(" AND ")})` : "TRUE";
    case "or":
      return node.nodes.length ? `(${node.nodes.map((n) => treeSql(n, b, a)).join(" OR ")})` : "FALSE";
    case "not":
      // NULL-safe: entries without the field are kept by a negation.
      return notTrueSql(node.node, b, a);
    case "text":
      return `${a}.search_vector @@ ${textSearchTsquery(b.param(node.query), node.weight)}`;
    case "changed": {
      // Text tests first (canonical JSON: `"changes":` and `"<key>":` occur), then the exact jsonb
      // test; the presence predicate of the partial index over entries with changes (implied by the
      // exact test) lets the planner walk only those entries, newest first. No search-index
      // condition: for a common key (a third of the entries) the planner ANDed its bitmap with the
      // partial index and sorted every match (7.8 s for a page at 300 000 entries).
      const text = node.keys.length === 1 ? ` AND strpos(${a}.content, ${b.param(`${JSON.stringify(node.keys[0])}:`)}) > 0` : "";
      const present = fieldSpec("changes").presenceIndex!.replaceAll("e.", `${a}.`);
      return `(strpos(${a}.content, '"changes":') > 0${text} AND ${present} AND (${a}.content::jsonb -> 'changes') ?| ${b.param(node.keys)}::text[])`;
    }
    case "present": {
      const spec = fieldSpec(node.field);
      if (spec.column) return `${fieldSql(node.field, a)} IS NOT NULL`;
      if (spec.path.length > 1) return `${contentSql(node.field, a)} IS NOT NULL`;
      // A cheap text test first (the content is canonical JSON: a member is `"name":`), so only rows
      // that can have the member are parsed; the jsonb test is the exact one.
      const key = spec.path[0]!;
      // With a partial index over the entries that have the field, its predicate (a constant, as in
      // the index) is the exact test.
      const exactTest = spec.presenceIndex ? spec.presenceIndex.replaceAll("e.", `${a}.`) : `${a}.content::jsonb ? ${b.param(key)}`;
      return `(strpos(${a}.content, ${b.param(`"${key}":`)}) > 0 AND ${exactTest})`;
    }
    case "ip": {
      const expr = fieldSpec(node.field).indexedExpression?.replaceAll("e.", `${a}.`) ?? `(${contentSql(node.field, a)})::inet`;
      const arms = node.values.map((v) => (v.includes("/") ? `${expr} <<= ${b.param(v)}::cidr` : `${expr} = ${b.param(v)}::inet`));
      return arms.length === 1 ? arms[0]! : `(${arms.join(" OR ")})`;
    }
    case "in":
    case "like": {
      const spec = fieldSpec(node.field);
      const caseless = spec.query?.match === "phrase";
      const col = caseless ? (spec.indexedExpression?.replaceAll("e.", `${a}.`) ?? `lower(${fieldSql(node.field, a)})`) : fieldSql(node.field, a);
      const vals = node.op === "in" ? node.values : node.patterns;
      const norm = caseless ? vals.map((v) => v.toLowerCase()) : vals;
      const like = () => `${col} LIKE ANY(${b.param(norm.map(likePattern))}::text[])`;
      let exact: string | undefined;
      if (node.op === "in") exact = norm.length === 1 ? `${col} = ${b.param(norm[0]!)}` : `${col} = ANY(${b.param(norm)}::text[])`;
      // A wildcard on a field whose (lower-cased) value has an expression index (resource_name:
      // Polic*): each pattern's literal prefix as a range on that index (text_pattern_ops order),
      // next to the search-index condition below. With the search index alone the planner read a
      // third of the org by a bitmap it costed like a Seq Scan, and chose either (300 000 entries).
      if (node.op === "like" && caseless && spec.indexedExpression) {
        const ranges = norm.map((p) => {
          const lit = p.split("*")[0]!;
          if (!/^[\x20-\x7d]+$/.test(lit)) return null;
          const next = lit.slice(0, -1) + String.fromCharCode(lit.charCodeAt(lit.length - 1) + 1);
          return `(${col} ~>=~ ${b.param(lit)}::text AND ${col} ~<~ ${b.param(next)}::text)`;
        });
        if (ranges.every((r) => r !== null)) {
          const any = ranges.length === 1 ? ranges[0]! : `(${ranges.join(" OR ")})`;
          // `lit*` alone: the range IS the match (in byte order, the strings from lit up to lit with
          // its last character + 1 are those starting with lit), so the content is not parsed again.
          exact = norm.every((p) => p.indexOf("*") === p.length - 1) ? any : `(${any} AND ${like()})`;
        }
      }
      exact ??= like();
      // Fields without an index of their own but in the search document: the search index first.
      if (!spec.column?.indexed && spec.search && node.op === "like") {
        const q = prefixQuery(vals, spec.search);
        if (q) return `(${a}.search_vector @@ to_tsquery('simple', ${b.param(q)}) AND ${exact})`;
      }
      if (!spec.column?.indexed && spec.search && node.op === "in") {
        const words = phrases(vals);
        if (words) return `(${a}.search_vector @@ ${textSearchTsquery(b.param(words), spec.search.toLowerCase() as "a" | "b" | "c")} AND ${exact})`;
      }
      return exact;
    }
  }
}
