import { isSupportedInstant, parseIsoInstant } from "./time-bounds";

/**
 * The explorer's query language (pure: runs in the browser for inline errors and autocomplete,
 * and on the server, which re-parses what the URL says):
 *
 *   actor:alice@example.com action:policy.* -action:user.login repo:acme/web-app created:>2025-01-01 "PII"
 *
 * - `key:value` terms, AND-ed; the same key twice is OR-ed for action, actor, resource, repo.
 * - `-key:value` excludes (action, actor, resource, repo).
 * - a value ending in `*` is a prefix (action only).
 * - `created:` takes `>`, `>=`, `<`, `<=` with a date or date-time (UTC unless it says otherwise),
 *   a bare date (that whole day), or `from..to`.
 * - anything else (a word or a "quoted phrase") must occur in the entry as whole words
 *   (case-insensitive; actor, action, resource, repository, changes, details, ids, ip, user agent),
 *   matched through the search index like the search API. At most QUERY_LIMITS.maxFreeTerms of them,
 *   each at most maxFreeTermLength characters; at most maxTerms terms in all.
 */
export const QUERY_KEYS = {
  action: "action name; policy.* for a prefix",
  actor: "actor id or email",
  actor_type: "actor type: user, service_account, api_token, system",
  resource: "resource type, or type/id",
  resource_id: "resource id",
  repo: "repository name or id",
  created: "time: >2025-01-01, <=2025-02-01T12:00, 2025-01-01..2025-01-31",
  ip: "IP address",
  session: "session id",
  request: "request id",
} as const;
export type QueryKey = keyof typeof QUERY_KEYS;
const ACTOR_TYPE_VALUES: readonly string[] = ["user", "service_account", "api_token", "system"];

const ALIASES: Record<string, QueryKey> = {
  actor: "actor", user: "actor", actor_type: "actor_type", action: "action", event: "action", resource: "resource", type: "resource",
  resource_id: "resource_id", repo: "repo", repository: "repo", created: "created", time: "created", timestamp: "created",
  ip: "ip", session: "session", request: "request",
};
const NEGATABLE = new Set<QueryKey>(["actor", "action", "resource", "repo"]);

export interface QueryError {
  message: string;
  /** Character range of the offending term in the query text. */
  start: number;
  end: number;
}

export interface ParsedQuery {
  actors: string[];
  notActors: string[];
  actorTypes: string[];
  actions: string[];
  actionPrefixes: string[];
  notActions: string[];
  notActionPrefixes: string[];
  resources: { type: string; id?: string }[];
  notResources: { type: string; id?: string }[];
  resourceIds: string[];
  repos: string[];
  notRepos: string[];
  ips: string[];
  sessions: string[];
  requests: string[];
  /** ISO strings; `to` exclusive. */
  from?: string;
  to?: string;
  text: string[];
  errors: QueryError[];
}

interface Token {
  raw: string;
  start: number;
  end: number;
  /** Where in `raw` the first quoted part began (-1: none), so key:"a value" stays a key:value. */
  quoteAt: number;
}

