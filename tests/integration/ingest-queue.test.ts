/**
 * Issue 10, ingest under load: requests of one org wait for their turn in the process
 * (lib/audit/queue-appends.ts), not inside a statement, so queueing alone never fails them with the
 * statement budget; waiting requests are appended together (group commit). A statement that is
 * genuinely slow — here one that cannot get the chain-head lock another connection holds — still
 * answers 503 `query_timeout` at the budget and holds nothing after it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import { parseIngestBody } from "@/lib/audit/parse-ingest-body";
import { queueAppends } from "@/lib/audit/queue-appends";
import { verifyChain } from "@/lib/audit/verify-chain";
import { AppError } from "@/lib/errors";
import { getDatabase } from "@/lib/db/get-database";
import { withQueryBudget } from "@/lib/db/query-budget";
import { errorResponse } from "@/lib/http/respond";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { sampleEvent, TEST_DB } from "../support/test-database";

let app: { close(): Promise<void> };
let writer: string;
let orgId: string;

beforeAll(async () => {
  app = await useScratchApp();
  expect((await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "queue" } })).status).toBe(201);
  const w = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org: "queue", name: "w", scopes: ["audit:write", "audit:read"] } });
  writer = w.body.token as string;
  const db = await getDatabase();
  orgId = (await db.sql.query<{ id: string }>(`SELECT id FROM orgs WHERE slug = 'queue'`))[0]!.id;
});
afterAll(async () => {
  delete process.env.AUDIT_STATEMENT_TIMEOUT_MS;
  await app?.close();
});

const batch = (r: number, n = 100) => ({ events: Array.from({ length: n }, (_, i) => ({ ...sampleEvent(r * 1000 + i), id: `q-${r}-${i}` })) });

describe(`ingest queue (${TEST_DB})`, () => {
  it("50 concurrent 100-event ingests into one org all succeed, in fewer transactions, one chain", async () => {
    const db = await getDatabase();
    const N = 50;
    // (Creating the org and its token recorded entries already.)
    const count = async () => (await db.sql.query<{ n: number; max: number }>(`SELECT count(*)::int8 AS n, max(seq)::int8 AS max FROM audit_events WHERE org_id = $1`, [orgId]))[0]!;
    const checkpoints = async () => (await db.sql.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM audit_checkpoints WHERE org_id = $1`, [orgId]))[0]!.n;
    const before = await count();
    const checkpointsBefore = await checkpoints();
    // Request 7 reuses request 3's first id with other content: whichever comes first is stored, the
    // other is refused (409) alone — the rest of its group is stored.
    const bodies = Array.from({ length: N }, (_, r) => batch(r));
    bodies[7]!.events[0] = { ...sampleEvent(99_999), id: "q-3-0" };
    const answers = await Promise.all(bodies.map((body) => call(logs.POST, "POST", "/api/v1/audit/logs", { token: writer, body })));
    const statuses = answers.map((a) => a.status);
    const others = statuses.filter((_, r) => r !== 3 && r !== 7);
    expect(others).toEqual(Array(N - 2).fill(201));
    expect([statuses[3], statuses[7]].sort()).toEqual([201, 409]);
    const refused = statuses[3] === 409 ? 3 : 7;
    expect(answers[refused]!.body.error).toMatchObject({ code: "conflict", field: "events[0].id" });

    expect(await count()).toEqual({ n: before.n + (N - 1) * 100, max: before.max + (N - 1) * 100 });
    // Each ingest transaction signs one checkpoint: waiting requests were appended together.
    const transactions = (await checkpoints()) - checkpointsBefore;
    console.log(`[ingest-queue] ${TEST_DB}: ${N} requests → ${transactions} transactions`);
    expect(transactions).toBeLessThan(N - 1);
    // Each request's events are contiguous and in its order.
    for (const a of answers.filter((x) => x.status === 201)) {
      const seqs = (a.body.data.events as { seq: number }[]).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    }
    expect((await verifyChain({ sql: db.sql, orgId, filter: {} })).verified).toBe(true);

    // An identical resend of a stored request: 200, all duplicates, nothing new.
    const again = await call(logs.POST, "POST", "/api/v1/audit/logs", { token: writer, body: bodies[0] });
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ accepted: 0, duplicates: 100 });
  });

  it("the queue is bounded: a request that would take the waiting events past the limit answers 503 at once and stores nothing", async () => {
    const db = await getDatabase();
    const events = (r: number) => parseIngestBody(batch(600 + r));
    const limits = { maxWaitingEvents: 150 };
    // The first starts at once (it leaves the queue), the second waits (100 events), the third would make 200.
    const outcomes = await Promise.allSettled([0, 1, 2].map((r) => queueAppends({ sql: db.sql, orgId, events: events(r), limits })));
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    const refused = (outcomes[2] as PromiseRejectedResult).reason as AppError;
    expect(refused).toBeInstanceOf(AppError);
    expect(refused.code).toBe("service_unavailable");
    expect(refused.message).toMatch(/AUDIT_INGEST_QUEUE/);
    const [stored] = await db.sql.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM audit_events WHERE org_id = $1 AND id LIKE 'q-602-%'`, [orgId]);
    expect(stored!.n).toBe(0);
  });

  it("a genuinely slow statement still answers 503 query_timeout at the budget, and the queue goes on", async () => {
    const db = await getDatabase();
    process.env.AUDIT_STATEMENT_TIMEOUT_MS = "800";
    try {
      if (TEST_DB === "postgres") {
        // Another process holds the org's chain-head lock: the append's statement waits for it
        // inside the database, under the budget.
        const pg = (await import("pg")).default;
        const locker = new pg.Client({ connectionString: process.env.DATABASE_URL });
        await locker.connect();
        try {
          await locker.query("BEGIN");
          await locker.query(`SELECT 1 FROM audit_chain_heads WHERE org_id = $1 FOR UPDATE`, [orgId]);
          const t0 = performance.now();
          const stuck = await call(logs.POST, "POST", "/api/v1/audit/logs", { token: writer, body: batch(500, 10) });
          const ms = performance.now() - t0;
          expect(stuck.status).toBe(503);
          expect(stuck.body.error.code).toBe("query_timeout");
          expect(ms).toBeLessThan(5000);
          const waiting = await locker.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database() AND pid <> pg_backend_pid()`,
          );
          expect(Number(waiting.rows[0]!.n)).toBe(0);
        } finally {
          await locker.query("ROLLBACK");
          await locker.end();
        }
      } else {
        // PGlite runs one statement at a time in this process: a slow statement under the budget.
        const slow = await withQueryBudget({}, () => db.sql.query("SELECT pg_sleep(1.2)")).then(
          () => null,
          (e: unknown) => e,
        );
        const res = errorResponse(slow);
        expect(res.status).toBe(503);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("query_timeout");
      }
    } finally {
      delete process.env.AUDIT_STATEMENT_TIMEOUT_MS;
    }
    const after = await call(logs.POST, "POST", "/api/v1/audit/logs", { token: writer, body: batch(501, 10) });
    expect(after.status).toBe(201);
    expect((await verifyChain({ sql: db.sql, orgId, filter: {} })).verified).toBe(true);
  });
});
