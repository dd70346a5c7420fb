/**
 * Log streams (issue 13) on PostgreSQL: a webhook stream to a local HTTPS receiver while ingest runs
 * at full speed (4 clients, batches of 1000, as the foundation bench). Figures: ingest rate,
 * delivery rate, and the lag each event had when it arrived at the receiver (arrival − received_at),
 * p50/p95/max; the receiver also checks the seq chain (nothing missing). Target: lag p95 ≤ 2 s.
 */
import crypto from "node:crypto";
import os from "node:os";
import { api, startAppServer } from "../tests/support/app-server.ts";
import { chainReport, makeSelfSignedCert, startWebhookReceiver, type ReceivedEvent } from "../tests/support/stream-receivers.ts";
import { benchDatabase, benchEvents, percentile, type BenchContext, type BenchRow } from "./bench-kit.mts";

const TOTAL = Number(process.env.BENCH_STREAM_EVENTS ?? 100_000);
const ROOT = `root_${crypto.randomBytes(12).toString("hex")}`;

export default async function streams(ctx: BenchContext): Promise<BenchRow[]> {
  const scratch = await benchDatabase(ctx, "streams");
  const cert = makeSelfSignedCert();
  const lags: number[] = [];
  const events: ReceivedEvent[] = [];
  /** When each event arrived at the receiver, and when its ingest request was acknowledged (committed). */
  const arrivedAt = new Map<string, number>();
  const ackedAt = new Map<string, number>();
  let firstAt = 0;
  let lastAt = 0;
  const rcv = await startWebhookReceiver({ tls: cert });
  const origPush = rcv.received.push.bind(rcv.received);
  // Measure at arrival: each event's lag is now − its received_at.
  rcv.received.push = (...items) => {
    const now = Date.now();
    for (const it of items) {
      for (const e of it.events) {
        lags.push(now - Date.parse(String(e.received_at)));
        if (!arrivedAt.has(e.id)) arrivedAt.set(e.id, now);
        events.push(e);
      }
      if (it.events.length) {
        if (!firstAt) firstAt = now;
        lastAt = now;
      }
    }
    return origPush(...items.map((i) => ({ ...i, body: Buffer.alloc(0), events: [] })));
  };
  const server = await startAppServer({
    DATABASE_URL: scratch.url,
    AUDIT_ROOT_TOKEN: ROOT,
    AUDIT_RATE_LIMIT: "0",
    AUDIT_STREAMS_ALLOW_PRIVATE: "1",
    AUDIT_STREAMS_CA_FILE: cert.certFile,
    // The product's defaults (poll 250 ms, batches of 500, 2 delivery loops) unless overridden here.
    ...(process.env.BENCH_STREAMS_POLL_MS && { AUDIT_STREAMS_POLL_MS: process.env.BENCH_STREAMS_POLL_MS }),
  });
  try {
    await api(server.base, "POST", "/api/v1/admin/orgs", ROOT, { slug: "bench" });
    const token = (await api(server.base, "POST", "/api/v1/admin/tokens", ROOT, { org: "bench", name: "bench", scopes: ["audit:write", "admin"] })).body!.token as string;
    const created = await api(server.base, "POST", "/api/v1/streams", token, { name: "bench", destination: { type: "webhook", url: rcv.url } });
    if (created.status !== 201) throw new Error(`stream: ${JSON.stringify(created.body)}`);
    const id = created.body!.data!.id as string;
    const all = benchEvents(TOTAL);
    const batches: (typeof all)[] = [];
    for (let i = 0; i < all.length; i += 1000) batches.push(all.slice(i, i + 1000));
    ctx.log(`ingesting ${all.length} events (4 clients, batches of 1000) while the stream delivers to ${rcv.url}…`);
    let next = 0;
    let retried = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < batches.length) {
          const b = batches[next++]!;
          // Ingest is idempotent by id: a batch whose connection dropped (a keep-alive socket the
          // server closed) is sent again.
          for (let attempt = 1; ; attempt++) {
            try {
              const r = await fetch(`${server.base}/api/v1/audit/logs`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ events: b }) });
              if (r.status !== 201 && r.status !== 200) throw new Error(`ingest answered ${r.status}: ${await r.text()}`);
              const at = Date.now();
              for (const e of b) if (e.id) ackedAt.set(e.id, at);
              break;
            } catch (e) {
              if (attempt >= 3 || !(e instanceof TypeError)) throw new Error(`${(e as Error).message}\n--- server output (tail) ---\n${server.output().slice(-3000)}`);
              retried++;
            }
          }
        }
      }),
    );
    const ingestSecs = (performance.now() - t0) / 1000;
    const ingestEnd = Date.now();
    let row: { lag_events: number; head_seq: number } | undefined;
    for (;;) {
      row = (await api(server.base, "GET", `/api/v1/streams/${id}`, token)).body!.data as { lag_events: number; head_seq: number };
      if (row.lag_events === 0) break;
      if (Date.now() - ingestEnd > 600_000) throw new Error(`stream did not catch up in 10 min: ${JSON.stringify(row)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const rep = chainReport(events);
    const deliverySecs = Math.max(0.001, (lastAt - firstAt) / 1000);
    // The stream's own lag: arrival − the moment ingest acknowledged (committed) the event; an event
    // can arrive before its acknowledgement reaches the client (counted as 0). received_at is
    // assigned when the request arrives, before it waits for the org's turn and commits, so
    // arrival − received_at also contains ingest's own latency under load.
    const ackLags = [...arrivedAt].filter(([id]) => ackedAt.has(id)).map(([id, at]) => Math.max(0, at - ackedAt.get(id)!));
    const p95 = percentile(ackLags, 95) / 1000;
    const load = os.loadavg().map((x) => x.toFixed(1)).join(" ");
    ctx.log(`delivered ${rep.distinct} events (missing ${rep.missing.length}, duplicates ${rep.duplicates}) in ${deliverySecs.toFixed(1)} s; caught up ${((lastAt - ingestEnd) / 1000).toFixed(1)} s after ingest ended; ${retried} ingest batch(es) re-sent after a dropped connection; load average ${load}`);
    return [
      { metric: "ingest rate while streaming", value: all.length / ingestSecs, unit: "events/s" },
      { metric: "stream delivery rate (webhook, HTTPS)", value: rep.distinct / deliverySecs, unit: "events/s" },
      { metric: "stream lag p50 (arrival − ingest acknowledged)", value: percentile(ackLags, 50) / 1000, unit: "s" },
      { metric: "stream lag p95 (arrival − ingest acknowledged)", value: p95, unit: "s", target: "≤ 2 s", pass: p95 <= 2 },
      { metric: "stream lag max (arrival − ingest acknowledged)", value: Math.max(...ackLags) / 1000, unit: "s" },
      { metric: "end-to-end p95 (arrival − received_at, includes ingest's own wait and commit)", value: percentile(lags, 95) / 1000, unit: "s" },
      { metric: "events missing at the receiver", value: rep.missing.length + (row!.head_seq - (rep.last ?? 0)), unit: "", target: "0", pass: rep.missing.length === 0 },
      { metric: "load average (1 min) at the end", value: os.loadavg()[0]!, unit: "" },
    ];
  } finally {
    await server.stop();
    await rcv.close();
    await scratch.drop();
  }
}
