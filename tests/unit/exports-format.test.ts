import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import type { StoredEvent } from "@/lib/audit/event-schema";
import { toAppSecEntry } from "@/lib/dialects/appsecplus/audit-logs";
import { CSV_COLUMNS, csvHeader, csvLines, neutralizeCell, toAppSecPlusEntry } from "@/lib/exports/format-entries";

const ev = (over: Partial<StoredEvent> = {}): StoredEvent => ({
  id: "ev-1",
  seq: 7,
  timestamp: "2025-01-01T00:00:00Z",
  received_at: "2025-01-01T00:00:01Z",
  actor: { id: "u1", type: "user", email: "a@example.com" },
  action: "policy.update",
  resource: { type: "policy", id: "p1", name: "Policy" },
  hash: "sha256:ab",
  previous_hash: null,
  ...over,
});

describe("CSV formula-injection neutralisation (OWASP)", () => {
  it.each([
    ["=1+2", "'=1+2"],
    ["+SUM(A1:A9)", "'+SUM(A1:A9)"],
    ["-2+3", "'-2+3"],
    ["@SUM(1)", "'@SUM(1)"],
    ["\tx", "'\tx"],
    ["\rx", "'\rx"],
    ['=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'],
  ])("%j becomes %j", (input, out) => {
    expect(neutralizeCell(input)).toBe(out);
  });

  it.each(["plain", "a=b", "1-2", "mail@example.com", "", " =spaced"])("%j is left alone", (v) => {
    expect(neutralizeCell(v)).toBe(v);
  });

  it("quotes per RFC 4180 (CRLF records, doubled quotes) and round-trips through a CSV parser", () => {
    const nasty = ev({ resource: { type: "policy", id: "p,1", name: 'say "hi"\nnext line' }, actor: { id: "=cmd|' /C calc'!A0", type: "user", name: "-1" } });
    const text = csvHeader() + csvLines([nasty, ev({ id: "ev-2", seq: 8 })]);
    expect(text.startsWith(`${CSV_COLUMNS.join(",")}\r\n`)).toBe(true);
    expect(text).toContain('"say ""hi""\nnext line"');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows[0]!.resource_id).toBe("p,1");
    expect(rows[0]!.resource_name).toBe('say "hi"\nnext line');
    expect(rows[0]!.actor_id).toBe("'=cmd|' /C calc'!A0");
    expect(rows[0]!.actor_name).toBe("'-1");
    expect(rows[1]!.seq).toBe("8");
    expect(rows[1]!.actor_email).toBe("a@example.com");
    expect(rows[1]!.repository_id).toBe("");
  });

  it("JSON columns stay parseable", () => {
    const rows = parse(csvHeader() + csvLines([ev({ changes: { mode: { old: "=a", new: "b" } }, details: { n: 1 } })]), { columns: true }) as Record<string, string>[];
    expect(JSON.parse(rows[0]!.changes!)).toEqual({ mode: { old: "=a", new: "b" } });
    expect(JSON.parse(rows[0]!.details!)).toEqual({ n: 1 });
  });
});

describe("JSONL entry shape for AppSec+ exports", () => {
  it("is the AppSec+ entry (metadata.ip, requestId, changes with old/new)", () => {
    const e = ev({ ip_address: "203.0.113.10", request_id: "req-1", changes: { action: { old: "monitor", new: "block" } } });
    expect(toAppSecPlusEntry(e)).toEqual({
      id: "ev-1",
      timestamp: "2025-01-01T00:00:00Z",
      actor: { id: "u1", type: "user", email: "a@example.com" },
      action: "policy.update",
      resource: { type: "policy", id: "p1", name: "Policy" },
      metadata: { ip: "203.0.113.10", requestId: "req-1", changes: { action: { old: "monitor", new: "block" } } },
    });
  });

  it("equals the AppSec+ dialect's own entry mapper (GET /audit-logs), field for field", () => {
    const cases = [
      ev(),
      ev({ ip_address: "2001:db8::1", request_id: "r", changes: { a: { new: 1 } }, details: { x: 1 }, repository: { id: "r1", name: "acme/r1" } }),
      ev({ actor: { id: "svc", type: "service_account", name: "CI" }, resource: { type: "t", id: "i" } }),
    ];
    for (const e of cases) expect(toAppSecPlusEntry(e)).toEqual(toAppSecEntry(e));
  });
});
