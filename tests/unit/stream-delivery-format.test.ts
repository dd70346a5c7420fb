/** Pure parts of stream delivery (issue 13): backoff with jitter, Retry-After, destination formats. */
import { afterEach, describe, expect, it } from "vitest";
import { formatDelivery, signBody, splunkEventUrl, syslogMessage, type Delivery, type StreamEvent } from "@/lib/streams/format-delivery";
import { backoffMs } from "@/lib/streams/run-stream-worker";
import { parseRetryAfter } from "@/lib/streams/send-delivery";
import { resetStreamConfigForTests } from "@/lib/streams/stream-config";

const ev = (seq: number, extra: Partial<StreamEvent> = {}): StreamEvent => ({
  org: "acme", seq, id: `e${seq}`, timestamp: "2025-01-01T00:00:00Z", action: "policy.update", hash: `sha256:${seq}`, previous_hash: seq > 1 ? `sha256:${seq - 1}` : null, ...extra,
});
const delivery = (events: StreamEvent[]): Delivery => ({ id: "dlv_1", streamId: "str_1", org: "acme", events, seqFrom: 1, seqTo: events.length, checkpoint: { treeSize: 2, note: "origin\n2\nroot\n\n— sig\n" } });

afterEach(() => {
  delete process.env.AUDIT_STREAMS_BACKOFF_BASE_MS;
  delete process.env.AUDIT_STREAMS_BACKOFF_MAX_MS;
  resetStreamConfigForTests();
});

describe("backoff", () => {
  it("doubles per failure, is capped, and jitters between 50 % and 100 %", () => {
    process.env.AUDIT_STREAMS_BACKOFF_BASE_MS = "1000";
    process.env.AUDIT_STREAMS_BACKOFF_MAX_MS = "60000";
    resetStreamConfigForTests();
    expect(backoffMs(1, () => 1)).toBe(1000);
    expect(backoffMs(1, () => 0)).toBe(500);
    expect(backoffMs(4, () => 1)).toBe(8000);
    expect(backoffMs(30, () => 1)).toBe(60000);
    expect(backoffMs(30, () => 0)).toBe(30000);
  });

  it("reads Retry-After as seconds or an HTTP date, capped", () => {
    expect(parseRetryAfter("7", 3600)).toBe(7000);
    expect(parseRetryAfter("99999", 60)).toBe(60000);
    const inTen = new Date(Date.now() + 10_000).toUTCString();
    expect(parseRetryAfter(inTen, 3600)).toBeGreaterThan(8000);
    expect(parseRetryAfter("soon", 3600)).toBeUndefined();
    expect(parseRetryAfter(undefined, 3600)).toBeUndefined();
  });
});

describe("destination formats", () => {
  it("webhook: a JSON array signed with HMAC-SHA256, range and checkpoint headers", () => {
    const spec = formatDelivery({ type: "webhook", url: "https://siem.example.com/h" }, "whsec_x", delivery([ev(1), ev(2)]));
    if (spec.kind !== "http") throw new Error("http expected");
    expect(JSON.parse(spec.body.toString()).map((e: StreamEvent) => e.seq)).toEqual([1, 2]);
    expect(spec.headers["X-Audit-Signature"]).toBe(signBody("whsec_x", spec.body));
    expect(spec.headers["X-Audit-Seq-Range"]).toBe("1-2");
    expect(Buffer.from(spec.headers["X-Audit-Checkpoint"]!, "base64").toString()).toContain("origin");
  });

  it("Splunk HEC: the event endpoint, Splunk auth, one object per event plus the checkpoint", () => {
    expect(splunkEventUrl("https://splunk.example.com:8088")).toBe("https://splunk.example.com:8088/services/collector/event");
    expect(splunkEventUrl("https://splunk.example.com:8088/services/collector")).toBe("https://splunk.example.com:8088/services/collector/event");
    const spec = formatDelivery({ type: "splunk_hec", url: "https://splunk.example.com:8088" }, "tok", delivery([ev(1)]));
    if (spec.kind !== "http") throw new Error("http expected");
    expect(spec.headers.Authorization).toBe("Splunk tok");
    const lines = spec.body.toString().split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ time: 1735689600, source: "audit-trail", sourcetype: "audit_trail:event", event: { seq: 1 } });
    expect(lines[1].sourcetype).toBe("audit_trail:checkpoint");
  });

  it("Datadog: DD-API-KEY and {ddsource, service, hostname, message, ddtags}", () => {
    const spec = formatDelivery({ type: "datadog", tags: ["env:prod"] }, "key", delivery([ev(1)]));
    if (spec.kind !== "http") throw new Error("http expected");
    expect(spec.url).toBe("https://http-intake.logs.datadoghq.com/api/v2/logs");
    expect(spec.headers["DD-API-KEY"]).toBe("key");
    const [entry] = JSON.parse(spec.body.toString());
    expect(JSON.parse(entry.message).seq).toBe(1);
    expect(entry.ddtags).toBe("org:acme,action:policy.update,seq:1,env:prod");
  });

  it("syslog: RFC 5424 with octet counting, escaped structured data, severity from the outcome", () => {
    const m = syslogMessage(ev(3, { id: 'we"ird]\\id', outcome: "denied" }));
    expect(m).toMatch(/^<108>1 2025-01-01T00:00:00Z \S+ audit-trail - policy\.update \[audit@32473 org="acme" seq="3" id="we\\"ird\\]\\\\id" /);
    expect(syslogMessage(ev(1)).startsWith("<110>1 ")).toBe(true);
    const spec = formatDelivery({ type: "syslog", host: "logs.example.com", port: 514 }, null, delivery([ev(1), ev(2)]));
    if (spec.kind !== "syslog") throw new Error("syslog expected");
    const text = spec.body.toString("utf8");
    const len = Number(text.slice(0, text.indexOf(" ")));
    expect(Buffer.from(text.slice(text.indexOf(" ") + 1), "utf8").subarray(0, len).toString("utf8")).toBe(syslogMessage(ev(1)));
  });
});
