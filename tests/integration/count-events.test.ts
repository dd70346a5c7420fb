import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countTotal, EXACT_WALK_CAP, forgetRememberedTotals } from "@/lib/audit/count-events";
import { F, countEvents, type EventFilter } from "@/lib/audit/query-events";
import { loadBulkEvents } from "../support/bulk-events";
import { createTestDatabase, createTestOrg, TEST_DB, type TestDb } from "../support/test-database";

/**
 * The one counting policy (lib/audit/count-events.ts, issue 11 item 5): exact totals stay exact
 * whichever way they are found (rollups, a remembered total topped up with what was appended since,
 * a full count), and the bounded policy says "more than" beyond its cap.
 */
let t: TestDb;
let orgId: string;
const EVENTS = EXACT_WALK_CAP + 5_000; // more than the walk: the other ways are used
beforeAll(async () => {
  t = await createTestDatabase();
  orgId = (await createTestOrg(t.db)).id;
  await loadBulkEvents({ sql: t.db.sql, orgId, count: EVENTS });
}, 180_000);
afterAll(async () => {
  await t?.drop();
});

// bulk events: one every 421 s back from 2026-01-01, so ~73 days over three calendar months.
const filters: [string, EventFilter, "rollups" | "count" | "walk"][] = [
  ["everything", {}, "rollups"],
  ["one action (exact)", { where: F.in("action", "policy.update", "user.login") }, "walk"],
  ["an action prefix", { where: F.prefix("action", "user.") }, "walk"],
  ["actor type", { where: F.in("actor.type", "user") }, "rollups"],
  ["time range with partial days and a whole month", { from: new Date("2025-10-17T13:14:15Z"), to: new Date("2025-12-20T01:02:03Z") }, "rollups"],
  ["open-ended from (mid-day)", { from: new Date("2025-11-03T08:00:00.500Z") }, "rollups"],
  ["open-ended to (mid-day)", { to: new Date("2025-12-30T23:59:59Z"), where: F.in("actor.type", "user") }, "rollups"],
  ["action prefixes and a range inside one month", { where: F.prefix("action", "user.", "scan."), from: new Date("2025-12-02T12:00:00Z"), to: new Date("2025-12-09T06:00:00Z") }, "walk"],
  ["a selective filter the rollups cannot answer", { where: F.and(F.in("resource.type", "policy"), F.in("actor.type", "user")) }, "walk"],
  ["an unselective filter the rollups cannot answer", { where: F.in("repository.id", ...["repo_1", "repo_2", "repo_3", "repo_4", "repo_5", "repo_6", "repo_7", "repo_8", "repo_9", "repo_10", "repo_11"]) }, "count"],
];

describe(`totals (${TEST_DB})`, () => {
  it.each(filters)("exact: %s", async (_name, filter, way) => {
    forgetRememberedTotals();
    const expected = await countEvents({ sql: t.db.sql, orgId, filter });
    const total = await countTotal({ sql: t.db.sql, orgId, filter, policy: "exact" });
    expect(total).toEqual({ count: expected, exact: true, source: expected <= EXACT_WALK_CAP ? "walk" : way });
    // The next page's total: remembered, unless the walk was exact already.
    const again = await countTotal({ sql: t.db.sql, orgId, filter, policy: "exact" });
    expect(again).toEqual({ count: expected, exact: true, source: expected <= EXACT_WALK_CAP ? "walk" : "remembered" });
  });

  it("a remembered total adds exactly what was appended since, and a filter order does not matter", async () => {
    forgetRememberedTotals();
    const repos = ["repo_1", "repo_2", "repo_3", "repo_4", "repo_5", "repo_6", "repo_7", "repo_8", "repo_9", "repo_10", "repo_11", "repo_0"];
    const filter: EventFilter = { where: F.and(F.in("actor.type", "user"), F.in("repository.id", ...repos)) };
    const before = await countTotal({ sql: t.db.sql, orgId, filter, policy: "exact" });
    expect(before.source).toBe("count");
    await loadBulkEvents({ sql: t.db.sql, orgId, count: 700, startSeq: EVENTS + 1 });
    const reordered: EventFilter = { where: F.and(F.in("repository.id", ...[...repos].reverse()), F.in("actor.type", "user")) };
    const after = await countTotal({ sql: t.db.sql, orgId, filter: reordered, policy: "exact" });
    expect(after.source).toBe("remembered");
    expect(after.count).toBe(await countEvents({ sql: t.db.sql, orgId, filter }));
    expect(after.count).toBeGreaterThan(before.count);
  });

  it("a remembered total is not topped up across more than its span of new entries (a bulk load): found afresh, still exact", async () => {
    forgetRememberedTotals();
    const repos = ["repo_1", "repo_2", "repo_3", "repo_4", "repo_5", "repo_6", "repo_7", "repo_8", "repo_9", "repo_10", "repo_11", "repo_0"];
    const filter: EventFilter = { where: F.and(F.in("actor.type", "user"), F.in("repository.id", ...repos)) };
    const before = await countTotal({ sql: t.db.sql, orgId, filter, policy: "exact", rememberedSpan: 500 });
    expect(before.source).toBe("count");
    const head = Number((await t.db.sql.query<{ head: number }>(`SELECT max(seq)::int8 AS head FROM audit_events WHERE org_id = $1`, [orgId]))[0]!.head);
    await loadBulkEvents({ sql: t.db.sql, orgId, count: 700, startSeq: Number(head) + 1 });
    const after = await countTotal({ sql: t.db.sql, orgId, filter, policy: "exact", rememberedSpan: 500 });
    expect(after.source).toBe("count");
    expect(after.count).toBe(await countEvents({ sql: t.db.sql, orgId, filter }));
    // Within the span again: topped up.
    await loadBulkEvents({ sql: t.db.sql, orgId, count: 100, startSeq: Number(head) + 701 });
    const next = await countTotal({ sql: t.db.sql, orgId, filter, policy: "exact", rememberedSpan: 500 });
    expect(next.source).toBe("remembered");
    expect(next.count).toBe(await countEvents({ sql: t.db.sql, orgId, filter }));
  });

  it("bounded: exact up to the cap, else the cap and exact false", async () => {
    expect(await countTotal({ sql: t.db.sql, orgId, filter: {}, policy: "bounded", cap: 100 })).toEqual({ count: 100, exact: false, source: "walk" });
    const few = await countEvents({ sql: t.db.sql, orgId, filter: { where: F.in("action", ...["policy.update"]) } });
    expect(await countTotal({ sql: t.db.sql, orgId, filter: { where: F.in("action", ...["policy.update"]) }, policy: "bounded", cap: few })).toEqual({ count: few, exact: true, source: "walk" });
  });

  it("nothing can match: 0 without counting", async () => {
    expect(await countTotal({ sql: t.db.sql, orgId, filter: { where: F.actor("nobody@example.com") }, policy: "exact" })).toEqual({ count: 0, exact: true, source: "none" });
  });
});
