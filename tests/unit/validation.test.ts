import { describe, expect, it } from "vitest";
import { parseIngestBody } from "@/lib/audit/parse-ingest-body";
import { parseTimeRange } from "@/lib/audit/time-bounds";
import { splitStatements } from "@/lib/db/run-migrations";
import { AppError } from "@/lib/errors";

const ok = { actor: { id: "u1", type: "user" }, action: "policy.update", resource: { type: "policy", id: "p1" } };

function fails(body: unknown): AppError {
  try {
    parseIngestBody(body);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected a validation error");
}

describe("ingest validation", () => {
  it("accepts one event or a batch", () => {
    expect(parseIngestBody(ok)).toHaveLength(1);
    expect(parseIngestBody({ events: [ok, ok] })).toHaveLength(2);
  });

  it.each([
    [{ events: [ok, { ...ok, actor: { id: "u", type: "robot" } }] }, "events[1].actor.type", 422],
    [{ events: [ok, { ...ok, action: undefined }] }, "events[1].action", 422],
    [{ ...ok, resource: { type: "policy" } }, "resource.id", 422],
    [{ ...ok, timestamp: "yesterday" }, "timestamp", 422],
    [{ ...ok, ip_address: "999.1.1.1" }, "ip_address", 422],
    [{ ...ok, org: "other" }, "org", 422],
    [{ ...ok, hash: "sha256:00" }, "hash", 422],
    [{ ...ok, colour: "blue" }, "colour", 422],
    [{ ...ok, id: "has space" }, "id", 422],
    [{ ...ok, changes: { status: { before: 1 } } }, "changes.status.before", 422],
    [{ events: [] }, "events", 422],
    [{ events: Array.from({ length: 1001 }, () => ok) }, "events", 422],
    [[ok], "body", 400],
    ["text", "body", 400],
  ])("refuses %# naming %s", (body, field, status) => {
    const e = fails(body);
    expect(e.field).toBe(field);
    expect(e.status).toBe(status);
    expect(e.message).toContain(field === "body" ? "body" : field);
  });

  it("says that org comes from the credential", () => {
    expect(fails({ ...ok, org: "x" }).message).toMatch(/credential/);
  });

  it("limits the size of changes and details", () => {
    const big = "x".repeat(70 * 1024);
    expect(fails({ ...ok, details: { big } }).field).toBe("details");
  });
});

describe("time ranges", () => {
  it("reads a plain-date `to` as the whole day", () => {
    const r = parseTimeRange({ from: "2024-01-01", to: "2024-01-31" });
    expect(r.from?.toISOString()).toBe("2024-01-01T00:00:00.000Z");
    expect(r.to?.toISOString()).toBe("2024-02-01T00:00:00.000Z");
  });
  it("reads offsets and makes a date-time `to` inclusive", () => {
    const r = parseTimeRange({ from: "2015-10-01T00:00:00+02:00", to: "2015-10-02T00:00:00Z" });
    expect(r.from?.toISOString()).toBe("2015-09-30T22:00:00.000Z");
    expect(r.to?.toISOString()).toBe("2015-10-02T00:00:00.001Z");
  });
  it.each([["2024-13-01"], ["not a date"], ["2024-02-30"]])("refuses %s", (v) => {
    expect(() => parseTimeRange({ from: v })).toThrow(/from/);
  });
  it("refuses from after to", () => {
    expect(() => parseTimeRange({ from: "2024-02-01", to: "2024-01-01" })).toThrow(/after/);
  });
});

describe("migration script splitting", () => {
  it("keeps dollar-quoted bodies, strings and comments intact", () => {
    const s = `CREATE TABLE "a" ("x" TEXT DEFAULT ';'); -- c;\nCREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no; way'; END; $$ LANGUAGE plpgsql;\n/* ; */ SELECT 1`;
    const parts = splitStatements(s);
    expect(parts).toHaveLength(3);
    expect(parts[1]).toContain("RAISE EXCEPTION 'no; way'; END; $$");
  });
});
