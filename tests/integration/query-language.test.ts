import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvents } from "@/lib/audit/append-events";
import type { EventInput } from "@/lib/audit/event-schema";
import { exploreEvents } from "@/lib/audit/explore-events";
import { createLogExport, createEvidenceExport } from "@/lib/exports/create-export";
import { listRepositories } from "@/lib/exports/export-repositories";
import { previewLogExport } from "@/lib/exports/preview-export";
import { createTestDatabase, createTestOrg, TEST_DB, type TestDb } from "../support/test-database";

/**
 * The query language end to end (issue 12 item 3): each query through the parser, the filter tree,
 * its resolution by index probes and its SQL, on PGlite and PostgreSQL, against a small org whose
 * entries are chosen so that every construct has matches and non-matches. Also: sort both ways over
 * the whole result (item 5), empty results that say why (item 4), exports refusing an unknown
 * repository and warning before an empty file.
 */
let t: TestDb;
let orgId: string;

const at = (min: number) => new Date(Date.UTC(2025, 4, 1, 12, min)).toISOString();
const alice = { id: "user_alice", type: "user" as const, email: "alice@acme.com", name: "Alice" };
const bob = { id: "user_bob", type: "user" as const, email: "bob@acme.com" };
const ci = { id: "svc_ci", type: "service_account" as const, name: "CI" };
const web = { id: "repo_web", name: "acme/web-app" };
const api = { id: "repo_api", name: "acme/api" };
const blockCritical = { type: "policy", id: "pol_block", name: "Block Critical Vulns" };
const branch = { type: "policy", id: "pol_branch", name: "Branch protection" };

const EVENTS: EventInput[] = [
  { id: "e01", timestamp: at(1), actor: alice, action: "policy.update", resource: blockCritical, repository: web, changes: { severity: { old: "high", new: "critical" } }, ip_address: "10.1.2.3" },
  { id: "e02", timestamp: at(2), actor: bob, action: "policy.update", resource: branch, repository: api, changes: { block_mode: { old: "monitor", new: "block" } }, ip_address: "192.168.1.5" },
  { id: "e03", timestamp: at(3), actor: ci, action: "scan.failed", resource: { type: "scan", id: "scan_1" }, repository: web, ip_address: "10.200.0.9" },
  { id: "e04", timestamp: at(4), actor: ci, action: "deploy.denied", resource: { type: "deployment", id: "dep_1", name: "web to production" }, repository: web },
  { id: "e05", timestamp: at(5), actor: alice, action: "user.login", resource: { type: "user", id: "user_alice" }, ip_address: "2001:db8::5", details: { method: "sso" } },
  { id: "e06", timestamp: at(6), actor: bob, action: "user.login.failed", resource: { type: "user", id: "user_bob" }, ip_address: "203.0.113.9" },
  { id: "e07", timestamp: at(7), actor: alice, action: "user.role.update", resource: { type: "user", id: "user_bob" }, changes: { role: { old: "viewer", new: "admin" } } },
  { id: "e08", timestamp: at(8), actor: ci, action: "scan.completed", resource: { type: "scan", id: "scan_2" }, repository: api, details: { note: "access denied for contractor" } },
  { id: "e09", timestamp: at(8), actor: bob, action: "policy.create", resource: { type: "policy", id: "pol_new", name: "Block Critical Secrets" }, repository: api, session_id: "sess_9", request_id: "req_9" },
  { id: "e10", timestamp: at(9), actor: alice, action: "user.profile.update", resource: { type: "user", id: "user_alice" }, changes: { severity_label: { old: "a", new: "b" } } },
];

