import crypto from "node:crypto";
import os from "node:os";
import { DEFAULT_DATADOG_URL, type DestinationView } from "./stream-schemas";

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** One event as a stream delivers it: the stored canonical content plus org and its place in the chain. */
export interface StreamEvent {
  org: string;
  seq: number;
  id: string;
  timestamp: string;
  action: string;
  hash: string | null;
  previous_hash: string | null;
  outcome?: string;
  [k: string]: Json | undefined;
}

/** What one delivery carries: the events and the seq range of the log it covers (filtered-out seqs included). */
export interface Delivery {
  id: string;
  streamId: string;
  org: string;
  events: StreamEvent[];
  /** The cursor moves from seqFrom-1 to seqTo when this delivery is acknowledged. */
  seqFrom: number;
  seqTo: number;
  checkpoint?: { treeSize: number; note: string };
  test?: boolean;
}

export interface HttpRequestSpec {
  kind: "http";
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}
export interface SyslogSpec {
  kind: "syslog";
  host: string;
  port: number;
  tls: boolean;
  /** Octet-counted frames (RFC 6587 3.4.1): `<length> <RFC 5424 message>`. */
  body: Buffer;
}
export type RequestSpec = HttpRequestSpec | SyslogSpec;

/** The secret a destination uses: the webhook's HMAC secret or the HEC/Datadog token. */
export type DestinationSecret = string | null;

export const SIGNATURE_HEADER = "X-Audit-Signature";

