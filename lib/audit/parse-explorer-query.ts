import { z } from "zod";
import { EVENT_FIELDS, FIELD_NAMES, QUERY_FIELD_KEYS, type EventFieldName, type QueryKeyInfo } from "./event-fields";
import { F, type FilterNode } from "./filter-tree";
import { isSupportedInstant, parseIsoInstant } from "./time-bounds";

/**
 * The query language of the explorer and of log exports' `q` (pure: runs in the browser for inline
 * errors and autocomplete, and on the server, which parses each request once). Grammar (docs/api.md):
 *
 *   query   = or
 *   or      = and { "OR" and }
 *   and     = unary { ["AND"] unary }
 *   unary   = ("-" | "NOT") unary | "(" or ")" | term
 *   term    = key ":" value | word | '"' phrase '"'
 *
 * - Keys come from the field registry (lib/audit/event-fields.ts) plus `has:`; `-` excludes any
 *   term or group; `OR`, `AND`, `NOT` are operators in capitals only (lower case: words).
 * - Positive terms of the same key side by side are OR-ed (`action:a action:b` = either), except
 *   `changed:` (both fields changed); everything else is AND-ed.
 * - `*` anywhere in a value is a wildcard (`action:*.failed`, `action:user.*.update`, `repo:acme/*`).
 * - `created:` takes `>`, `>=`, `<`, `<=` with a date or date-time (UTC unless it says otherwise), a bare
 *   date (that whole day), or `from..to`; only at the top level (not inside OR, NOT or parentheses).
 *   With the time range of the page or request, the narrower bound wins.
 * - a word or a "quoted phrase" must occur in the entry as whole words (case-insensitive), through
 *   the search index. At most QUERY_LIMITS.maxFreeTerms of them, each at most maxFreeTermLength
 *   characters; at most maxTerms terms in all.
 */

/** Keys of the language with their hints (autocomplete): the registry's, then `has:`. */
export const QUERY_KEYS: Readonly<Record<string, string>> = {
  ...Object.fromEntries([...QUERY_FIELD_KEYS.values()].filter((k, i, all) => all.findIndex((x) => x.key === k.key) === i).map((k) => [k.key, k.hint])),
  has: "the entry has this field: has:changes, has:repository, has:ip",
};
export type QueryKey = string;

/** Values `has:` takes: a query key or a registry field name → the field. */
const HAS_VALUES: ReadonlyMap<string, EventFieldName> = new Map([
  ...FIELD_NAMES.filter((n) => !n.includes(".") && !["id", "seq", "timestamp", "received_at", "actor", "action", "resource"].includes(n)).map((n) => [n, n] as const),
  ...[...QUERY_FIELD_KEYS.entries()].filter(([, k]) => k.field in EVENT_FIELDS && !k.field.includes(".") && !["id", "seq", "timestamp", "actor", "action", "resource"].includes(k.field)).map(([key, k]) => [key, k.field] as const),
]);
export const HAS_KEYS: readonly string[] = [...HAS_VALUES.keys()];

export interface QueryError {
  message: string;
  /** Character range of the offending term in the query text. */
  start: number;
  end: number;
}

export interface ParsedQuery {
  /** The filter tree (undefined: no condition). Each top-level conjunct has `label`: its text in the query. */
  where?: FilterNode;
  /** ISO strings from `created:`; `to` exclusive. */
  from?: string;
  to?: string;
  errors: QueryError[];
}

/**
 * Bounds of the query box (issue 10: a read-only token must not stall the service). Free words go
 * through the search index, one tsquery term each; the bounds keep every query's work small.
 */
export const QUERY_LIMITS = { maxTerms: 32, maxFreeTerms: 10, maxFreeTermLength: 100, maxDepth: 8 } as const;

type Tok =
  | { t: "("; start: number; end: number }
  | { t: ")"; start: number; end: number }
  | { t: "OR" | "AND" | "NOT" | "-"; start: number; end: number }
  | { t: "term"; raw: string; start: number; end: number; quoteAt: number };

