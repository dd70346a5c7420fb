import { describe, expect, it } from "vitest";
import { parseIsoInstant, parseTimeBound } from "@/lib/audit/time-bounds";
import { assertCleanParams, badCharIn, inspectJsonBody } from "@/lib/http/check-text";
import { attachmentDisposition } from "@/lib/http/content-disposition";

describe("the one strict date reader", () => {
  it("accepts real dates and date-times in years 0001–9999, exactly", () => {
    expect(parseIsoInstant("2024-02-29")!.start.toISOString()).toBe("2024-02-29T00:00:00.000Z");
    expect(parseIsoInstant("2024-02-29")!.end.toISOString()).toBe("2024-03-01T00:00:00.000Z");
    expect(parseIsoInstant("2000-02-29T12:00:00Z")!.start.toISOString()).toBe("2000-02-29T12:00:00.000Z");
    expect(parseIsoInstant("0050-06-01T00:00:00Z")!.start.toISOString()).toBe("0050-06-01T00:00:00.000Z"); // not 1950
    expect(parseIsoInstant("0001-01-01T00:00:00Z")!.start.toISOString()).toBe("0001-01-01T00:00:00.000Z");
    expect(parseIsoInstant("9999-12-31T23:59:59.999Z")!.start.toISOString()).toBe("9999-12-31T23:59:59.999Z");
    expect(parseIsoInstant("2024-01-15T10:30:00.123456+02:00")!.start.toISOString()).toBe("2024-01-15T08:30:00.123Z");
    expect(parseIsoInstant("2024-01-15T10:30-0530")!.start.toISOString()).toBe("2024-01-15T16:00:00.000Z");
    expect(parseIsoInstant("2024-01-15 10:30:00")!).toMatchObject({ hasZone: false, separator: " " });
    expect(parseIsoInstant("2024-01-01T10:00:00+02")!.start.toISOString()).toBe("2024-01-01T08:00:00.000Z"); // ISO 8601 hour-only offset (bounds only: ingest also needs Date.parse to agree)
  });

  it("refuses impossible, out-of-range and padded values (never rolls them over)", () => {
    for (const v of [
      "2024-02-30", "2023-02-29", "1900-02-29T00:00:00Z", "2024-04-31", "2024-13-01", "2024-00-01", "2024-01-00", "2024-01-01T24:00:00Z",
      "2024-01-01T23:60:00Z", "2024-01-01T23:59:60Z", "2024-01-01T00:00:00+24:00", "0000-01-01", "0000-01-01T00:00:00Z",
      "0001-01-01T00:00:00+01:00", "10000-01-01", "+010000-01-01T00:00:00Z", "-271821-04-20T00:00:00Z", " 2024-01-01", "2024-01-01\r\n",
      "\r\n\r\n2020-01-01", "2020-01-01\u2028", "2020-01-01\t", "2024-1-1", "20240101", "",
    ]) expect(parseIsoInstant(v), JSON.stringify(v)).toBeNull();
  });

  it("a `to` whose exclusive end leaves the range is a 400 naming it", () => {
    expect(() => parseTimeBound("9999-12-31", "to", "to")).toThrow(/to: .*ends past the last supported instant/);
    expect(parseTimeBound("9999-12-30", "to", "to").toISOString()).toBe("9999-12-31T00:00:00.000Z");
    expect(parseTimeBound("9999-12-31", "from", "from").toISOString()).toBe("9999-12-31T00:00:00.000Z");
  });
});

describe("text that cannot be stored exactly", () => {
  it("NUL and lone surrogates are named; pairs, U+FFFD and other controls are fine", () => {
    expect(badCharIn("a\u0000")).toMatch(/NUL/);
    expect(badCharIn("\ud800")).toMatch(/lone surrogate/);
    expect(badCharIn("x\udc00")).toMatch(/lone surrogate/);
    expect(badCharIn("\ud83d\ude00\ufffd\u0001\u2028")).toBeNull();
  });

  it("parameters: 400 naming the first one with NUL", () => {
    expect(() => assertCleanParams({ url: new URL("http://x/?a=1&actor=%00") })).toThrow(expect.objectContaining({ status: 400, field: "actor" }));
    expect(() => assertCleanParams({ url: new URL("http://x/"), params: { id: "e\u0000" } })).toThrow(expect.objectContaining({ field: "id" }));
    expect(() => assertCleanParams({ url: new URL("http://x/?q=%FF") })).not.toThrow();
  });

  it("bodies: 422 naming the member; 100 000 levels deep is refused without overflowing the stack", () => {
    expect(() => inspectJsonBody({ events: [{}, { details: { k: ["ok", "\ud800"] } }] })).toThrow(expect.objectContaining({ status: 422, field: "events[1].details.k[1]" }));
    expect(() => inspectJsonBody(JSON.parse('{"details":{"a\\u0000":1}}'))).toThrow(expect.objectContaining({ field: "details" }));
    expect(() => inspectJsonBody({ n: JSON.parse("1e400") as number })).toThrow(expect.objectContaining({ field: "n" }));
    const deep = JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`) as unknown;
    expect(() => inspectJsonBody(deep)).toThrow(expect.objectContaining({ status: 422, message: expect.stringContaining("nested deeper than 64") }));
    expect(() => inspectJsonBody(JSON.parse('{"__proto__":{"a":[1,{"b":null}]},"constructor":"x"}'))).not.toThrow();
  });
});

describe("Content-Disposition (RFC 6266)", () => {
  it("ASCII names plain; others with an ASCII fallback and filename*; controls and separators never pass", () => {
    expect(attachmentDisposition("audit-logs-exp_1.jsonl")).toBe('attachment; filename="audit-logs-exp_1.jsonl"');
    expect(attachmentDisposition("évidence.zip")).toBe(`attachment; filename="evidence.zip"; filename*=UTF-8''%C3%A9vidence.zip`);
    expect(attachmentDisposition("日本.csv")).toBe(`attachment; filename="__.csv"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.csv`);
    for (const bad of ["a\r\nSet-Cookie: x=1.zip", "a\tb.zip", "a\u2028b.zip", 'a"b.zip', "../../etc/passwd", "\u0000"]) {
      const h = attachmentDisposition(bad);
      expect(() => new Headers({ "content-disposition": h }), bad).not.toThrow();
      expect(h).not.toMatch(/[\r\n\t\u2028/\\]/u);
      expect(h, bad).not.toMatch(/%0D|%0A|%09|%E2%80%A8|%2F/);
    }
  });
});