function tokenize(input: string, errors: QueryError[]): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    if (/\s/.test(input[i]!)) {
      i++;
      continue;
    }
    const start = i;
    let raw = "";
    let quoteAt = -1;
    while (i < input.length && !/\s/.test(input[i]!)) {
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
    out.push({ raw, start, end: i, quoteAt });
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

export function emptyQuery(): ParsedQuery {
  return {
    actors: [], notActors: [], actions: [], actionPrefixes: [], notActions: [], notActionPrefixes: [], resources: [], notResources: [],
    resourceIds: [], repos: [], notRepos: [], actorTypes: [], ips: [], sessions: [], requests: [], text: [], errors: [],
  };
}

/**
 * Bounds of the query box (issue 10: a read-only token must not stall the service). Free words go
 * through the search index, one tsquery term each; the bounds keep every query's work small.
 */
export const QUERY_LIMITS = { maxTerms: 32, maxFreeTerms: 10, maxFreeTermLength: 100 } as const;

export function parseExplorerQuery(input: string): ParsedQuery {
  const q = emptyQuery();
  if (input.length > 2000) {
    q.errors.push({ message: "the query is longer than 2000 characters", start: 2000, end: input.length });
    return q;
  }
  const tokens = tokenize(input, q.errors);
  if (tokens.length > QUERY_LIMITS.maxTerms) {
    q.errors.push({ message: `the query has ${tokens.length} terms: at most ${QUERY_LIMITS.maxTerms}`, start: tokens[QUERY_LIMITS.maxTerms]!.start, end: input.length });
    return q;
  }
  for (const t of tokens) {
    const c = t.raw.indexOf(":");
    const colon = c > 0 && (t.quoteAt < 0 || t.quoteAt > c) ? c : -1;
    const keyPart = colon > 0 ? t.raw.slice(0, colon) : "";
    const negated = keyPart.startsWith("-");
    const keyName = (negated ? keyPart.slice(1) : keyPart).toLowerCase();
    const looksLikeKey = colon > 0 && /^-?[a-z_]+$/i.test(keyPart);
    if (!looksLikeKey) {
      if (t.raw.startsWith("-") && t.raw.length > 1 && t.quoteAt !== 0) {
        q.errors.push({ message: `"${t.raw}": excluding free text is not supported; exclude with a key, e.g. -action:user.login`, start: t.start, end: t.end });
      } else if (t.raw.length > QUERY_LIMITS.maxFreeTermLength) {
        q.errors.push({ message: `"${t.raw.slice(0, 20)}…": a search word or phrase has at most ${QUERY_LIMITS.maxFreeTermLength} characters`, start: t.start, end: t.end });
      } else if (t.raw && !/[\p{L}\p{N}]/u.test(t.raw)) {
        q.errors.push({ message: `"${t.raw}": a search word needs a letter or digit (words match whole words of the entry)`, start: t.start, end: t.end });
      } else if (t.raw) {
        if (q.text.length === QUERY_LIMITS.maxFreeTerms) {
          q.errors.push({ message: `at most ${QUERY_LIMITS.maxFreeTerms} search words or phrases; narrow with keys (actor:, action:, created:…) instead`, start: t.start, end: t.end });
        } else q.text.push(t.raw);
      }
      continue;
    }
    const key = ALIASES[keyName];
    const value = t.raw.slice(colon + 1);
    const err = (message: string) => q.errors.push({ message, start: t.start, end: t.end });
    if (!key) {
      err(`unknown key "${keyName}": use ${Object.keys(QUERY_KEYS).join(", ")} (or put the text in quotes to search for it)`);
      continue;
    }
    if (!value) {
      err(`"${keyName}:" needs a value, e.g. ${keyName}:${key === "created" ? ">2025-01-01" : "…"}`);
      continue;
    }
    if (negated && !NEGATABLE.has(key)) {
      err(`"-${keyName}:" is not supported: only ${[...NEGATABLE].join(", ")} can be excluded`);
      continue;
    }
    switch (key) {
      case "actor":
        (negated ? q.notActors : q.actors).push(value);
        break;
      case "action": {
        if (!/^[A-Za-z0-9_.*-]+$/.test(value) || (value.includes("*") && !/^[^*]*\*$/.test(value))) {
          err(`"${value}" is not an action pattern: use dotted words, with * only at the end (policy.*)`);
          break;
        }
        const prefix = value.endsWith("*") ? value.slice(0, -1) : undefined;
        if (prefix !== undefined) (negated ? q.notActionPrefixes : q.actionPrefixes).push(prefix);
        else (negated ? q.notActions : q.actions).push(value);
        break;
      }
      case "resource": {
        const slash = value.indexOf("/");
        const r = slash > 0 ? { type: value.slice(0, slash), id: value.slice(slash + 1) || undefined } : { type: value };
        (negated ? q.notResources : q.resources).push(r);
        break;
      }
      case "resource_id":
        q.resourceIds.push(value);
        break;
      case "actor_type":
        if (!ACTOR_TYPE_VALUES.includes(value)) err(`"${value}" is not an actor type: use ${ACTOR_TYPE_VALUES.join(", ")}`);
        else q.actorTypes.push(value);
        break;
      case "repo":
        (negated ? q.notRepos : q.repos).push(value);
        break;
      case "ip":
        q.ips.push(value);
        break;
      case "session":
        q.sessions.push(value);
        break;
      case "request":
        q.requests.push(value);
        break;
      case "created": {
        const range = value.match(/^(.+)\.\.(.+)$/);
        const op = value.match(/^(>=|<=|>|<)(.+)$/);
        if (range) {
          const a = instantRange(range[1]!);
          const b = instantRange(range[2]!);
          if (!a || !b) err(`"${value}": write created:2025-01-01..2025-01-31 with ISO dates`);
          else {
            q.from = maxDate(q.from, a[0]);
            q.to = minDate(q.to, b[1]);
          }
        } else if (op) {
          const r = instantRange(op[2]!);
          if (!r) err(`"${op[2]}" is not a date: write e.g. created:${op[1]}2025-01-01 or created:${op[1]}2025-01-01T12:00Z`);
          else if (op[1] === ">") q.from = maxDate(q.from, r[1]);
          else if (op[1] === ">=") q.from = maxDate(q.from, r[0]);
          else if (op[1] === "<") q.to = minDate(q.to, r[0]);
          else q.to = minDate(q.to, r[1]);
        } else {
          const r = instantRange(value);
          if (!r) err(`"${value}" is not a date: write e.g. created:2025-01-01 or created:>2025-01-01`);
          else {
            q.from = maxDate(q.from, r[0]);
            q.to = minDate(q.to, r[1]);
          }
        }
        break;
      }
    }
  }
  if (q.from && q.to && new Date(q.from) >= new Date(q.to)) {
    q.errors.push({ message: "the created: range is empty (its start is not before its end)", start: 0, end: input.length });
  }
  return q;
}

/** The term being typed at `cursor`, for autocomplete: `{key?, value, start, end}`. */
export function termAt(input: string, cursor: number): { key?: string; negated: boolean; value: string; start: number; end: number } {
  let start = cursor;
  while (start > 0 && !/\s/.test(input[start - 1]!)) start--;
  let end = cursor;
  while (end < input.length && !/\s/.test(input[end]!)) end++;
  const term = input.slice(start, end);
  const negated = term.startsWith("-");
  const body = negated ? term.slice(1) : term;
  const colon = body.indexOf(":");
  if (colon < 0) return { negated, value: body, start, end };
  return { key: body.slice(0, colon).toLowerCase(), negated, value: body.slice(colon + 1), start, end };
}
