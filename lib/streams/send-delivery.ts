import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import tls from "node:tls";
import { guardedLookup, type Resolver } from "./check-destination";
import type { HttpRequestSpec, RequestSpec, SyslogSpec } from "./format-delivery";
import { getStreamConfig } from "./stream-config";

export interface SendResult {
  ok: boolean;
  /** HTTP status; null for syslog or when no answer came. */
  status: number | null;
  error: string | null;
  /** From a 429/503 Retry-After (seconds or an HTTP date). */
  retryAfterMs?: number;
  durationMs: number;
}

export interface SendOptions {
  timeoutMs?: number;
  /** For tests of the SSRF guard: resolve names with this instead of the system resolver. */
  resolver?: Resolver;
}

let caCache: { file: string; pem: Buffer } | undefined;
function extraCa(): Buffer | undefined {
  const file = getStreamConfig().AUDIT_STREAMS_CA_FILE;
  if (!file) return undefined;
  if (caCache?.file !== file) caCache = { file, pem: fs.readFileSync(file) };
  return caCache.pem;
}

/** Trusted CAs: the system's plus AUDIT_STREAMS_CA_FILE (a private CA). */
function caList(): (string | Buffer)[] | undefined {
  const extra = extraCa();
  return extra ? [...tls.rootCertificates, extra] : undefined;
}

const agents = new Map<string, http.Agent>();
function agentFor(protocol: string, resolver?: Resolver): http.Agent {
  const key = `${protocol}|${resolver ? "custom" : "system"}|${getStreamConfig().AUDIT_STREAMS_CA_FILE ?? ""}`;
  let a = agents.get(key);
  if (!a) {
    const lookup = guardedLookup(resolver) as unknown as net.LookupFunction;
    a = protocol === "https:" ? new https.Agent({ keepAlive: true, maxSockets: 16, lookup, ca: caList() } as https.AgentOptions) : new http.Agent({ keepAlive: true, maxSockets: 16, lookup } as http.AgentOptions);
    agents.set(key, a);
  }
  return a;
}

export function parseRetryAfter(v: string | undefined, maxSeconds: number): number | undefined {
  if (!v) return undefined;
  const s = v.trim();
  let ms: number | undefined;
  if (/^\d+$/.test(s)) ms = Number(s) * 1000;
  else {
    const t = Date.parse(s);
    if (!Number.isNaN(t)) ms = Math.max(0, t - Date.now());
  }
  return ms === undefined ? undefined : Math.min(ms, maxSeconds * 1000);
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

function sendHttp(spec: HttpRequestSpec, opts: SendOptions, timeoutMs: number): Promise<SendResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(spec.url);
    } catch {
      resolve({ ok: false, status: null, error: `bad URL ${spec.url}`, durationMs: 0 });
      return;
    }
    const allowHttp = getStreamConfig().AUDIT_STREAMS_ALLOW_PRIVATE;
    if (url.protocol !== "https:" && !(url.protocol === "http:" && allowHttp)) {
      resolve({ ok: false, status: null, error: "only https:// destinations are allowed (http:// needs AUDIT_STREAMS_ALLOW_PRIVATE=1)", durationMs: 0 });
      return;
    }
    let settled = false;
    const done = (r: Omit<SendResult, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, durationMs: Date.now() - t0 });
    };
    const mod = url.protocol === "https:" ? https : http;
    const req = mod.request(
      url,
      {
        method: "POST",
        agent: agentFor(url.protocol, opts.resolver),
        headers: { ...spec.headers, "Content-Length": String(spec.body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          if (size < 4096) chunks.push(c);
          size += c.length;
        });
        res.on("error", (e) => done({ ok: false, status: res.statusCode ?? null, error: errText(e) }));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString("utf8").slice(0, 300).replace(/\s+/g, " ").trim();
          if (status >= 200 && status < 300) return done({ ok: true, status, error: null });
          const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(res.headers["retry-after"], getStreamConfig().AUDIT_STREAMS_MAX_RETRY_AFTER_SECONDS) : undefined;
          const what =
            status >= 300 && status < 400
              ? `HTTP ${status}: redirects are not followed${res.headers.location ? ` (Location: ${String(res.headers.location).slice(0, 200)})` : ""}`
              : `HTTP ${status}${text ? `: ${text}` : ""}`;
          done({ ok: false, status, error: what, ...(retryAfterMs !== undefined && { retryAfterMs }) });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    req.on("error", (e) => done({ ok: false, status: null, error: errText(e) }));
    req.end(spec.body);
  });
}

function sendSyslog(spec: SyslogSpec, opts: SendOptions, timeoutMs: number): Promise<SendResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const lookup = guardedLookup(opts.resolver) as unknown as net.LookupFunction;
    const host = spec.host.replace(/^\[|\]$/g, "");
    const socket = spec.tls
      ? tls.connect({ host, port: spec.port, servername: net.isIP(host) ? undefined : host, lookup, ca: caList() })
      : net.connect({ host, port: spec.port, lookup });
    const done = (r: Omit<SendResult, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...r, durationMs: Date.now() - t0 });
    };
    const timer = setTimeout(() => done({ ok: false, status: null, error: `timed out after ${timeoutMs} ms` }), timeoutMs);
    socket.on("error", (e) => done({ ok: false, status: null, error: errText(e) }));
    socket.on(spec.tls ? "secureConnect" : "connect", () => {
      // No application-level ack in syslog over TCP: the delivery counts once every byte was
      // written and the receiver closed its side after ours (an orderly shutdown).
      socket.end(spec.body);
    });
    let flushed = false;
    socket.on("finish", () => (flushed = true));
    socket.on("data", () => undefined);
    socket.on("close", (hadError) =>
      done(hadError || !flushed ? { ok: false, status: null, error: "the receiver closed the connection before every frame was written" } : { ok: true, status: null, error: null }),
    );
  });
}

/** Sends one delivery; never throws (a failure is a result with the reason). */
export async function sendDelivery(spec: RequestSpec, opts: SendOptions = {}): Promise<SendResult> {
  const timeoutMs = opts.timeoutMs ?? getStreamConfig().AUDIT_STREAMS_TIMEOUT_MS;
  try {
    return spec.kind === "http" ? await sendHttp(spec, opts, timeoutMs) : await sendSyslog(spec, opts, timeoutMs);
  } catch (e) {
    return { ok: false, status: null, error: errText(e), durationMs: 0 };
  }
}
