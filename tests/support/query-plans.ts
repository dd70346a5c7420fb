import type { ExplorerParams } from "@/lib/audit/explorer-filter";
import type { Row, SqlExecutor, SqlParam } from "@/lib/db/sql";

/** EXPLAIN-checking helpers of tests/integration/query-plans.test.ts (issue 10, defect 1). */
export interface Recorded {
  text: string;
  seqScans: string[];
}

function planNodes(plan: Record<string, unknown>, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  out.push(plan);
  for (const child of (plan.Plans as Record<string, unknown>[] | undefined) ?? []) planNodes(child, out);
  return out;
}

/** Runs every statement, after EXPLAINing it (with the same parameters) when it reads audit_events; pushes what it saw to `recorded`. */
export function explainingExecutor(inner: SqlExecutor, recorded: Recorded[]): SqlExecutor {
  return {
    async query<T extends Row = Row>(text: string, params: readonly SqlParam[] = []): Promise<T[]> {
      if (/\baudit_events\b/.test(text)) {
        const [row] = await inner.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
        const raw = row!["QUERY PLAN"];
        const doc = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Plan: Record<string, unknown> }[];
        const seqScans = planNodes(doc[0]!.Plan)
          .filter((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"] === "audit_events")
          .map((n) => String(n.Filter ?? "(no filter)"));
        recorded.push({ text, seqScans });
      }
      return inner.query<T>(text, params);
    },
  };
}

export function seqScanReport(recorded: Recorded[]): string[] {
  return recorded.filter((r) => r.seqScans.length).map((r) => `${r.seqScans.join(" | ")}\n    in: ${r.text.replace(/\s+/g, " ").slice(0, 300)}`);
}

/** Query-language inputs of the explorer (the `q` box and the filter bar). */
export const EXPLORER_INPUTS: ExplorerParams[] = [
  {},
  { q: "" },
  { from: "2025-06-01", to: "2025-07-01" },
  { q: "denied" },
  { q: "contractor denied quarterly review critical vulnerability fixed PII export password" },
  { q: '"access denied" contractor' },
  { q: "user7@example.com" },
  { q: "actor:user7@example.com" },
  { q: "actor:user-7" },
  { q: "-actor:user-7" },
  { q: "actor_type:system" },
  { q: "actor_type:service_account" },
  { q: "action:policy.update" },
  { q: "action:policy.*" },
  { q: "-action:user.login" },
  { q: "-action:user.* -action:scan.*" },
  { q: "resource:policy" },
  { q: "resource:policy/res-8" },
  { q: "-resource:policy" },
  { q: "resource_id:res-8" },
  { q: "repo:acme/repo_3" },
  { q: "repo:repo_3" },
  { q: "-repo:acme/repo_3" },
  { q: "created:>2025-06-01" },
  { q: "created:<=2023-01-01" },
  { q: "created:2025-06-01..2025-06-30" },
  { q: "created:2025-06-15" },
  { q: "ip:203.0.7.7" },
  { q: "session:sess_42" },
  { q: "request:req_4242" },
  { q: "actor:user-7 action:policy.* -action:policy.delete resource:policy repo:repo_7 created:>2024-01-01 denied" },
  { q: "actor_type:user -repo:acme/repo_1 -resource:user review" },
  { actor: "user7@example.com" },
  { actor: "user-7", action: ["policy.update", "user.login"] },
  { resource_type: "policy" },
  { repo: "repo_3" },
  { repo: "repo_3", from: "2024-01-01", to: "2024-02-01", q: "action:scan.*" },
  // Issue 12: the query language's new constructs.
  { q: "action:*.failed" },
  { q: "action:user.*.delete" },
  { q: "action:*.failed OR action:*.revoked" },
  { q: "actor_type:service_account (action:*.failed OR action:*.revoked)" },
  { q: "denied OR contractor" },
  { q: "(actor:user-7 OR actor:user-8) -action:policy.*" },
  { q: "-(action:user.* OR action:scan.*) resource:policy" },
  { q: 'resource_name:"Policy 8"' },
  { q: "resource_name:Polic*" },
  { q: "ip:203.0.7.0/24" },
  { q: "ip:203.0.0.0/16 action:policy.*" },
  { q: "-ip:203.0.7.0/24 actor:user-7" },
  { q: "changed:mode" },
  { q: "has:changes" },
  { q: "has:changes actor:user-7" },
  { q: "outcome:denied" },
  { q: "(outcome:failure OR outcome:denied) actor_type:service_account" },
  { q: "created:>2025-06-01", from: "2025-06-15" },
  { q: "repo:acme/repo_1*" },
  { q: "-has:repository actor:user-7" },
];

