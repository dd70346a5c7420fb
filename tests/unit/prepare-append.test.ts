import { describe, expect, it } from "vitest";
import { prepareAppend } from "@/lib/audit/append-events";
import { canonicalJson, sha256Hex } from "@/lib/audit/canonical-json";
import type { EventInput } from "@/lib/audit/event-schema";
import { contentFields } from "@/lib/audit/event-fields";
import { formatTimestamp } from "@/lib/audit/format-timestamp";

/**
 * prepareAppend builds each event's canonical content around its seq (the seq is known only under the
 * org's lock) and its request digest from shared member texts: both must be byte for byte what
 * canonicalJson of the whole object gives (RFC 8785), whatever fields the event has.
 */
const now = new Date("2026-11-28T12:00:00.123Z");
const cases: EventInput[] = [
  { id: "a", actor: { id: "u1", type: "user" }, action: "user.login", resource: { type: "user", id: "u1" } },
  {
    id: "b", timestamp: "2026-01-02T03:04:05+02:00", actor: { id: "u2", type: "user", email: "x@y.z", name: "Ä \"q\"" }, action: "policy.update",
    resource: { type: "policy", id: "p", name: "P" }, repository: { id: "r", name: "acme/r" },
    changes: { mode: { old: "monitor", new: "block" }, seq: { old: 0, new: 1 } }, details: { seq: 0, "\"seq\":0": [1, { z: null }], n: 1e21 },
    ip_address: "203.0.113.9", user_agent: "ua \u2028", request_id: "req", session_id: "sess",
  },
  { actor: { id: "sys", type: "system" }, action: "scan.completed", resource: { type: "scan", id: "s" }, details: { score: 81.5 } },
];

describe("prepareAppend", () => {
  it("content = canonicalJson(event) for any seq, digest = SHA-256 of canonicalJson(input + id)", () => {
    const { events } = prepareAppend({ events: cases, now });
    events.forEach((p, i) => {
      const input = cases[i]!;
      const id = input.id ?? p.id;
      for (const seq of [1, 42, 9_007_199_254_740_991]) {
        const event = {
          ...contentFields(input), id, seq,
          timestamp: formatTimestamp(input.timestamp ? new Date(input.timestamp) : now), received_at: formatTimestamp(now),
        };
        expect(`${p.before}${seq}${p.after}`).toBe(canonicalJson(event));
      }
      expect(p.digest).toBe(sha256Hex(canonicalJson({ ...input, id })));
    });
  });

  it("the same id twice with different content is a 409 naming the field; identical twice is fine", () => {
    expect(() => prepareAppend({ events: [cases[0]!, { ...cases[0]!, action: "user.logout" }] })).toThrow(/events\[1\]\.id/);
    expect(prepareAppend({ events: [cases[0]!, cases[0]!] }).events).toHaveLength(2);
  });
});
