/**
 * `npm run bench scale` (issue 11 item 6): read latency at 300 000 and at BENCH_SCALE_EVENTS
 * (default 10 000 000) events on PostgreSQL, through the built app over HTTP, as a client sees it.
 *
 * Data: BENCH_SCALE_ORGS (default 50) orgs; one holds 40 % of all events, the others share the rest.
 * Loaded with INSERT … SELECT over generate_series straight into audit_events (NOT through the ingest
 * path and not COPY: the table's own insert triggers run — search vector, append-only guards — and,
 * where the schema keeps rollups and side tables outside triggers, audit_analytics_add() is called for
 * each chunk, as ingest does), in rounds so that every size has the same shape. Demo-shaped: 12
 * ComplianceAgent actions, one actor with 40 % of an org's events, 40 other users and service
 * accounts, resources per action family, 20 repositories, scan scores and issue lifecycles, ~2 years
 * of timestamps growing with seq, a common word ("denied", 10 %) and a rare one ("quasar").
 * Chain fields of the loaded rows are placeholders (they are for reads), so verify and proofs are
 * measured on one more org ingested through the API (BENCH_SCALE_CHAINED events, default 20 000).
 *
 * Each size is measured right after loading (no VACUUM; this machine's PostgreSQL runs with
 * autovacuum off) and again after a VACUUM ANALYZE run by hand. Queries (on the big org): p50/p95
 * over BENCH_SCALE_RUNS (default 15) sequential requests after one warm-up. Targets at full size:
 * list and get p95 ≤ 50 ms, deep page ≤ 100 ms, search/statistics/history ≤ 200 ms.
 */
import crypto from "node:crypto";
import os from "node:os";
import pg from "pg";
import { api, benchDatabase, percentile, startAppServer, type BenchContext, type BenchRow } from "./bench-kit.mts";

const TOTAL = Number(process.env.BENCH_SCALE_EVENTS ?? 10_000_000);
const ORGS = Number(process.env.BENCH_SCALE_ORGS ?? 50);
const RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 15);
const CHAINED = Number(process.env.BENCH_SCALE_CHAINED ?? 20_000);
const FIRST_SIZE = Math.min(300_000, TOTAL);
const CHUNK = 250_000;
const ROOT = `root_${crypto.randomBytes(12).toString("hex")}`;
const START = Date.UTC(2024, 0, 1);
const SPAN_MS = 2 * 365 * 86_400_000;
const BIG_SHARE = 0.4;

/** Events of org `i` when the whole store holds `total`. */
function orgShare(i: number, total: number): number {
  if (i === 0) return Math.round(total * BIG_SHARE);
  const rest = total - Math.round(total * BIG_SHARE);
  const each = Math.floor(rest / (ORGS - 1));
  return i === ORGS - 1 ? rest - each * (ORGS - 2) : each;
}

const ACTIONS = ["user.login", "scan.started", "scan.completed", "issue.created", "issue.updated", "issue.resolved", "fix.generated", "fix.applied", "config.changed", "access.granted", "access.revoked", "policy.update"];

/**
 * Rows n = from..to of one org whose final size is `orgTotal` (timestamps spread over two years by n,
 * so an org's log grows in time order whatever round loads it). Seq = n.
 */
