/**
 * Real local receivers for stream tests (issue 13): an HTTPS webhook with a self-signed certificate
 * made here, Splunk-HEC-shaped and Datadog-shaped HTTP endpoints, and a syslog TCP listener with
 * RFC 6587 octet-counted framing. Each records what arrived; `chainReport` checks order and
 * completeness the way a SIEM operator would (seq chain, previous_hash links, contiguous ranges).
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";

export interface SelfSigned {
  key: string;
  cert: string;
  /** A file holding the certificate (for AUDIT_STREAMS_CA_FILE / NODE_EXTRA_CA_CERTS). */
  certFile: string;
}

/** A self-signed certificate for 127.0.0.1 and localhost, made with the openssl CLI into a temp dir. */
export function makeSelfSignedCert(): SelfSigned {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stream-cert-"));
  const keyFile = path.join(dir, "key.pem");
  const certFile = path.join(dir, "cert.pem");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
    { stdio: "ignore" },
  );
  return { key: fs.readFileSync(keyFile, "utf8"), cert: fs.readFileSync(certFile, "utf8"), certFile };
}

export interface ReceivedEvent {
  org: string;
  seq: number;
  id: string;
  action: string;
  hash: string | null;
  previous_hash: string | null;
  [k: string]: unknown;
}

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  events: ReceivedEvent[];
  status: number;
  at: number;
}

/** What the receiver answers to a request: a status, headers, and optionally a delay (a "hang"). */
export type Behaviour = (n: number, req: http.IncomingMessage) => { status: number; headers?: Record<string, string>; delayMs?: number; body?: string };

export interface HttpReceiver {
  url: string;
  port: number;
  received: Received[];
  /** Only the acknowledged (2xx) deliveries. */
  acked(): Received[];
  setBehaviour(b: Behaviour): void;
  close(): Promise<void>;
}

const ok: Behaviour = () => ({ status: 200 });

async function startHttp(opts: { tls?: SelfSigned; parse: (body: Buffer, headers: http.IncomingHttpHeaders) => ReceivedEvent[]; path?: string; behaviour?: Behaviour }): Promise<HttpReceiver> {
  let behaviour = opts.behaviour ?? ok;
  const received: Received[] = [];
  let n = 0;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const b = behaviour(n++, req);
      const answer = () => {
        let events: ReceivedEvent[] = [];
        try {
          events = opts.parse(body, req.headers);
        } catch {
          events = [];
        }
        received.push({ headers: req.headers, body, events, status: b.status, at: Date.now() });
        res.writeHead(b.status, { "Content-Type": "application/json", ...b.headers });
        res.end(b.body ?? JSON.stringify({ text: "Success", code: 0 }));
      };
      if (b.delayMs) setTimeout(() => (res.destroyed ? received.push({ headers: req.headers, body, events: [], status: 0, at: Date.now() }) : answer()), b.delayMs);
      else answer();
    });
  };
  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `${opts.tls ? "https" : "http"}://127.0.0.1:${port}${opts.path ?? "/hook"}`,
    port,
    received,
    acked: () => received.filter((r) => r.status >= 200 && r.status < 300),
    setBehaviour: (b) => (behaviour = b),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

/** Generic webhook: the body is a JSON array of events. */
export function startWebhookReceiver(opts: { tls?: SelfSigned; behaviour?: Behaviour } = {}): Promise<HttpReceiver> {
  return startHttp({ ...opts, parse: (b) => JSON.parse(b.toString("utf8")) as ReceivedEvent[] });
}

