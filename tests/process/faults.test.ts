import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { api, startAppServer, type AppServer } from "../support/app-server";
import { createScratchPostgres, sampleEvent } from "../support/test-database";
import { createThrowawayPostgres, type ThrowawayPostgres } from "../support/throwaway-postgres";

/**
 * Issue 10, defect 7 — the fault suite, against the built app (`next start`):
 * (a) PostgreSQL stopped (`pg_ctl stop -m immediate`) under running ingest clients, on a throw-away
 *     cluster on its own port: clients get 503 + Retry-After (never 500), health says `down`, and after
 *     PostgreSQL is started again the same app process serves again by itself; 0 acknowledged events
 *     lost, no batch stored in part, the chain verifies.
 * (b) PGlite on a full disk (a small tmpfs): writes answer 507 with a clear message, reads still
 *     work, health says `degraded` and why; once space returns, writes succeed again without a restart.
 * The counts are printed.
 */
const ROOT = "root_fault_suite_0123456789";
const PG_PORT = 55401;
const servers: AppServer[] = [];
const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const s of servers) await s.kill9().catch(() => undefined);
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch((e) => console.error("cleanup failed:", e));
});

async function bootstrap(base: string, slug: string): Promise<string> {
  expect((await api(base, "POST", "/api/v1/admin/orgs", ROOT, { slug })).status).toBe(201);
  const t = await api(base, "POST", "/api/v1/admin/tokens", ROOT, { org: slug, name: "writer", scopes: ["audit:read", "audit:write"] });
  expect(t.status).toBe(201);
  return t.body!.token as string;
}

const BATCH = 20;
const batchBody = (prefix: string) => ({ events: Array.from({ length: BATCH }, (_, i) => ({ ...sampleEvent(i), id: `${prefix}-${i}` })) });

interface Tally {
  acknowledged: string[];
  statuses: Record<number, number>;
  retryAfterMissing: number;
  otherErrors: string[];
}

async function post(base: string, token: string, body: unknown): Promise<{ status: number; retryAfter: string | null; text: string }> {
  try {
    const res = await fetch(`${base}/api/v1/audit/logs`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, retryAfter: res.headers.get("retry-after"), text: await res.text() };
  } catch (e) {
    return { status: 0, retryAfter: null, text: String(e) };
  }
}

