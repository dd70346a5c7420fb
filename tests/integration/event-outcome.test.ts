import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvents } from "@/lib/audit/append-events";
import { canonicalJson, chainHash } from "@/lib/audit/canonical-json";
import { COPIED_COLUMNS, CSV_COLUMNS, EXPLORER_COLUMNS, EventInputSchema } from "@/lib/audit/event-fields";
import { exploreEvents } from "@/lib/audit/explore-events";
import { explorerFilter } from "@/lib/audit/explorer-filter";
import { facetEvents } from "@/lib/audit/facet-events";
import { getEvent } from "@/lib/audit/query-events";
import { verifyChain } from "@/lib/audit/verify-chain";
import { csvHeader, toCsvRecord } from "@/lib/exports/format-entries";
import { createTestDatabase, createTestOrg, sampleEvent, TEST_DB, type TestDb } from "../support/test-database";

/**
 * `outcome` (issue 12 item 2), added through the field registry only: accepted at ingest, stored in
 * the content only when stated (the hash of an entry without it is what it always was), copied to
 * its column, attested and verified, queried with `outcome:`, counted as a facet, a CSV column and an
 * explorer column.
 */
let t: TestDb;
let orgId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  orgId = (await createTestOrg(t.db)).id;
  await appendEvents({
    sql: t.db.sql,
    orgId,
    events: [
      sampleEvent(1),
      sampleEvent(2, { outcome: "success" }),
      sampleEvent(3, { outcome: "failure", actor: { id: "svc_ci", type: "service_account" } }),
      sampleEvent(4, { outcome: "denied", actor: { id: "svc_ci", type: "service_account" } }),
      sampleEvent(5, { outcome: "denied" }),
    ].map((e) => EventInputSchema.parse(e)),
  });
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

describe(`outcome (${TEST_DB})`, () => {
  it("is optional, one of success | failure | denied", () => {
    expect(EventInputSchema.safeParse(sampleEvent(9, { outcome: "failure" })).success).toBe(true);
    const bad = EventInputSchema.safeParse(sampleEvent(9, { outcome: "maybe" }));
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["outcome"]);
    expect(EventInputSchema.safeParse(sampleEvent(9, { outcome: null })).success).toBe(false);
  });

  it("absent: not stored, and the hash is the recipe's without it (unchanged); present: in the content and its column", async () => {
    const e1 = (await getEvent({ sql: t.db.sql, orgId, id: "ev-1" }))!;
    expect("outcome" in e1).toBe(false);
    const { hash, previous_hash, ...content } = e1;
    expect(hash).toBe(chainHash(previous_hash, canonicalJson(content)));
    expect(canonicalJson(content)).not.toContain("outcome");
    const e3 = (await getEvent({ sql: t.db.sql, orgId, id: "ev-3" }))!;
    expect(e3.outcome).toBe("failure");
    const cols = await t.db.sql.query<{ id: string; outcome: string | null }>(`SELECT id, outcome FROM audit_events WHERE org_id = $1 ORDER BY seq`, [orgId]);
    expect(cols.map((c) => c.outcome)).toEqual([null, "success", "failure", "denied", "denied"]);
  });

  it("verifies; a changed outcome column is named by verify (and a cleared one, and one set where none was stated)", async () => {
    expect(await verifyChain({ sql: t.db.sql, orgId, filter: {} })).toMatchObject({ verified: true, problem_count: 0 });
    for (const [seq, value] of [[3, "'success'"], [4, "NULL"], [1, "'denied'"]] as const) {
      const org = (await createTestOrg(t.db)).id;
      await appendEvents({ sql: t.db.sql, orgId: org, events: [sampleEvent(1), sampleEvent(2, { outcome: "success" }), sampleEvent(3, { outcome: "failure" }), sampleEvent(4, { outcome: "denied" })].map((e) => EventInputSchema.parse(e)) });
      await t.db.sql.transaction(async (tx) => {
        await tx.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`);
        await tx.query(`UPDATE audit_events SET outcome = ${value} WHERE org_id = $1 AND seq = $2`, [org, seq]);
        await tx.query(`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_no_update_delete`);
      });
      for (const deep of [false, true]) {
        const v = await verifyChain({ sql: t.db.sql, orgId: org, filter: {}, deep });
        expect(v.verified, `seq ${seq} → ${value}, deep ${deep}`).toBe(false);
        expect(v.problems).toContainEqual(expect.objectContaining({ problem: "column_mismatch", seq, field: "outcome" }));
      }
    }
  });

  it("outcome: in the query language, with OR and actor types (the auditor's question)", async () => {
    const ids = async (q: string) => (await exploreEvents({ sql: t.db.sql, orgId, params: { q }, limit: 50 })).data.map((e) => e.id).sort();
    expect(await ids("outcome:denied")).toEqual(["ev-4", "ev-5"]);
    expect(await ids("(outcome:failure OR outcome:denied) actor_type:service_account")).toEqual(["ev-3", "ev-4"]);
    expect(await ids("-outcome:success")).toEqual(["ev-1", "ev-3", "ev-4", "ev-5"]);
    expect(await ids("has:outcome")).toEqual(["ev-2", "ev-3", "ev-4", "ev-5"]);
    expect(() => explorerFilter({ q: "outcome:maybe" })).toThrow(/success, failure, denied/);
  });

  it("is a facet, a CSV column and an explorer column (all from the registry)", async () => {
    const facets = await facetEvents({ sql: t.db.sql, orgId, filter: {} });
    expect(facets.outcomes).toEqual([
      { value: "denied", count: 2 },
      { value: "failure", count: 1 },
      { value: "success", count: 1 },
    ]);
    expect(CSV_COLUMNS).toContain("outcome");
    const e4 = (await getEvent({ sql: t.db.sql, orgId, id: "ev-4" }))!;
    expect(toCsvRecord(e4)[CSV_COLUMNS.indexOf("outcome")]).toBe("denied");
    expect(csvHeader()).toContain(",outcome,");
    expect(EXPLORER_COLUMNS.map((c) => c.id)).toContain("outcome");
    expect(COPIED_COLUMNS.find((c) => c.name === "outcome")).toMatchObject({ late: true, indexed: true });
  });
});