beforeAll(async () => {
  t = await createTestDatabase();
  orgId = (await createTestOrg(t.db)).id;
  await appendEvents({ sql: t.db.sql, orgId, events: EVENTS });
  // Another org with the same shapes: never visible.
  const other = (await createTestOrg(t.db)).id;
  await appendEvents({ sql: t.db.sql, orgId: other, events: EVENTS.map((e) => ({ ...e, id: `x-${e.id}` })) });
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

async function ids(q: string, extra: Record<string, string> = {}): Promise<string[]> {
  const page = await exploreEvents({ sql: t.db.sql, orgId, params: { q, ...extra }, limit: 100 });
  return page.data.map((e) => e.id).sort();
}

/** [query, the ids it must return] */
const CASES: [string, string[]][] = [
  ["action:*.failed", ["e03", "e06"]],
  ["action:*.failed OR action:*.denied", ["e03", "e04", "e06"]],
  ["action:user.*.update", ["e07", "e10"]],
  ["action:policy.*", ["e01", "e02", "e09"]],
  ["actor_type:service_account (action:*.failed OR action:*.denied)", ["e03", "e04"]],
  ["failed OR denied", ["e03", "e04", "e06", "e08"]],
  ["-action:user.* -action:policy.*", ["e03", "e04", "e08"]],
  ["-actor:alice@acme.com -actor:svc_ci", ["e02", "e06", "e09"]],
  ["NOT (actor_type:user)", ["e03", "e04", "e08"]],
  ["-repo:acme/web-app action:policy.*", ["e02", "e09"]],
  ["-repo:acme/web-app -repo:acme/api", ["e05", "e06", "e07", "e10"]],
  ["repo:acme/web-app", ["e01", "e03", "e04"]],
  ["repo:repo_api", ["e02", "e08", "e09"]],
  ["repo:acme/*", ["e01", "e02", "e03", "e04", "e08", "e09"]],
  ["resource:policy", ["e01", "e02", "e09"]],
  ["resource:policy/pol_block", ["e01"]],
  ["-resource:user", ["e01", "e02", "e03", "e04", "e08", "e09"]],
  ['resource_name:"Block Critical Vulns"', ["e01"]],
  ['resource_name:"block critical vulns"', ["e01"]],
  ["resource_name:Block*", ["e01", "e09"]],
  ['-resource_name:"Block Critical Vulns" resource:policy', ["e02", "e09"]],
  ['"Block Critical"', ["e01", "e09"]],
  ["ip:10.0.0.0/8", ["e01", "e03"]],
  ["ip:10.1.2.3", ["e01"]],
  ["ip:2001:db8::/32", ["e05"]],
  ["-ip:10.0.0.0/8 has:ip", ["e02", "e05", "e06"]],
  ["changed:severity", ["e01"]],
  ["changed:block_mode", ["e02"]],
  ["changed:role OR changed:severity", ["e01", "e07"]],
  ["has:changes", ["e01", "e02", "e07", "e10"]],
  ["-has:changes actor:alice@acme.com", ["e05"]],
  ["has:repository actor_type:user", ["e01", "e02", "e09"]],
  ["session:sess_9", ["e09"]],
  ["request:req_9", ["e09"]],
  ["resource_id:scan_2", ["e08"]],
  ["(actor:bob@acme.com OR actor:svc_ci) (resource:scan OR resource:policy)", ["e02", "e03", "e08", "e09"]],
  ["created:>=2025-05-01T12:08Z", ["e08", "e09", "e10"]],
  ["created:<2025-05-01T12:02Z", ["e01"]],
];

describe(`query language on ${TEST_DB}: each construct finds exactly its entries`, () => {
  it.each(CASES)("%s", async (q, expected) => {
    expect(await ids(q)).toEqual(expected);
  });

  it("created: and the page's range: the narrower bound wins, and the answer says which", async () => {
    const page = await exploreEvents({ sql: t.db.sql, orgId, params: { q: "created:>=2025-05-01T12:05Z", from: "2025-05-01T12:03:00Z", to: "2025-05-01T12:06:30Z" }, limit: 100 });
    expect(page.data.map((e) => e.id).sort()).toEqual(["e05", "e06"]);
    expect(page.time_window).toEqual({ from: "2025-05-01T12:05:00.000Z", to: "2025-05-01T12:06:30.001Z", from_source: "query", to_source: "range" });
  });
});

describe(`sort by time both ways over the whole result (${TEST_DB})`, () => {
  async function all(order: "asc" | "desc", q = ""): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await exploreEvents({ sql: t.db.sql, orgId, params: { q }, limit: 3, order, cursor, withTotal: false });
      out.push(...page.data.map((e) => e.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return out;
  }
  it("oldest first is newest first reversed, across pages (equal timestamps ordered by seq)", async () => {
    const desc = await all("desc");
    const asc = await all("asc");
    expect(desc).toHaveLength(10);
    expect(asc).toEqual([...desc].reverse());
    expect(asc.slice(0, 2)).toEqual(["e01", "e02"]);
    expect(asc.indexOf("e08")).toBeLessThan(asc.indexOf("e09")); // same timestamp: seq
    expect(await all("asc", "action:policy.*")).toEqual(["e01", "e02", "e09"]);
  });
  it("a cursor is refused in the other order (400 naming cursor)", async () => {
    const first = await exploreEvents({ sql: t.db.sql, orgId, params: {}, limit: 3, order: "desc" });
    await expect(exploreEvents({ sql: t.db.sql, orgId, params: {}, limit: 3, order: "asc", cursor: first.next_cursor! })).rejects.toMatchObject({ field: "cursor" });
  });
});

describe(`empty results say why (${TEST_DB})`, () => {
  it("a name typed into resource: (the type) → the culprit and resource_name:", async () => {
    const q = 'resource:"Block Critical Vulns" action:policy.*';
    const page = await exploreEvents({ sql: t.db.sql, orgId, params: { q }, limit: 10 });
    expect(page.data).toEqual([]);
    expect(page.empty?.culprit).toBe('resource:"Block Critical Vulns"');
    expect(page.empty?.clauses).toEqual(
      expect.arrayContaining([
        { clause: 'resource:"Block Critical Vulns"', kind: "query", matches_without: 3, exact: true },
        { clause: "action:policy.*", kind: "query", matches_without: 0, exact: true },
      ]),
    );
    const s = page.empty?.suggestions.find((x) => x.q?.includes("resource_name:"));
    expect(s).toMatchObject({ q: 'resource_name:"Block Critical Vulns" action:policy.*', matches: 1 });
    expect(s?.message).toMatch(/TYPE/);
    expect(await ids(s!.q!)).toEqual(["e01"]);
  });
  it("created: outside the page's range → the time is the culprit", async () => {
    const page = await exploreEvents({ sql: t.db.sql, orgId, params: { q: "created:<2025-05-01T12:03Z", from: "2025-05-01T12:05:00Z" }, limit: 10 });
    expect(page.data).toEqual([]);
    expect(page.empty?.clauses).toEqual(expect.arrayContaining([expect.objectContaining({ clause: "time range", kind: "time", matches_without: 2 })]));
    expect(page.empty?.suggestions.some((x) => /outside the selected time range/.test(x.message))).toBe(true);
  });
  it("action:failed → action:*.failed", async () => {
    const page = await exploreEvents({ sql: t.db.sql, orgId, params: { q: "action:failed" }, limit: 10 });
    expect(page.empty?.suggestions).toEqual(expect.arrayContaining([expect.objectContaining({ q: "action:*.failed", matches: 2 })]));
  });
  it("a non-empty page has no explanation", async () => {
    expect((await exploreEvents({ sql: t.db.sql, orgId, params: { q: "action:*.failed" }, limit: 10 })).empty).toBeUndefined();
  });
});

describe(`exports: no silent empty files (${TEST_DB})`, () => {
  const actor = { id: "user_alice", type: "user" as const };
  it("refuses a repository name given as the id (400 naming repositoryId, with the id)", async () => {
    await expect(createLogExport({ db: t.db, orgId, actor, request: { format: "csv", repositoryId: "acme/web-app" } })).rejects.toMatchObject({
      field: "repositoryId",
      message: expect.stringContaining('use "repo_web"'),
    });
    await expect(createLogExport({ db: t.db, orgId, actor, request: { format: "csv", repositoryId: "repo_nope" } })).rejects.toMatchObject({ field: "repositoryId", message: expect.stringContaining("no repository") });
    await expect(
      createEvidenceExport({ db: t.db, orgId, actor, request: { format: "zip", framework: "soc2", audit_period: { from: "2025-01-01", to: "2025-12-31" }, include: ["access_logs"], repository_ids: ["repo_web", "acme/api"] } }),
    ).rejects.toMatchObject({ field: "repository_ids[1]" });
  });
  it("lists repositories by name for the picker", async () => {
    expect(await listRepositories({ sql: t.db.sql, orgId, q: "WEB" })).toEqual([{ id: "repo_web", name: "acme/web-app" }]);
    expect((await listRepositories({ sql: t.db.sql, orgId })).map((r) => r.id)).toEqual(["repo_api", "repo_web"]);
  });
  it("previews rows and warns before an empty file", async () => {
    expect(await previewLogExport({ sql: t.db.sql, orgId, request: { format: "csv", q: "action:*.failed" } })).toEqual({ rows: 2, rows_exact: true, warnings: [] });
    const empty = await previewLogExport({ sql: t.db.sql, orgId, request: { format: "csv", repositoryId: "repo_web", from: "2024-01-01", to: "2024-02-01" } });
    expect(empty.rows).toBe(0);
    expect(empty.warnings[0]).toMatchObject({ code: "empty" });
  });
  it("the export's q speaks the same language", async () => {
    const job = await createLogExport({ db: t.db, orgId, actor, request: { format: "jsonl", q: "(action:*.failed OR action:*.denied) actor_type:service_account" } });
    expect(job.rowsTotal).toBe(2);
  });
});
