import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson, chainHash } from "@/lib/audit/canonical-json";
import { formatTimestamp } from "@/lib/audit/format-timestamp";

describe("canonical JSON (RFC 8785)", () => {
  it("sorts keys by UTF-16 code units at every level and drops insignificant whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    // RFC 8785 §3.2.3: "\u20ac" (€) sorts after "\r" and before the surrogate pair; "1" before "\u0080"
    expect(canonicalJson({ "\u20ac": 1, "\r": 2, "\ud83d\ude00": 3, "1": 4, "\u0080": 5 })).toBe('{"\\r":2,"1":4,"\u0080":5,"\u20ac":1,"\ud83d\ude00":3}');
  });

  it("serialises numbers as ECMAScript does (RFC 8785 §3.2.2.3 examples)", () => {
    expect(canonicalJson([1.0, 1e21, 1e-7, 0.000001, -0, 333333333.3333333, 9007199254740992])).toBe(
      "[1,1e+21,1e-7,0.000001,0,333333333.3333333,9007199254740992]",
    );
  });

  it("escapes only what JSON requires and keeps other Unicode as is", () => {
    expect(canonicalJson({ s: "é\u0007\"\\/\n" })).toBe('{"s":"é\\u0007\\"\\\\/\\n"}');
  });
});

describe("chain hash recipe", () => {
  it("is sha256 over the previous hash string followed by the canonical content", () => {
    const content = canonicalJson({ id: "a", seq: 1 });
    const first = chainHash(null, content);
    expect(first).toBe("sha256:" + crypto.createHash("sha256").update(content).digest("hex"));
    const second = chainHash(first, content);
    expect(second).toBe("sha256:" + crypto.createHash("sha256").update(first + content).digest("hex"));
    expect(second).not.toBe(first);
  });
});

describe("timestamps", () => {
  it("render like the seeds: no fraction when the milliseconds are zero", () => {
    expect(formatTimestamp(new Date("2024-01-15T10:30:00.000Z"))).toBe("2024-01-15T10:30:00Z");
    expect(formatTimestamp(new Date("2024-01-15T10:30:00.250Z"))).toBe("2024-01-15T10:30:00.250Z");
  });
});

describe("canonical JSON edge cases", () => {
  it("drops undefined members, refuses non-finite numbers, and is stable under key order", () => {
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
    expect(canonicalJson({ x: 1, y: { b: 2, a: 1 } })).toBe(canonicalJson({ y: { a: 1, b: 2 }, x: 1 }));
  });
  it("RFC 8785 Appendix B sample object", () => {
    const input = JSON.parse('{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}');
    expect(canonicalJson(input)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });
});
