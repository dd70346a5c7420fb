/**
 * Pipelined appends (issue 11, lib/audit/append-events.ts appendPreparedPipelined; the ingest queue
 * uses them on PostgreSQL): a group plans on the tail the previous group will leave, INSERTs its rows
 * without the chain-head lock, then takes the lock and must find exactly that tail. Whatever it
 * cannot be sure of it refuses, storing nothing, and the queue answers with the serial append.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvents, appendPreparedPipelined, prepareAppend, StaleTailError, type ChainTail } from "@/lib/audit/append-events";
import { chainHash } from "@/lib/audit/canonical-json";
import { queueAppends } from "@/lib/audit/queue-appends";
import { verifyChain } from "@/lib/audit/verify-chain";
import { AppError } from "@/lib/errors";
import { createTestDatabase, createTestOrg, sampleEvent, TEST_DB, type TestDb } from "../support/test-database";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

function resolvers(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const events = (from: number, n: number, prefix = "pl") => Array.from({ length: n }, (_, i) => ({ ...sampleEvent(from + i), id: `${prefix}-${from + i}` }));
const stored = async (orgId: string) =>
  (await t.db.sql.query<{ n: number; max: number | null }>(`SELECT count(*)::int8 AS n, max(seq)::int8 AS max FROM audit_events WHERE org_id = $1`, [orgId]))[0]!;
const checkpoints = async (orgId: string) =>
  (await t.db.sql.query<{ tree_size: number }>(`SELECT tree_size::int8 AS tree_size FROM audit_checkpoints WHERE org_id = $1 ORDER BY tree_size`, [orgId])).map((r) => Number(r.tree_size));

describe(`pipelined appends (${TEST_DB})`, () => {
  it("with no group in flight it starts from the committed head and appends as the serial append does", async () => {
    const org = await createTestOrg(t.db);
    await appendEvents({ sql: t.db.sql, orgId: org.id, events: events(1, 5) });
    let planned: ChainTail | null = null;
    const results = await t.db.sql.transaction((tx) =>
      appendPreparedPipelined({ tx, orgId: org.id, batches: [prepareAppend({ events: events(6, 5) })], after: null, onPlanned: (tail) => (planned = tail) }),
    );
    expect(results.map((r) => [r.seq, r.status])).toEqual([6, 7, 8, 9, 10].map((s) => [s, "created"]));
    expect(planned).toMatchObject({ seq: 10, hash: results[4]!.hash });
    expect(await stored(org.id)).toEqual({ n: 10, max: 10 });
    expect(await checkpoints(org.id)).toEqual([5, 10]);
    expect((await verifyChain({ sql: t.db.sql, orgId: org.id, filter: {} })).verified).toBe(true);
  });

  it("a tail that is not the chain head when it takes the lock: StaleTailError, nothing of it stored", async () => {
    const org = await createTestOrg(t.db);
    await appendEvents({ sql: t.db.sql, orgId: org.id, events: events(1, 3) });
    // As if a previous group had planned seq 4..8 and then failed.
    const stale: ChainTail = { seq: 8, hash: chainHash(null, "never committed"), ids: new Map() };
    await expect(
      t.db.sql.transaction((tx) => appendPreparedPipelined({ tx, orgId: org.id, batches: [prepareAppend({ events: events(9, 4) })], after: stale, onPlanned: () => undefined })),
    ).rejects.toBeInstanceOf(StaleTailError);
    expect(await stored(org.id)).toEqual({ n: 3, max: 3 });
    expect(await checkpoints(org.id)).toEqual([3]);
  });

  it("an id the previous group appends (not committed yet) is a duplicate with its result, or a 409 with other content", async () => {
    const org = await createTestOrg(t.db);
    const [first] = await appendEvents({ sql: t.db.sql, orgId: org.id, events: events(1, 1) });
    const head = await t.db.sql.query<{ seq: number; hash: string }>(`SELECT seq::int8 AS seq, hash FROM audit_chain_heads WHERE org_id = $1`, [org.id]);
    const pendingDigest = prepareAppend({ events: events(50, 1, "pending") }).events[0]!.digest;
    const pendingResult = { id: "pending-50", seq: 1, hash: first!.hash, status: "created" as const };
    // A tail equal to the committed head, carrying an id "appended" by the group before.
    const tail: ChainTail = { seq: Number(head[0]!.seq), hash: head[0]!.hash, ids: new Map([["pending-50", { result: pendingResult, digest: pendingDigest }]]) };
    const results = await t.db.sql.transaction((tx) =>
      appendPreparedPipelined({ tx, orgId: org.id, batches: [prepareAppend({ events: [...events(50, 1, "pending"), ...events(2, 1)] })], after: tail, onPlanned: () => undefined }),
    );
    expect(results.map((r) => [r.id, r.seq, r.status])).toEqual([["pending-50", 1, "duplicate"], ["pl-2", 2, "created"]]);
    const other = { ...events(50, 1, "pending")[0]!, action: "something.else" };
    await expect(
      t.db.sql.transaction((tx) => appendPreparedPipelined({ tx, orgId: org.id, batches: [prepareAppend({ events: [other] })], after: { ...tail, seq: 2, hash: results[1]!.hash }, onPlanned: () => undefined })),
    ).rejects.toMatchObject({ code: "conflict" });
  });

  it("a row forged beyond the chain head is refused although the transaction inserted its own rows first", async () => {
    const org = await createTestOrg(t.db);
    await appendEvents({ sql: t.db.sql, orgId: org.id, events: events(1, 2) });
    // A plain INSERT far beyond the head (seq 500): the pipelined rows (3, 4) do not collide with it.
    await t.db.sql.query(
      `INSERT INTO audit_events (org_id, seq, id, timestamp, received_at, actor_id, actor_type, actor_email, action, resource_type, resource_id, content, request_digest, hash, previous_hash)
       SELECT org_id, 500, 'forged', timestamp, received_at, actor_id, actor_type, actor_email, action, resource_type, resource_id, content, 'x', 'sha256:forged', 'sha256:forged-prev' FROM audit_events WHERE org_id = $1 AND seq = 2`,
      [org.id],
    );
    const attempt = t.db.sql.transaction((tx) =>
      appendPreparedPipelined({ tx, orgId: org.id, batches: [prepareAppend({ events: events(3, 2) })], after: null, onPlanned: () => undefined }),
    );
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => void errors.push(a.join(" "));
    try {
      await expect(attempt).rejects.toBeInstanceOf(AppError);
    } finally {
      console.error = original;
    }
    expect(String(errors[0])).toMatch(/entries seq 5\.\.500 are stored beyond the chain head/);
    expect(await stored(org.id)).toEqual({ n: 3, max: 500 });
  });

  it("requests queued for one org while another writer appends to it directly: every event stored once, one valid chain", async () => {
    const org = await createTestOrg(t.db);
    // The queue pipelines where the database has sessions to spare (PostgreSQL); the direct appends
    // are the serial append, as another process or an administrative change would write.
    const queued = Array.from({ length: 12 }, (_, r) =>
      queueAppends({ sql: t.db.sql, orgId: org.id, events: events(1, 100, `queued${r}`), vectorsAhead: TEST_DB === "postgres" }),
    );
    const direct = Array.from({ length: 6 }, (_, r) => appendEvents({ sql: t.db.sql, orgId: org.id, events: events(1, 10, `direct${r}`) }));
    const results = (await Promise.all([...queued, ...direct])).flat();
    expect(results.filter((r) => r.status === "created")).toHaveLength(1260);
    expect(new Set(results.map((r) => r.seq)).size).toBe(1260);
    expect(await stored(org.id)).toEqual({ n: 1260, max: 1260 });
    expect((await verifyChain({ sql: t.db.sql, orgId: org.id, filter: {} })).verified).toBe(true);
  });

  // Two transactions open at once need two sessions: PGlite is one (there the queue appends serially).
  it.runIf(TEST_DB === "postgres")("the next group INSERTs while the previous one is still open, then commits after it: one chain, one checkpoint each", async () => {
    const org = await createTestOrg(t.db);
    await appendEvents({ sql: t.db.sql, orgId: org.id, events: events(1, 10) });
    const order: string[] = [];
    let tail1!: ChainTail;
    const planned1 = resolvers();
    const secondInserted = resolvers();
    const firstLocked = resolvers();
    const first = t.db.sql
      .transaction((tx) =>
        appendPreparedPipelined({
          tx,
          orgId: org.id,
          batches: [prepareAppend({ events: events(11, 200) })],
          after: null,
          onPlanned: (tail) => {
            tail1 = tail;
            planned1.resolve();
          },
          // Holds the first group before its lock until the second has inserted its rows.
          beforeLock: () => secondInserted.promise,
          onLocked: () => {
            order.push("first locked");
            firstLocked.resolve();
          },
        }),
      )
      .then((r) => (order.push("first committed"), r));
    await planned1.promise;
    const second = t.db.sql
      .transaction((tx) =>
        appendPreparedPipelined({
          tx,
          orgId: org.id,
          batches: [prepareAppend({ events: events(211, 300) })],
          after: tail1,
          onPlanned: () => undefined,
          beforeLock: () => {
            order.push("second inserted");
            secondInserted.resolve();
            return firstLocked.promise;
          },
          onLocked: () => order.push("second locked"),
        }),
      )
      .then((r) => (order.push("second committed"), r));
    const [r1, r2] = await Promise.all([first, second]);
    // The second inserted before the first locked (so before it committed); it got the lock only
    // once the first had committed — else it would have found the head short of its tail (StaleTailError).
    expect(order.slice(0, 2)).toEqual(["second inserted", "first locked"]);
    expect([...order].sort()).toEqual(["first committed", "first locked", "second committed", "second inserted", "second locked"]);
    expect([r1[0]!.seq, r1.at(-1)!.seq, r2[0]!.seq, r2.at(-1)!.seq]).toEqual([11, 210, 211, 510]);
    expect(await stored(org.id)).toEqual({ n: 510, max: 510 });
    expect(await checkpoints(org.id)).toEqual([10, 210, 510]);
    expect((await verifyChain({ sql: t.db.sql, orgId: org.id, filter: {} })).verified).toBe(true);
  });
});
