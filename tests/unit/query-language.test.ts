import { describe, expect, it } from "vitest";
import type { FilterNode } from "@/lib/audit/filter-tree";
import { parseExplorerQuery, QUERY_KEYS } from "@/lib/audit/parse-explorer-query";

/** The tree without labels (the parser labels top-level clauses with their text). */
function strip(n: FilterNode | undefined): unknown {
  if (!n) return undefined;
  const { label: _l, ...rest } = n as FilterNode & { label?: string };
  if (rest.op === "and" || rest.op === "or") return { op: rest.op, nodes: rest.nodes.map(strip) };
  if (rest.op === "not") return { op: "not", node: strip(rest.node) };
  return rest;
}

const inn = (field: string, ...values: string[]) => ({ op: "in", field, values });
const like = (field: string, ...patterns: string[]) => ({ op: "like", field, patterns });
const text = (w: string) => ({ op: "text", query: `"${w}"` });
const and = (...nodes: unknown[]) => ({ op: "and", nodes });
const or = (...nodes: unknown[]) => ({ op: "or", nodes });
const not = (node: unknown) => ({ op: "not", node });
const actor = (v: string) => or(inn("actor.id", v), inn("actor.email", v));
const repo = (v: string) => or(inn("repository.id", v), inn("repository.name", v));

/** [query, expected tree] — every construct of the grammar in docs/api.md. */
const TREES: [string, unknown][] = [
  ["action:policy.update", inn("action", "policy.update")],
  ["event:policy.update", inn("action", "policy.update")],
  ["action:policy.*", like("action", "policy.*")],
  ["action:*.failed", like("action", "*.failed")],
  ["action:user.*.update", like("action", "user.*.update")],
  ["action:a action:b", or(inn("action", "a"), inn("action", "b"))],
  ["action:*.failed OR action:*.denied", or(like("action", "*.failed"), like("action", "*.denied"))],
  ["failed OR denied", or(text("failed"), text("denied"))],
  ["failed or denied", and(text("failed"), text("or"), text("denied"))],
  ["actor_type:service_account (action:*.failed OR action:*.denied)", and(inn("actor.type", "service_account"), or(like("action", "*.failed"), like("action", "*.denied")))],
  ["a b OR c", or(and(text("a"), text("b")), text("c"))],
  ["(a OR b) AND c", and(or(text("a"), text("b")), text("c"))],
  ["NOT action:user.login", not(inn("action", "user.login"))],
  ["-action:user.login", not(inn("action", "user.login"))],
  ["-actor_type:user", not(inn("actor.type", "user"))],
  ["-ip:10.0.0.0/8", not({ op: "ip", field: "ip_address", values: ["10.0.0.0/8"] })],
  ["-resource_name:Foo", not(inn("resource.name", "Foo"))],
  ['-"two words"', not(text("two words"))],
  ["-(action:a OR action:b)", not(or(inn("action", "a"), inn("action", "b")))],
  ["actor:alice@example.com", actor("alice@example.com")],
  ['actor:"Alice Developer"', actor("Alice Developer")],
  ["user:bob", actor("bob")],
  ["repo:acme/web-app", repo("acme/web-app")],
  ["repo:acme/*", or(like("repository.id", "acme/*"), like("repository.name", "acme/*"))],
  ["resource:policy", inn("resource.type", "policy")],
  ["type:policy", inn("resource.type", "policy")],
  ["resource:policy/p-1", and(inn("resource.type", "policy"), inn("resource.id", "p-1"))],
  ["resource_id:p-1", inn("resource.id", "p-1")],
  ['resource_name:"Block Critical Vulns"', inn("resource.name", "Block Critical Vulns")],
  ["resource_name:Block*", like("resource.name", "Block*")],
  ["ip:203.0.113.7", { op: "ip", field: "ip_address", values: ["203.0.113.7"] }],
  ["ip:10.0.0.0/8", { op: "ip", field: "ip_address", values: ["10.0.0.0/8"] }],
  ["ip:2001:db8::/32", { op: "ip", field: "ip_address", values: ["2001:db8::/32"] }],
  ["changed:severity", { op: "changed", keys: ["severity"] }],
  ["changed:a changed:b", and({ op: "changed", keys: ["a"] }, { op: "changed", keys: ["b"] })],
  ["has:changes", { op: "present", field: "changes" }],
  ["has:ip", { op: "present", field: "ip_address" }],
  ["session:s-1 request:r-1", and(inn("session_id", "s-1"), inn("request_id", "r-1"))],
  ['"PII" Block', and(text("PII"), text("Block"))],
  ['actor:alice@example.com action:policy.* -action:user.login repo:acme/web-app created:>2025-01-01 "PII"', and(actor("alice@example.com"), like("action", "policy.*"), not(inn("action", "user.login")), repo("acme/web-app"), text("PII"))],
  ["created:>2025-01-01", undefined],
];