function insertSql(): string {
  return `WITH g AS (
      SELECT n,
        (ARRAY[${ACTIONS.map((a) => `'${a}'`).join(",")}])[1 + (n / 5) % 12] AS action,
        CASE WHEN n % 5 < 2 THEN 'user-0' WHEN n % 10 = 3 THEN 'svc-' || (n % 4) ELSE 'user-' || (1 + n % 40) END AS actor_id,
        CASE WHEN n % 5 >= 2 AND n % 10 = 3 THEN 'service_account' ELSE 'user' END AS actor_type,
        CASE WHEN n % 5 < 2 THEN 'ops@example.com' WHEN n % 10 = 3 THEN NULL ELSE 'user' || (1 + n % 40) || '@example.com' END AS actor_email,
        CASE WHEN n % 4 = 0 THEN NULL ELSE 'repo_' || (n % 20) END AS repository_id,
        to_timestamp(($4::float8 + (n::float8 / $5::float8) * $6::float8) / 1000) AS ts
      FROM generate_series($2::bigint, $3::bigint) AS n
    ), h AS (
      SELECT g.*, (CASE split_part(action, '.', 1) WHEN 'access' THEN 'user' ELSE split_part(action, '.', 1) END) AS resource_type FROM g
    )
    INSERT INTO audit_events (org_id, seq, id, timestamp, received_at, actor_id, actor_type, actor_email, action,
      resource_type, resource_id, repository_id, repository_name, content, request_digest, hash, previous_hash)
    SELECT $1, n, 'ev-' || n, ts, ts, actor_id, actor_type, actor_email, action, resource_type, resource_type || '-' || (n % 997),
      repository_id, CASE WHEN repository_id IS NULL THEN NULL ELSE 'acme/' || repository_id END,
      jsonb_strip_nulls(jsonb_build_object(
        'id', 'ev-' || n, 'seq', n, 'timestamp', to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'received_at', to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'actor', jsonb_build_object('id', actor_id, 'type', actor_type, 'email', actor_email),
        'action', action,
        'resource', jsonb_build_object('type', resource_type, 'id', resource_type || '-' || (n % 997), 'name', initcap(resource_type) || ' ' || (n % 997)),
        'repository', CASE WHEN repository_id IS NULL THEN NULL ELSE jsonb_build_object('id', repository_id, 'name', 'acme/' || repository_id) END,
        'changes', CASE WHEN action IN ('config.changed', 'policy.update') THEN jsonb_build_object('mode', jsonb_build_object('old', 'monitor', 'new', 'block')) END,
        'details', CASE
          WHEN action = 'scan.completed' THEN jsonb_build_object('framework', (ARRAY['soc2','iso27001','pci'])[1 + n % 3], 'score', 50 + n % 50)
          WHEN action LIKE 'issue.%' THEN jsonb_build_object('framework', (ARRAY['soc2','iso27001','pci'])[1 + n % 3], 'severity', (ARRAY['low','medium','high','critical'])[1 + n % 4])
          ELSE jsonb_build_object('note', CASE WHEN n % 10 = 7 THEN 'access denied for contractor' WHEN n % 100003 = 5 THEN 'quasar anomaly seen' ELSE 'routine change ' || (n % 1000) END)
        END,
        'ip_address', '203.0.' || (n % 256) || '.' || (n % 250), 'request_id', 'req_' || n))::text,
      md5('d' || n), 'sha256:' || md5('h' || n) || md5('h2' || n),
      CASE WHEN n = 1 THEN NULL ELSE 'sha256:' || md5('h' || (n - 1)) || md5('h2' || (n - 1)) END
    FROM h`;
}

interface Case {
  name: string;
  path: string;
  /** Group for the targets. */
  kind: "list" | "get" | "deep" | "amp" | "search" | "statistics" | "history" | "explorer";
  auth?: "basic";
}

const TARGETS: Partial<Record<Case["kind"], number>> = { list: 50, get: 50, deep: 100, search: 200, statistics: 200, history: 200 };

