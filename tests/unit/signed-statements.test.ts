import { describe, expect, it } from "vitest";
import { formatColumnsNoteText, parseColumnsNoteText } from "@/lib/audit/attest-columns";
import { leafHash } from "@/lib/integrity/merkle";
import { formatCutNoteText, noteText, parseCutNoteText } from "@/lib/retention/cut-note";

describe("retention cut note text", () => {
  const statement = { origin: "audit.example.com/log/acme", cutSeq: 6, cutHash: `sha256:${"ab".repeat(32)}`, cutoff: "2019-01-01T00:00:00Z", frontier: [leafHash("a"), leafHash("b")] };

  it("round-trips, with a known, an empty and an unknown frontier", () => {
    expect(parseCutNoteText(formatCutNoteText(statement))).toEqual(statement);
    expect(parseCutNoteText(formatCutNoteText({ ...statement, frontier: [] }))).toEqual({ ...statement, frontier: [] });
    expect(parseCutNoteText(formatCutNoteText({ ...statement, frontier: null }))).toEqual({ ...statement, frontier: null });
    // the line the purge function insists on
    expect(formatCutNoteText(statement)).toContain(`\ncut 6 ${statement.cutHash}\n`);
  });

  it("refuses what is not a cut note", () => {
    const text = formatCutNoteText(statement);
    expect(parseCutNoteText(text.replace("retention cut v1", "retention cut v9"))).toBeNull();
    expect(parseCutNoteText(text.replace("cut 6 ", "cut x "))).toBeNull();
    expect(parseCutNoteText(text.replace(/frontier .*/, "frontier AAAA"))).toBeNull(); // not 32 bytes
    expect(parseCutNoteText(text.trimEnd())).toBeNull(); // a note text ends in a newline
  });

  it("noteText: the text part of a signed note", () => {
    expect(noteText("a\nb\n\n— key AAAA\n")).toBe("a\nb\n");
    expect(noteText("a\nb\n")).toBe("a\nb\n");
  });
});

describe("column attestation note text", () => {
  const s = { origin: "audit.example.com/log/acme", fromSeq: 10, toSeq: 19, digestHex: "0f".repeat(32), xmin: 12345 };
  it("round-trips, with and without a shared xmin, and refuses other texts", () => {
    expect(parseColumnsNoteText(formatColumnsNoteText(s))).toEqual(s);
    expect(parseColumnsNoteText(formatColumnsNoteText({ ...s, xmin: null }))).toEqual({ ...s, xmin: null });
    expect(parseColumnsNoteText(formatColumnsNoteText(s).replace("columns v2", "columns v1"))).toBeNull();
    expect(parseColumnsNoteText(formatColumnsNoteText(s).replace("0f0f", "zz0f"))).toBeNull();
  });
});