function tokenize(input: string, errors: QueryError[]): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "(" || ch === ")") {
      out.push({ t: ch, start: i, end: i + 1 });
      i++;
      continue;
    }
    if (ch === "-" && (input[i + 1] === "(" || input[i + 1] === '"' || /[\p{L}\p{N}_]/u.test(input[i + 1] ?? ""))) {
      out.push({ t: "-", start: i, end: i + 1 });
      i++;
      continue;
    }
    const start = i;
    let raw = "";
    let quoteAt = -1;
    while (i < input.length && !/\s/.test(input[i]!) && input[i] !== ")") {
      if (input[i] === '"') {
        const close = input.indexOf('"', i + 1);
        if (close < 0) {
          errors.push({ message: `unclosed quote: add a " after ${JSON.stringify(input.slice(i + 1, i + 21))}`, start: i, end: input.length });
          if (quoteAt < 0) quoteAt = raw.length;
          raw += input.slice(i + 1);
          i = input.length;
          break;
        }
        if (quoteAt < 0) quoteAt = raw.length;
        raw += input.slice(i + 1, close);
        i = close + 1;
      } else {
        raw += input[i];
        i++;
      }
    }
    if (quoteAt < 0 && (raw === "OR" || raw === "AND" || raw === "NOT")) out.push({ t: raw, start, end: i });
    else out.push({ t: "term", raw, start, end: i, quoteAt });
  }
  return out;
}

/** A date or date-time → [start, end) of what it names (a day, or one millisecond); the shared strict reader. */
function instantRange(v: string): [Date, Date] | null {
  const p = parseIsoInstant(v);
  return p && isSupportedInstant(p.end.getTime()) ? [p.start, p.end] : null;
}

const maxDate = (a: string | undefined, b: Date) => (!a || new Date(a) < b ? b.toISOString() : a);
const minDate = (a: string | undefined, b: Date) => (!a || new Date(a) > b ? b.toISOString() : a);

const IP = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);

export function emptyQuery(): ParsedQuery {
  return { errors: [] };
}

interface Ctx {
  input: string;
  toks: Tok[];
  pos: number;
  q: ParsedQuery;
  freeTerms: number;
}

/** One parsed operand: its node, the key it came from (for same-key OR-ing), and where it was. */
interface Operand {
  node: FilterNode;
  key?: string;
  negated: boolean;
  start: number;
  end: number;
}

export function parseExplorerQuery(input: string): ParsedQuery {
  const q = emptyQuery();
  if (input.length > 2000) {
    q.errors.push({ message: "the query is longer than 2000 characters", start: 2000, end: input.length });
    return q;
  }
  const toks = tokenize(input, q.errors);
  const terms = toks.filter((t) => t.t === "term");
  if (terms.length > QUERY_LIMITS.maxTerms) {
    q.errors.push({ message: `the query has ${terms.length} terms: at most ${QUERY_LIMITS.maxTerms}`, start: terms[QUERY_LIMITS.maxTerms]!.start, end: input.length });
    return q;
  }
  const ctx: Ctx = { input, toks, pos: 0, q, freeTerms: 0 };
  const top = parseOr(ctx, 0);
  while (ctx.pos < toks.length) {
    const t = toks[ctx.pos++]!;
    q.errors.push({ message: t.t === ")" ? 'unmatched ")": remove it or add a "(" before' : `unexpected ${JSON.stringify(input.slice(t.start, t.end))}`, start: t.start, end: t.end });
  }
  if (top) {
    // Top-level conjuncts keep their text as a label (the explorer's "which clause eliminated everything").
    const label = (o: Operand): FilterNode => ({ ...o.node, label: input.slice(o.start, o.end) });
    const nodes = top.filter((o) => o.key !== "created").map(label);
    if (nodes.length) q.where = nodes.length === 1 ? nodes[0] : { op: "and", nodes };
  }
  if (q.from && q.to && new Date(q.from) >= new Date(q.to)) {
    q.errors.push({ message: "the created: range is empty (its start is not before its end)", start: 0, end: input.length });
  }
  return q;
}