/** An ingest client: sends batches until stopped; a refused batch is retried (same ids) after a pause, like a real producer. */
function ingestClient(base: string, token: string, name: string, tally: Tally, running: () => boolean): Promise<void> {
  return (async () => {
    let k = 0;
    let prefix = `${name}-b${k}`;
    while (running()) {
      const r = await post(base, token, batchBody(prefix));
      tally.statuses[r.status] = (tally.statuses[r.status] ?? 0) + 1;
      if (r.status === 201 || r.status === 200) {
        tally.acknowledged.push(prefix);
        prefix = `${name}-b${++k}`;
        continue;
      }
      if (r.status === 503 || r.status === 507) {
        if (!r.retryAfter) tally.retryAfterMissing++;
      } else tally.otherErrors.push(`${r.status}: ${r.text.slice(0, 200)}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  })();
}

describe("fault suite", () => {
  it("PostgreSQL stopped mid-ingest: 503 + Retry-After, recovery without restart, nothing acknowledged lost, no partial batch", async () => {
    const cluster: ThrowawayPostgres = createThrowawayPostgres(PG_PORT);
    cleanups.push(() => cluster.remove());
    const app = await startAppServer({ DATABASE_URL: cluster.url, AUDIT_ROOT_TOKEN: ROOT, AUDIT_RATE_LIMIT: "0" });
    servers.push(app);
    const token = await bootstrap(app.base, "faults-pg");

    const tally: Tally = { acknowledged: [], statuses: {}, retryAfterMissing: 0, otherErrors: [] };
    let running = true;
    const clients = Array.from({ length: 4 }, (_, c) => ingestClient(app.base, token, `c${c}`, tally, () => running));
    await new Promise((r) => setTimeout(r, 2000));
    const ackedBeforeStop = tally.acknowledged.length;
    cluster.stopImmediate();
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    const health = await fetch(`${app.base}/api/health`);
    const healthBody = (await health.json()) as { status: string; database: { read: boolean; write: boolean }; message: string };
    const refusedDuringOutage = tally.statuses[503] ?? 0;
    cluster.start();
    const restartedAt = Date.now();
    // The same app process recovers by itself: wait for fresh acknowledgements.
    const ackedAtRestart = tally.acknowledged.length;
    while (tally.acknowledged.length < ackedAtRestart + 8 && Date.now() - restartedAt < 60_000) await new Promise((r) => setTimeout(r, 100));
    const recoveredAfterMs = Date.now() - restartedAt;
    running = false;
    await Promise.all(clients);

    // Stored, read directly from the cluster: every acknowledged batch whole, no batch in part.
    const c = new pg.Client({ connectionString: cluster.url });
    await c.connect();
    const rows = (
      await c.query<{ prefix: string; n: number }>(
        `SELECT regexp_replace(e.id, '-[0-9]+$', '') AS prefix, count(*)::int AS n FROM audit_events e JOIN orgs o ON o.id = e.org_id
         WHERE o.slug = 'faults-pg' AND e.id LIKE 'c%' GROUP BY 1`,
      )
    ).rows;
    await c.end();
    const stored = new Map(rows.map((r) => [r.prefix, r.n]));
    const lost = tally.acknowledged.filter((p) => stored.get(p) !== BATCH);
    const partial = rows.filter((r) => r.n !== BATCH);
    const verify = await api(app.base, "POST", "/api/v1/audit/verify", token);

    console.log(
      `[faults] PostgreSQL outage: ${tally.acknowledged.length} batches of ${BATCH} acknowledged (${ackedBeforeStop} before the stop), ` +
        `${refusedDuringOutage} answers 503 during the ${restartedAt - stoppedAt} ms outage (${tally.statuses[503] ?? 0} in all), ` +
        `statuses ${JSON.stringify(tally.statuses)}, Retry-After missing on ${tally.retryAfterMissing}; health during the outage ${health.status} ${JSON.stringify(healthBody)}; ` +
        `recovered ${recoveredAfterMs} ms after the restart; stored batches ${rows.length}, acknowledged lost ${lost.length}, partial batches ${partial.length}; ` +
        `verify ${JSON.stringify(verify.body?.data)}`,
    );
    expect(ackedBeforeStop).toBeGreaterThan(0);
    expect(refusedDuringOutage).toBeGreaterThan(0);
    expect(tally.statuses[500] ?? 0).toBe(0);
    expect(tally.otherErrors).toEqual([]);
    expect(tally.retryAfterMissing).toBe(0);
    expect(health.status).toBe(503);
    expect(healthBody).toMatchObject({ status: "down", database: { read: false, write: false } });
    expect(healthBody.message).toMatch(/unavailable|connect|ECONNREFUSED/i);
    expect(tally.acknowledged.length).toBeGreaterThanOrEqual(ackedAtRestart + 8);
    expect(lost).toEqual([]);
    expect(partial).toEqual([]);
    expect((await fetch(`${app.base}/api/health`)).status).toBe(200);
    expect(verify.status).toBe(200);
    expect(verify.body!.data).toMatchObject({ verified: true, chain_valid: true, gaps_detected: 0, hash_mismatches: 0 });
  }, 300_000);

  it("disk full under PGlite: writes answer 507 with a clear message, reads work, health degraded; recovery when space returns", async () => {
    const mnt = fs.mkdtempSync(path.join(os.tmpdir(), "audit-disk-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=200m", "tmpfs", mnt]);
    cleanups.push(() => {
      execFileSync("umount", ["-l", mnt]);
      fs.rmSync(mnt, { recursive: true, force: true });
    });
    const app = await startAppServer({ AUDIT_DATA_DIR: path.join(mnt, "data"), AUDIT_ROOT_TOKEN: ROOT, AUDIT_RATE_LIMIT: "0" });
    servers.push(app);
    const token = await bootstrap(app.base, "faults-disk");
    expect((await post(app.base, token, batchBody("before"))).status).toBe(201);

    // Fill the filesystem to the last byte.
    const fillers: string[] = [];
    for (let i = 0; ; i++) {
      const f = path.join(mnt, `filler-${i}`);
      try {
        fs.writeFileSync(f, Buffer.alloc(1 << 20));
        fillers.push(f);
      } catch {
        fillers.push(f);
        for (const size of [65536, 4096, 512]) {
          try {
            for (let j = 0; j < 4096; j++) fs.appendFileSync(f, Buffer.alloc(size));
          } catch {
            /* full at this granularity */
          }
        }
        break;
      }
    }
    const counts: Record<number, number> = {};
    let refusal: { status: number; text: string; retryAfter: string | null } | undefined;
    for (let i = 0; i < 40 && !refusal; i++) {
      const r = await post(app.base, token, batchBody(`full-${i}`));
      counts[r.status] = (counts[r.status] ?? 0) + 1;
      if (r.status !== 201) refusal = r;
    }
    const health = await fetch(`${app.base}/api/health`);
    const healthBody = (await health.json()) as { status: string; database: { read: boolean; write: boolean }; message: string };
    const read = await api(app.base, "GET", "/api/v1/audit/logs?limit=5", token);

    for (const f of fillers) fs.rmSync(f, { force: true });
    const after = await post(app.base, token, batchBody("after"));
    const healthAfter = await fetch(`${app.base}/api/health`);
    const verify = await api(app.base, "POST", "/api/v1/audit/verify", token);
    console.log(
      `[faults] PGlite disk full: ingest answers while full ${JSON.stringify(counts)}; refusal ${refusal?.status} ${refusal?.text.slice(0, 200)} (Retry-After ${refusal?.retryAfter}); ` +
        `health while full ${health.status} ${JSON.stringify(healthBody)}; read while full ${read.status}; after freeing space: ingest ${after.status}, health ${healthAfter.status}; verify ${JSON.stringify(verify.body?.data)}`,
    );
    expect(refusal?.status).toBe(507);
    expect(refusal?.text).toMatch(/no space left/i);
    expect(refusal?.retryAfter).not.toBeNull();
    expect(counts[500] ?? 0).toBe(0);
    expect(health.status).toBe(503);
    expect(healthBody).toMatchObject({ status: "degraded", database: { read: true, write: false } });
    expect(healthBody.message).toMatch(/space/i);
    expect(read.status).toBe(200);
    expect(after.status).toBe(201);
    expect(healthAfter.status).toBe(200);
    expect(verify.body!.data).toMatchObject({ verified: true, chain_valid: true, gaps_detected: 0 });
  }, 300_000);

  it("a request stuck in the database answers 503 query_timeout at the budget; one whose client goes away has its statement cancelled", async () => {
    const scratch = await createScratchPostgres();
    cleanups.push(scratch.drop);
    const app = await startAppServer({ DATABASE_URL: scratch.url, AUDIT_ROOT_TOKEN: ROOT, AUDIT_RATE_LIMIT: "0", AUDIT_STATEMENT_TIMEOUT_MS: "3000" });
    servers.push(app);
    const token = await bootstrap(app.base, "faults-budget");
    const locker = new pg.Client({ connectionString: scratch.url });
    await locker.connect();
    cleanups.push(() => locker.end());
    // Another session holds the org's chain head: every ingest waits for it in the database.
    await locker.query("BEGIN");
    await locker.query(`SELECT 1 FROM audit_chain_heads h JOIN orgs o ON o.id = h.org_id WHERE o.slug = 'faults-budget' FOR UPDATE OF h`);
    const waiting = async () =>
      Number(
        (await locker.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database() AND pid <> pg_backend_pid()`)).rows[0]!.n,
      );

    // 1. The client gives up after 1 s: its waiting statement is cancelled, not left in the database.
    const gaveUp = await fetch(`${app.base}/api/v1/audit/logs`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(batchBody("abandoned")),
      signal: AbortSignal.timeout(1000),
    }).then(
      (r) => r.status,
      (e: unknown) => (e as Error).name,
    );
    const waitingAtAbort = await waiting();
    await new Promise((r) => setTimeout(r, 1000));
    const waitingAfterAbort = await waiting();

    // 2. A client that waits gets 503 query_timeout with Retry-After at the 3 s budget, not a hang.
    const t0 = Date.now();
    const stuck = await post(app.base, token, batchBody("stuck"));
    const stuckMs = Date.now() - t0;
    await locker.query("ROLLBACK");
    const afterwards = await post(app.base, token, batchBody("afterwards"));
    const stored = await api(app.base, "GET", "/api/v1/audit/logs?limit=100", token);
    const ids = ((stored.body!.data as { id: string }[] | undefined) ?? []).map((e) => e.id);
    console.log(
      `[faults] query budget end to end: abandoned request ${gaveUp}, statements waiting at the abort ${waitingAtAbort}, 1 s later ${waitingAfterAbort}; ` +
        `stuck ingest ${stuck.status} after ${stuckMs} ms (Retry-After ${stuck.retryAfter}) ${stuck.text.slice(0, 160)}; after the lock is released ${afterwards.status}`,
    );
    if (stuck.status !== 503) console.log(`[faults] server output:\n${app.output().slice(-4000)}`);
    expect(gaveUp).toBe("TimeoutError");
    expect(waitingAtAbort).toBeLessThanOrEqual(1);
    expect(waitingAfterAbort).toBe(0);
    expect(stuck.status).toBe(503);
    expect(JSON.parse(stuck.text).error.code).toBe("query_timeout");
    expect(stuck.retryAfter).toBe("5");
    expect(stuckMs).toBeGreaterThanOrEqual(2900);
    expect(stuckMs).toBeLessThan(15_000);
    expect(afterwards.status).toBe(201);
    expect(ids.some((id) => id.startsWith("abandoned-") || id.startsWith("stuck-"))).toBe(false);
    expect(ids.filter((id) => id.startsWith("afterwards-"))).toHaveLength(BATCH);
  }, 300_000);
});