export default async function scale(ctx: BenchContext): Promise<BenchRow[]> {
  const scratch = await benchDatabase(ctx, "scale");
  const server = await startAppServer({ DATABASE_URL: scratch.url, AUDIT_ROOT_TOKEN: ROOT, AUDIT_RATE_LIMIT: "0" });
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  await client.query("SET statement_timeout = 0");
  const rows: BenchRow[] = [];
  try {
    const slugs = Array.from({ length: ORGS }, (_, i) => `scale-${String(i).padStart(2, "0")}`);
    for (const slug of [...slugs, "scale-chained"]) {
      const r = await api(server.base, "POST", "/api/v1/admin/orgs", ROOT, { slug });
      if (r.status !== 201) throw new Error(`creating ${slug}: ${r.status}`);
    }
    const mint = async (org: string) => {
      const r = await api(server.base, "POST", "/api/v1/admin/tokens", ROOT, { org, name: "scale", scopes: ["audit:read", "audit:write"] });
      return { token: r.body!.token as string, id: r.body!.id as string };
    };
    const big = await mint(slugs[0]!);
    const chained = await mint("scale-chained");
    const orgIds = new Map<string, string>();
    for (const r of (await client.query<{ id: string; slug: string }>(`SELECT id, slug FROM orgs`)).rows) orgIds.set(r.slug, r.id);
    const analyticsFn = (await client.query(`SELECT 1 FROM pg_proc WHERE proname = 'audit_analytics_add'`)).rowCount! > 0;
    // Loaded rows use seqs from BASE + 1 (the orgs' own first entries, from their creation, come first).
    const BASE = 1_000_000;
    const loaded = new Array<number>(ORGS).fill(0);

    const loadTo = async (total: number) => {
      const t0 = performance.now();
      let added = 0;
      for (let i = 0; i < ORGS; i++) {
        const orgId = orgIds.get(slugs[i]!)!;
        const want = orgShare(i, total);
        const orgFinal = orgShare(i, TOTAL);
        while (loaded[i]! < want) {
          const from = loaded[i]! + 1;
          const to = Math.min(want, loaded[i]! + CHUNK);
          await client.query(insertSql(), [orgId, BASE + from, BASE + to, START - BASE * (SPAN_MS / orgFinal), orgFinal, SPAN_MS]);
          if (analyticsFn) await client.query(`SELECT audit_analytics_add($1, $2, $3)`, [orgId, BASE + from, BASE + to]);
          added += to - from + 1;
          loaded[i] = to;
        }
        await client.query(`UPDATE audit_chain_heads SET seq = $2 WHERE org_id = $1`, [orgId, BASE + loaded[i]!]);
      }
      const secs = (performance.now() - t0) / 1000;
      ctx.log(`loaded to ${total} events (+${added} in ${secs.toFixed(0)} s, ${Math.round(added / secs)} rows/s; load average ${os.loadavg()[0]!.toFixed(1)})`);
      return { added, secs };
    };

    const bigOrgId = orgIds.get(slugs[0]!)!;
    const headers = (c: Case): Record<string, string> =>
      c.auth === "basic" ? { authorization: `Basic ${Buffer.from(`${big.id}:${big.token}`).toString("base64")}` } : { authorization: `Bearer ${big.token}` };
    const cases = (bigCount: number): Case[] => {
      const mid = new Date(START + SPAN_MS / 2);
      const week = new Date(mid.getTime() + 7 * 86_400_000);
      const ids = Array.from({ length: 5 }, (_, k) => BASE + 1 + Math.floor(((k + 0.5) / 5) * bigCount));
      return [
        { name: "list newest page (limit 50)", path: "/api/v1/audit/logs?limit=50", kind: "list" },
        { name: "list: one actor with 40 % of the org", path: "/api/v1/audit/logs?actor=ops%40example.com&limit=50", kind: "list" },
        { name: "list: action prefix issue.*", path: "/api/v1/audit/logs?event_type=issue.*&limit=50", kind: "list" },
        { name: "list: repository", path: "/api/v1/audit/logs?repository_id=repo_3&limit=50", kind: "list" },
        { name: "list: resource (AppSec+)", path: "/audit-logs?resourceType=policy&resourceId=policy-17&limit=50", kind: "list" },
        { name: "list: one week", path: `/api/v1/audit/logs?from=${mid.toISOString()}&to=${week.toISOString()}&limit=50`, kind: "list" },
        { name: "deep page (offset 10 000)", path: "/api/v1/audit/logs?page=201&limit=50", kind: "deep" },
        { name: "deep page (offset at half the org)", path: `/api/v1/audit/logs?page=${Math.max(1, Math.floor(bigCount / 2 / 50))}&limit=50`, kind: "deep" },
        { name: "AMP offset page event=update (offset 5 000, limit 100)", path: "/v1/audit_logs?event=update&offset=5000&limit=100", kind: "amp", auth: "basic" },
        ...ids.map((n, k): Case => ({ name: `get (${k + 1}/5)`, path: `/api/v1/audit/logs/ev-${n}`, kind: "get" })),
        { name: "search: common word (denied)", path: "/api/v1/audit/search?q=denied&limit=20", kind: "search" },
        { name: "search: rare word (quasar)", path: "/api/v1/audit/search?q=quasar&limit=20", kind: "search" },
        { name: "statistics (all time)", path: "/api/v1/audit/statistics", kind: "statistics" },
        { name: "statistics (30 days, partial-day edges)", path: `/api/v1/audit/statistics?from=${new Date(mid.getTime() - 30 * 86_400_000 + 7_200_000).toISOString()}&to=${mid.toISOString()}`, kind: "statistics" },
        { name: "history score/week", path: `/api/v1/audit/history?metric=score&interval=week&to=${mid.toISOString().slice(0, 10)}`, kind: "history" },
        { name: "history issues/month (2 years)", path: `/api/v1/audit/history?metric=issues&interval=month&from=2024-01-01&to=2025-12-31`, kind: "history" },
        { name: "explorer first screen (events, 100)", path: "/api/v1/audit/explorer/events?limit=100", kind: "explorer" },
        { name: "explorer facets", path: "/api/v1/audit/explorer/facets", kind: "explorer" },
        { name: "explorer histogram", path: "/api/v1/audit/explorer/histogram", kind: "explorer" },
      ];
    };

    const measure = async (label: string, size: number, final: boolean) => {
      const bigCount = loaded[0]!;
      const byKind = new Map<Case["kind"], number[]>();
      for (const c of cases(bigCount)) {
        // A refusal (503 over the query budget) is a figure, not the end of the bench: counted, and
        // its time (what the client waited for the refusal) stays in the percentiles.
        const refused: number[] = [];
        const once = async () => {
          const t0 = performance.now();
          const res = await fetch(server.base + c.path, { headers: headers(c) });
          await res.arrayBuffer();
          if (res.status !== 200) refused.push(res.status);
          return performance.now() - t0;
        };
        await once();
        const ms: number[] = [];
        for (let r = 0; r < RUNS; r++) ms.push(await once());
        const p50 = percentile(ms, 50);
        const p95 = percentile(ms, 95);
        byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), ...ms]);
        const target = TARGETS[c.kind];
        ctx.log(`${label}: ${c.name}: p50 ${p50.toFixed(1)} / p95 ${p95.toFixed(1)} ms${refused.length ? ` — ${refused.length} of ${RUNS + 1} answered ${[...new Set(refused)].join("/")}` : ""}`);
        if (refused.length) {
          rows.push({ metric: `${size.toLocaleString("en-US")} events, ${label}: ${c.name} — requests not answered 200 (of ${RUNS + 1})`, value: refused.length, unit: "", target: "0", pass: false });
        }
        rows.push({ metric: `${size.toLocaleString("en-US")} events, ${label}: ${c.name} p50`, value: Math.round(p50 * 10) / 10, unit: "ms" });
        rows.push({
          metric: `${size.toLocaleString("en-US")} events, ${label}: ${c.name} p95`,
          value: Math.round(p95 * 10) / 10,
          unit: "ms",
          ...(final && target !== undefined && { target: `≤ ${target} ms`, pass: p95 <= target }),
        });
      }
      ctx.log(`${label} measured (load average ${os.loadavg()[0]!.toFixed(1)})`);
    };

    const phase = async (size: number) => {
      const final = size === TOTAL;
      await measure("right after load (no VACUUM)", size, final);
      ctx.log("VACUUM ANALYZE (by hand)…");
      const v0 = performance.now();
      await client.query("VACUUM ANALYZE");
      ctx.log(`VACUUM ANALYZE took ${((performance.now() - v0) / 1000).toFixed(0)} s`);
      await measure("after a manual VACUUM ANALYZE", size, final);
    };

    const first = await loadTo(FIRST_SIZE);
    rows.push({ metric: `load ${FIRST_SIZE.toLocaleString("en-US")} events (INSERT … SELECT through the insert triggers)`, value: Math.round(first.added / first.secs), unit: "rows/s" });
    await phase(FIRST_SIZE);
    if (TOTAL > FIRST_SIZE) {
      const rest = await loadTo(TOTAL);
      rows.push({ metric: `load to ${TOTAL.toLocaleString("en-US")} events (INSERT … SELECT through the insert triggers)`, value: Math.round(rest.added / rest.secs), unit: "rows/s" });
      const size = (await client.query<{ s: string }>(`SELECT pg_size_pretty(pg_database_size(current_database())) AS s`)).rows[0]!.s;
      ctx.log(`database size at ${TOTAL} events: ${size}`);
      await phase(TOTAL);
    }

    // Verify and proofs: an org with a real chain, ingested through the API in batches of 1000.
    ctx.log(`ingesting ${CHAINED} events into the chained org through the API…`);
    for (let i = 0; i < CHAINED; i += 1000) {
      const events = Array.from({ length: Math.min(1000, CHAINED - i) }, (_, k) => ({
        id: `c-${i + k}`,
        timestamp: new Date(START + (i + k) * 60_000).toISOString(),
        action: ACTIONS[(i + k) % ACTIONS.length],
        actor: { id: `user-${(i + k) % 40}`, type: "user", email: `user${(i + k) % 40}@example.com` },
        resource: { type: "policy", id: `policy-${(i + k) % 97}` },
        details: { note: "chained" },
      }));
      const r = await api(server.base, "POST", "/api/v1/audit/logs", chained.token, { events });
      if (r.status !== 201) throw new Error(`chained ingest answered ${r.status}: ${JSON.stringify(r.body)}\nserver output (last 3000 characters):\n${server.output().slice(-3000)}`);
    }
    const v0 = performance.now();
    const verified = await api(server.base, "POST", "/api/v1/audit/verify", chained.token, {});
    const vSecs = (performance.now() - v0) / 1000;
    const checked = Number((verified.body as { data?: { logs_checked?: number } } | undefined)?.data?.logs_checked ?? 0);
    rows.push({ metric: `verify through the API (${checked} entries of the chained org, store at ${TOTAL.toLocaleString("en-US")})`, value: Math.round(checked / vSecs), unit: "entries/s" });
    const proofMs: number[] = [];
    for (let r = 0; r < RUNS * 2; r++) {
      const id = `c-${Math.floor(((r + 0.5) / (RUNS * 2)) * CHAINED)}`;
      const t0 = performance.now();
      const res = await fetch(`${server.base}/api/v1/audit/logs/${id}/proof`, { headers: { authorization: `Bearer ${chained.token}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`proof ${id}: ${res.status}`);
      proofMs.push(performance.now() - t0);
    }
    rows.push({ metric: "inclusion proof p95 (chained org)", value: Math.round(percentile(proofMs, 95) * 10) / 10, unit: "ms" });
    void bigOrgId;
    return rows;
  } finally {
    await client.end();
    await server.stop();
    await scratch.drop();
  }
}