/** `or` at the top level returns its AND-ed operands (so created: can be taken out), else one operand. */
function parseOr(ctx: Ctx, depth: number): Operand[] | undefined {
  const first = parseAnd(ctx, depth);
  const alts: Operand[][] = first ? [first] : [];
  while (ctx.toks[ctx.pos]?.t === "OR") {
    const orTok = ctx.toks[ctx.pos++]!;
    const next = parseAnd(ctx, depth);
    if (!next || !alts.length) {
      ctx.q.errors.push({ message: '"OR" needs a term on each side, e.g. outcome:failure OR outcome:denied', start: orTok.start, end: orTok.end });
      continue;
    }
    alts.push(next);
  }
  if (alts.length <= 1) return alts[0];
  for (const o of alts.flat()) {
    if (o.key === "created") ctx.q.errors.push({ message: "created: cannot be one side of OR: put the alternatives in parentheses, e.g. created:>2025-01-01 (a OR b)", start: o.start, end: o.end });
  }
  const asNode = (ops: Operand[]): FilterNode => (ops.length === 1 ? ops[0]!.node : { op: "and", nodes: ops.map((o) => o.node) });
  const all = alts.flat();
  return [{ node: { op: "or", nodes: alts.map(asNode) }, negated: false, start: all[0]!.start, end: all[all.length - 1]!.end }];
}

const STOP = new Set(["OR", ")"]);

function parseAnd(ctx: Ctx, depth: number): Operand[] | undefined {
  const ops: Operand[] = [];
  while (ctx.pos < ctx.toks.length && !STOP.has(ctx.toks[ctx.pos]!.t)) {
    if (ctx.toks[ctx.pos]!.t === "AND") {
      ctx.pos++;
      continue;
    }
    const o = parseUnary(ctx, depth);
    if (o) ops.push(o);
  }
  if (!ops.length) return undefined;
  // Same key side by side (positive): either value. Free words: one search-index lookup.
  const merged: Operand[] = [];
  for (const o of ops) {
    const prev = merged.find((m) => m.key !== undefined && m.key === o.key && !m.negated && !o.negated && o.key !== "changed" && o.key !== "has" && o.key !== "created");
    if (prev) {
      prev.node = prev.node.op === "or" && prev.key === o.key && !prev.node.label ? { op: "or", nodes: [...prev.node.nodes, o.node] } : { op: "or", nodes: [prev.node, o.node] };
      prev.start = Math.min(prev.start, o.start);
      prev.end = Math.max(prev.end, o.end);
      continue;
    }
    merged.push({ ...o });
  }
  return merged;
}

function parseUnary(ctx: Ctx, depth: number): Operand | undefined {
  const t = ctx.toks[ctx.pos]!;
  if (t.t === "-" || t.t === "NOT") {
    ctx.pos++;
    const inner = ctx.pos < ctx.toks.length && !STOP.has(ctx.toks[ctx.pos]!.t) ? parseUnary(ctx, depth) : undefined;
    if (!inner) {
      ctx.q.errors.push({ message: `"${t.t}" needs a term after it, e.g. -action:user.login`, start: t.start, end: t.end });
      return undefined;
    }
    if (inner.key === "created") {
      ctx.q.errors.push({ message: "created: cannot be excluded: write the range you want (created:<2025-01-01)", start: t.start, end: inner.end });
      return undefined;
    }
    return { node: { op: "not", node: inner.node }, key: inner.key, negated: true, start: t.start, end: inner.end };
  }
  if (t.t === "(") {
    ctx.pos++;
    if (depth >= QUERY_LIMITS.maxDepth) {
      ctx.q.errors.push({ message: `parentheses nest at most ${QUERY_LIMITS.maxDepth} deep`, start: t.start, end: ctx.input.length });
      ctx.pos = ctx.toks.length;
      return undefined;
    }
    const inner = parseOr(ctx, depth + 1);
    const close = ctx.toks[ctx.pos];
    if (close?.t === ")") ctx.pos++;
    else ctx.q.errors.push({ message: 'unclosed "(": add a ")"', start: t.start, end: ctx.input.length });
    if (!inner) {
      if (close?.t === ")") ctx.q.errors.push({ message: '"()" is empty: put terms inside', start: t.start, end: close.end });
      return undefined;
    }
    const node: FilterNode = inner.length === 1 ? inner[0]!.node : { op: "and", nodes: inner.map((o) => o.node) };
    return { node, negated: false, start: t.start, end: close?.t === ")" ? close.end : ctx.input.length };
  }
  if (t.t !== "term") {
    ctx.pos++;
    return undefined;
  }
  ctx.pos++;
  return parseTerm(ctx, t, depth);
}