/** Splunk HEC: concatenated `{time, host, source, sourcetype, event}` objects; checkpoint objects are skipped. */
export function startSplunkReceiver(opts: { behaviour?: Behaviour } = {}): Promise<HttpReceiver> {
  return startHttp({
    ...opts,
    path: "",
    parse: (b) =>
      b
        .toString("utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { sourcetype: string; event: ReceivedEvent })
        .filter((o) => o.sourcetype !== "audit_trail:checkpoint")
        .map((o) => o.event),
  });
}

/** Datadog logs intake: an array of `{ddsource, service, hostname, message, ddtags}`; message is the event's JSON. */
export function startDatadogReceiver(opts: { behaviour?: Behaviour } = {}): Promise<HttpReceiver> {
  return startHttp({
    ...opts,
    path: "/api/v2/logs",
    parse: (b) =>
      (JSON.parse(b.toString("utf8")) as { ddtags: string; message: string }[]).filter((e) => !e.ddtags.includes("type:checkpoint")).map((e) => JSON.parse(e.message) as ReceivedEvent),
  });
}

export interface SyslogReceiver {
  host: string;
  port: number;
  /** Every RFC 5424 message, in arrival order. */
  messages: string[];
  events(): ReceivedEvent[];
  close(): Promise<void>;
}

/** A syslog TCP (or TLS, RFC 5425) listener that reads octet-counted frames (`<len> <msg>`) and closes its side on EOF. */
export async function startSyslogReceiver(opts: { tls?: SelfSigned } = {}): Promise<SyslogReceiver> {
  const messages: string[] = [];
  const sockets = new Set<net.Socket>();
  const onSocket = (s: net.Socket) => {
    sockets.add(s);
    let buf = Buffer.alloc(0);
    s.on("data", (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      for (;;) {
        const sp = buf.indexOf(0x20);
        if (sp < 0) break;
        const len = Number(buf.subarray(0, sp).toString("ascii"));
        if (!Number.isInteger(len) || buf.length < sp + 1 + len) break;
        messages.push(buf.subarray(sp + 1, sp + 1 + len).toString("utf8"));
        buf = buf.subarray(sp + 1 + len);
      }
    });
    s.on("end", () => s.end());
    s.on("close", () => sockets.delete(s));
    s.on("error", () => undefined);
  };
  const server = opts.tls ? tls.createServer({ key: opts.tls.key, cert: opts.tls.cert }, onSocket) : net.createServer(onSocket);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    host: "127.0.0.1",
    port,
    messages,
    events: () =>
      messages
        .filter((m) => / audit-trail - (?!checkpoint )/.test(m))
        .map((m) => JSON.parse(m.slice(m.indexOf("\uFEFF") + 1)) as ReceivedEvent),
    close: () =>
      new Promise<void>((r) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => r());
      }),
  };
}

export function hmacOk(secret: string, r: Received): boolean {
  const want = `sha256=${crypto.createHmac("sha256", secret).update(r.body).digest("hex")}`;
  const got = String(r.headers["x-audit-signature"] ?? "");
  return got.length === want.length && crypto.timingSafeEqual(Buffer.from(got), Buffer.from(want));
}

export interface ChainReport {
  /** Distinct seqs received. */
  distinct: number;
  duplicates: number;
  /** Seqs missing between the first and last received. */
  missing: number[];
  /** Links where previous_hash does not equal the hash of seq−1. */
  brokenLinks: number[];
  /** Deliveries that arrived with a lower seq than one delivered before (after dedup of replays). */
  outOfOrder: number;
  first?: number;
  last?: number;
}

/** Checks what a receiver got the way a SIEM would: dedup by seq, then the seq chain and hash links. */
export function chainReport(events: ReceivedEvent[]): ChainReport {
  const bySeq = new Map<number, ReceivedEvent>();
  let duplicates = 0;
  let outOfOrder = 0;
  let high = 0;
  for (const e of events) {
    if (bySeq.has(e.seq)) duplicates++;
    else if (e.seq < high) outOfOrder++;
    bySeq.set(e.seq, e);
    high = Math.max(high, e.seq);
  }
  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  const missing: number[] = [];
  const brokenLinks: number[] = [];
  for (let i = 1; i < seqs.length; i++) {
    for (let s = seqs[i - 1]! + 1; s < seqs[i]!; s++) missing.push(s);
    const cur = bySeq.get(seqs[i]!)!;
    const prev = bySeq.get(seqs[i]! - 1);
    if (prev && cur.previous_hash !== prev.hash) brokenLinks.push(cur.seq);
  }
  return { distinct: seqs.length, duplicates, missing, brokenLinks, outOfOrder, first: seqs[0], last: seqs[seqs.length - 1] };
}