/** [query, from, to] */
const TIMES: [string, string | undefined, string | undefined][] = [
  ["created:>2025-01-01", "2025-01-02T00:00:00.000Z", undefined],
  ["created:>=2025-01-01", "2025-01-01T00:00:00.000Z", undefined],
  ["created:<2025-01-01", undefined, "2025-01-01T00:00:00.000Z"],
  ["created:<=2025-01-01", undefined, "2025-01-02T00:00:00.000Z"],
  ["created:2025-01-01", "2025-01-01T00:00:00.000Z", "2025-01-02T00:00:00.000Z"],
  ["created:2025-01-01..2025-01-31", "2025-01-01T00:00:00.000Z", "2025-02-01T00:00:00.000Z"],
  ["created:>2025-01-01T12:00Z action:x", "2025-01-01T12:00:00.001Z", undefined],
  ["created:>2025-01-01 created:>2025-03-01", "2025-03-02T00:00:00.000Z", undefined],
];

/** [query, a fragment of the first error, the text the error points at] */
const ERRORS: [string, string, string][] = [
  ["actor:", '"actor:" needs a value', "actor:"],
  ["key:value", 'unknown key "key"', "key:value"],
  ["action:po/licy", "not an action pattern", "action:po/licy"],
  ["actor_type:robot", "not an actor type", "actor_type:robot"],
  ["ip:10.0.0.300", "not an IP address or CIDR block", "ip:10.0.0.300"],
  ["ip:not-an-ip", "not an IP address", "ip:not-an-ip"],
  ["has:nothing", '"has:nothing": use one of', "has:nothing"],
  ["created:>soon", '"soon" is not a date', "created:>soon"],
  ["-created:>2025-01-01", "created: goes at the top level", "created:>2025-01-01"],
  ["(created:>2025-01-01)", "created: goes at the top level", "created:>2025-01-01"],
  ["created:>2025-01-01 OR action:x", "created: cannot be one side of OR", "created:>2025-01-01"],
  ["created:>2025-02-01 created:<2025-01-01", "range is empty", "created:>2025-02-01 created:<2025-01-01"],
  ['"open', "unclosed quote", '"open'],
  ["(action:a", 'unclosed "("', "(action:a"],
  ["action:a)", 'unmatched ")"', ")"],
  ["OR action:a", '"OR" needs a term on each side', "OR"],
  ["()", '"()" is empty', "()"],
  ["-", "", ""],
  ["!!!", "needs a letter or digit", "!!!"],
];

describe("query language (docs/api.md grammar): parse table", () => {
  it.each(TREES)("%s", (query, tree) => {
    const q = parseExplorerQuery(query);
    expect(q.errors).toEqual([]);
    expect(strip(q.where)).toEqual(tree);
  });

  it.each(TIMES)("%s → from %s to %s", (query, from, to) => {
    const q = parseExplorerQuery(query);
    expect(q.errors).toEqual([]);
    expect([q.from, q.to]).toEqual([from, to]);
  });

  it.each(ERRORS)("%s is refused: %s", (query, message, at) => {
    const q = parseExplorerQuery(query);
    if (!message) {
      // A lone "-" is a word without letters: refused as such.
      expect(q.errors.length).toBeGreaterThan(0);
      return;
    }
    expect(q.errors[0]?.message).toContain(message);
    expect(query.slice(q.errors[0]!.start, q.errors[0]!.end)).toBe(at);
  });

  it("labels each top-level clause with its text (for empty-result explanations)", () => {
    const q = parseExplorerQuery('resource:"Block Critical Vulns" (a OR b) -action:x');
    expect(q.where?.op).toBe("and");
    const labels = q.where?.op === "and" ? q.where.nodes.map((n) => n.label) : [];
    expect(labels).toEqual(['resource:"Block Critical Vulns"', "(a OR b)", "-action:x"]);
  });

  it("autocomplete says resource: is the TYPE and offers resource_name:", () => {
    expect(QUERY_KEYS.resource).toMatch(/TYPE/);
    expect(QUERY_KEYS.resource).toMatch(/resource_name:/);
    expect(Object.keys(QUERY_KEYS)).toEqual(expect.arrayContaining(["action", "actor", "actor_type", "resource", "resource_id", "resource_name", "repo", "changed", "ip", "session", "request", "created", "has"]));
  });

  it("bounds the query's size", () => {
    expect(parseExplorerQuery("a ".repeat(40)).errors[0]?.message).toMatch(/at most 32/);
    expect(parseExplorerQuery(Array.from({ length: 11 }, (_, i) => `w${i}`).join(" ")).errors[0]?.message).toMatch(/at most 10 search words/);
    expect(parseExplorerQuery("(".repeat(9) + "a" + ")".repeat(9)).errors[0]?.message).toMatch(/nest at most/);
  });
});