function parseTerm(ctx: Ctx, t: Extract<Tok, { t: "term" }>, depth: number): Operand | undefined {
  const { q } = ctx;
  const err = (message: string) => {
    q.errors.push({ message, start: t.start, end: t.end });
    return undefined;
  };
  const c = t.raw.indexOf(":");
  const colon = c > 0 && (t.quoteAt < 0 || t.quoteAt > c) ? c : -1;
  const keyPart = colon > 0 ? t.raw.slice(0, colon) : "";
  const looksLikeKey = colon > 0 && /^[a-z_]+$/i.test(keyPart);
  const negatedHere = ctx.toks[ctx.pos - 2]?.t === "-" || ctx.toks[ctx.pos - 2]?.t === "NOT";
  const op = (node: FilterNode, key?: string): Operand => ({ node, key, negated: false, start: t.start, end: t.end });
  if (!looksLikeKey) {
    if (t.raw.length > QUERY_LIMITS.maxFreeTermLength) return err(`"${t.raw.slice(0, 20)}…": a search word or phrase has at most ${QUERY_LIMITS.maxFreeTermLength} characters`);
    if (!t.raw) return undefined;
    if (!/[\p{L}\p{N}]/u.test(t.raw)) return err(`"${t.raw}": a search word needs a letter or digit (words match whole words of the entry)`);
    if (ctx.freeTerms === QUERY_LIMITS.maxFreeTerms) return err(`at most ${QUERY_LIMITS.maxFreeTerms} search words or phrases; narrow with keys (actor:, action:, created:…) instead`);
    ctx.freeTerms++;
    return op(F.text(`"${t.raw.replaceAll('"', " ")}"`), undefined);
  }
  const keyName = keyPart.toLowerCase();
  const value = t.raw.slice(colon + 1);
  if (keyName === "has") {
    if (!value) return err(`"has:" needs a field, e.g. has:changes (one of ${HAS_KEYS.join(", ")})`);
    const field = HAS_VALUES.get(value.toLowerCase());
    if (!field) return err(`"has:${value}": use one of ${HAS_KEYS.join(", ")}`);
    return op({ op: "present", field }, "has");
  }
  const info: QueryKeyInfo | undefined = QUERY_FIELD_KEYS.get(keyName);
  if (!info) return err(`unknown key "${keyName}": use ${Object.keys(QUERY_KEYS).join(", ")} (or put the text in quotes to search for it)`);
  if (!value) return err(`"${keyName}:" needs a value, e.g. ${keyName}:${info.match === "time" ? ">2025-01-01" : info.values ? info.values[0] : "…"}`);
  const wild = value.includes("*");
  switch (info.match) {
    case "time": {
      if (depth > 0 || negatedHere) return err(`created: goes at the top level of the query (not inside parentheses, OR or a negation)`);
      return timeTerm(ctx, t, value) ? { node: { op: "const", value: true }, key: "created", negated: false, start: t.start, end: t.end } : undefined;
    }
    case "enum": {
      if (!info.values!.includes(value)) return err(`"${value}" is not ${keyName === "actor_type" ? "an actor type" : `a value of ${keyName}`}: use ${info.values!.join(", ")}`);
      return op(F.in(info.field, value), info.key);
    }
    case "ip": {
      if (!IP.safeParse(value).success) return err(`"${value}" is not an IP address or CIDR block (e.g. 203.0.113.7, 10.0.0.0/8, 2001:db8::/32)`);
      return op({ op: "ip", field: info.field, values: [value] }, info.key);
    }
    case "changed_key":
      return op({ op: "changed", keys: [value] }, info.key);
    case "either": {
      const [a, b] = info.of!;
      return op(wild ? F.or(F.like(a, value), F.like(b, value)) : F.or(F.in(a, value), F.in(b, value)), info.key);
    }
    case "pattern": {
      if (info.field === "action" && !/^[A-Za-z0-9_.*-]+$/.test(value)) return err(`"${value}" is not an action pattern: use dotted words, with * anywhere (policy.*, *.failed, user.*.update)`);
      if (info.field === "resource.type") {
        const slash = value.indexOf("/");
        if (slash > 0 && slash < value.length - 1) {
          const [type, id] = [value.slice(0, slash), value.slice(slash + 1)];
          return op(F.and(type.includes("*") ? F.like("resource.type", type) : F.in("resource.type", type), id.includes("*") ? F.like("resource.id", id) : F.in("resource.id", id)), info.key);
        }
        if (slash > 0) return op(value.slice(0, slash).includes("*") ? F.like("resource.type", value.slice(0, slash)) : F.in("resource.type", value.slice(0, slash)), info.key);
      }
      return op(wild ? F.like(info.field, value) : F.in(info.field, value), info.key);
    }
    case "phrase":
    case "indexed_exact":
      if (!/[\p{L}\p{N}]/u.test(value)) return err(`"${value}": ${keyName}: needs a letter or digit`);
      return op(wild && info.match === "phrase" ? F.like(info.field, value) : F.in(info.field, value), info.key);
  }
}