export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${crypto.createHmac("sha256", secret).update(body).digest("hex")}`;
}

export function newDeliveryId(): string {
  return `dlv_${crypto.randomBytes(10).toString("hex")}`;
}

const HOST = os.hostname();
const INSTANCE = `${HOST}:${process.pid}`;

function commonHeaders(d: Delivery): Record<string, string> {
  const h: Record<string, string> = {
    "User-Agent": "audit-trail-streams/1",
    "X-Audit-Delivery": d.id,
    "X-Audit-Stream": d.streamId,
    "X-Audit-Seq-Range": `${d.seqFrom}-${d.seqTo}`,
    /** Which instance delivered (host:pid): several instances share the streams. */
    "X-Audit-Instance": INSTANCE,
  };
  if (d.checkpoint) {
    h["X-Audit-Checkpoint"] = Buffer.from(d.checkpoint.note, "utf8").toString("base64");
    h["X-Audit-Checkpoint-Size"] = String(d.checkpoint.treeSize);
  }
  if (d.test) h["X-Audit-Test"] = "1";
  return h;
}

export function splunkEventUrl(url: string): string {
  const u = new URL(url);
  if (!/\/services\/collector(\/event)?\/?$/.test(u.pathname)) u.pathname = `${u.pathname.replace(/\/+$/, "")}/services/collector/event`;
  else if (!/\/event\/?$/.test(u.pathname)) u.pathname = `${u.pathname.replace(/\/+$/, "")}/event`;
  return u.toString();
}

const epochSeconds = (iso: string) => Math.round(Date.parse(iso)) / 1000;

/** RFC 5424 PARAM-VALUE escaping: `"`, `\` and `]`. */
const sdValue = (v: string) => v.replace(/["\\\]]/g, (c) => `\\${c}`);
/** PRINTUSASCII without spaces, at most `max` characters; "-" when empty. */
const header = (v: string, max: number) => v.replace(/[^\x21-\x7e]/g, "_").slice(0, max) || "-";

/** Facility 13 (log audit); severity 4 (warning) for failures and denials, else 6 (informational). */
function priority(e: StreamEvent): number {
  return 13 * 8 + (e.outcome === "failure" || e.outcome === "denied" ? 4 : 6);
}

function syslogFrame(msg: string): Buffer {
  const m = Buffer.from(msg, "utf8");
  return Buffer.concat([Buffer.from(`${m.length} `, "ascii"), m]);
}

/** RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] BOM MSG`. Enterprise number 32473 is the RFC 5612 documentation one. */
export function syslogMessage(e: StreamEvent): string {
  const sd = `[audit@32473 org="${sdValue(e.org)}" seq="${e.seq}" id="${sdValue(e.id)}" hash="${sdValue(e.hash ?? "")}" previous_hash="${sdValue(e.previous_hash ?? "")}"]`;
  return `<${priority(e)}>1 ${e.timestamp} ${header(HOST, 255)} audit-trail - ${header(e.action, 32)} ${sd} \uFEFF${JSON.stringify(e)}`;
}

function syslogCheckpoint(d: Delivery): string {
  const c = d.checkpoint!;
  return `<110>1 ${new Date().toISOString()} ${header(HOST, 255)} audit-trail - checkpoint [checkpoint@32473 org="${sdValue(d.org)}" tree_size="${c.treeSize}" seq_range="${d.seqFrom}-${d.seqTo}"] \uFEFF${c.note}`;
}

/**
 * The bytes of one delivery for a destination (pure). Webhook: the JSON array of events, signed.
 * Splunk HEC: one `{time, host, source, sourcetype, event}` object per event (concatenated), and a
 * `audit_trail:checkpoint` event. Datadog: an array of `{ddsource, service, hostname, message, ddtags}`
 * and a checkpoint entry. Syslog: one octet-counted RFC 5424 frame per event and one for the checkpoint.
 */
export function formatDelivery(dest: DestinationView, secret: DestinationSecret, d: Delivery): RequestSpec {
  switch (dest.type) {
    case "webhook": {
      const body = Buffer.from(JSON.stringify(d.events), "utf8");
      return {
        kind: "http",
        url: dest.url!,
        headers: { ...commonHeaders(d), "Content-Type": "application/json", [SIGNATURE_HEADER]: signBody(secret ?? "", body) },
        body,
      };
    }
    case "splunk_hec": {
      const base = { host: HOST, source: "audit-trail", ...(dest.index && { index: dest.index }) };
      const lines = d.events.map((e) => JSON.stringify({ time: epochSeconds(e.timestamp), ...base, sourcetype: dest.sourcetype ?? "audit_trail:event", event: e }));
      if (d.checkpoint) {
        lines.push(
          JSON.stringify({
            time: Date.now() / 1000,
            ...base,
            sourcetype: "audit_trail:checkpoint",
            event: { type: "checkpoint", org: d.org, tree_size: d.checkpoint.treeSize, seq_range: `${d.seqFrom}-${d.seqTo}`, note: d.checkpoint.note },
          }),
        );
      }
      return {
        kind: "http",
        url: splunkEventUrl(dest.url!),
        headers: { ...commonHeaders(d), "Content-Type": "application/json", Authorization: `Splunk ${secret ?? ""}` },
        body: Buffer.from(lines.join("\n"), "utf8"),
      };
    }
    case "datadog": {
      const service = dest.service ?? "audit-trail";
      const tags = (e: { org: string }, extra: string[]) => [`org:${e.org}`, ...extra, ...(dest.tags ?? [])].join(",");
      const entries: Record<string, string>[] = d.events.map((e) => ({
        ddsource: "audit-trail",
        service,
        hostname: HOST,
        message: JSON.stringify(e),
        ddtags: tags(e, [`action:${e.action}`, `seq:${e.seq}`]),
      }));
      if (d.checkpoint) {
        entries.push({
          ddsource: "audit-trail",
          service,
          hostname: HOST,
          message: JSON.stringify({ type: "checkpoint", org: d.org, tree_size: d.checkpoint.treeSize, seq_range: `${d.seqFrom}-${d.seqTo}`, note: d.checkpoint.note }),
          ddtags: tags({ org: d.org }, ["type:checkpoint"]),
        });
      }
      return {
        kind: "http",
        url: dest.url ?? DEFAULT_DATADOG_URL,
        headers: { ...commonHeaders(d), "Content-Type": "application/json", "DD-API-KEY": secret ?? "" },
        body: Buffer.from(JSON.stringify(entries), "utf8"),
      };
    }
    case "syslog": {
      const frames = d.events.map((e) => syslogFrame(syslogMessage(e)));
      if (d.checkpoint) frames.push(syslogFrame(syslogCheckpoint(d)));
      return { kind: "syslog", host: dest.host!, port: dest.port!, tls: dest.tls ?? false, body: Buffer.concat(frames) };
    }
  }
}