function timeTerm(ctx: Ctx, t: Extract<Tok, { t: "term" }>, value: string): boolean {
  const { q } = ctx;
  const err = (message: string) => {
    q.errors.push({ message, start: t.start, end: t.end });
    return false;
  };
  const range = value.match(/^(.+)\.\.(.+)$/);
  const opm = value.match(/^(>=|<=|>|<)(.+)$/);
  if (range) {
    const a = instantRange(range[1]!);
    const b = instantRange(range[2]!);
    if (!a || !b) return err(`"${value}": write created:2025-01-01..2025-01-31 with ISO dates`);
    q.from = maxDate(q.from, a[0]);
    q.to = minDate(q.to, b[1]);
    return true;
  }
  if (opm) {
    const r = instantRange(opm[2]!);
    if (!r) return err(`"${opm[2]}" is not a date: write e.g. created:${opm[1]}2025-01-01 or created:${opm[1]}2025-01-01T12:00Z`);
    if (opm[1] === ">") q.from = maxDate(q.from, r[1]);
    else if (opm[1] === ">=") q.from = maxDate(q.from, r[0]);
    else if (opm[1] === "<") q.to = minDate(q.to, r[0]);
    else q.to = minDate(q.to, r[1]);
    return true;
  }
  const r = instantRange(value);
  if (!r) return err(`"${value}" is not a date: write e.g. created:2025-01-01 or created:>2025-01-01`);
  q.from = maxDate(q.from, r[0]);
  q.to = minDate(q.to, r[1]);
  return true;
}

/** The term being typed at `cursor`, for autocomplete: `{key?, value, start, end}`. */
export function termAt(input: string, cursor: number): { key?: string; negated: boolean; value: string; start: number; end: number } {
  let start = cursor;
  while (start > 0 && !/[\s(]/.test(input[start - 1]!)) start--;
  let end = cursor;
  while (end < input.length && !/[\s)]/.test(input[end]!)) end++;
  const term = input.slice(start, end);
  const negated = term.startsWith("-");
  const body = negated ? term.slice(1) : term;
  const colon = body.indexOf(":");
  if (colon < 0) return { negated, value: body, start, end };
  return { key: body.slice(0, colon).toLowerCase(), negated, value: body.slice(colon + 1), start, end };
}

/** A key's registry information (autocomplete: enum values, hints). */
export function queryKeyInfo(key: string): QueryKeyInfo | undefined {
  return QUERY_FIELD_KEYS.get(key.toLowerCase());
}
