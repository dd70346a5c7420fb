import { describe, expect, it } from "vitest";
import { termAt } from "@/lib/audit/parse-explorer-query";
import { diffValues, diffWords, entryPairs, summarize } from "@/lib/client/diff-model";

describe("explorer query language", () => {
  // The language itself: tests/unit/query-language.test.ts (a table).
  it("finds the term under the cursor for autocomplete", () => {
    expect(termAt("actor:al action:x", 8)).toMatchObject({ key: "actor", value: "al", start: 0, end: 8 });
    expect(termAt("foo -act", 8)).toEqual({ negated: true, value: "act", start: 4, end: 8 });
  });
});

describe("diff model", () => {
  it("marks added, removed and changed members of nested objects", () => {
    const t = diffValues({ a: 1, b: { c: "x", d: [1, 2] }, gone: true }, { a: 2, b: { c: "x", d: [1, 2, 3] }, fresh: null });
    const byLabel = Object.fromEntries(t.children!.map((c) => [c.label, c]));
    expect(byLabel.a).toMatchObject({ kind: "changed", old: 1, new: 2 });
    expect(byLabel.gone).toMatchObject({ kind: "removed", old: true });
    expect(byLabel.fresh).toMatchObject({ kind: "added", new: null });
    const d = byLabel.b!.children!.find((c) => c.label === "d")!;
    expect(d.container).toBe("array");
    expect(d.children!.map((c) => c.kind)).toEqual(["unchanged", "unchanged", "added"]);
    expect(summarize(t)).toMatchObject({ changed: 1, added: 2, removed: 1 });
  });

  it("matches array items by id, so an edit inside an item is a change, not remove+add", () => {
    const t = diffValues([{ id: "r1", level: "low" }, { id: "r2", level: "high" }], [{ id: "r2", level: "high" }, { id: "r1", level: "medium" }]);
    const changed = JSON.stringify(t);
    expect(changed).toContain('"old":"low"');
    expect(changed).toContain('"new":"medium"');
    expect(summarize(t).removed).toBe(0);
  });

  it("diffs words inside changed strings", () => {
    expect(diffWords("Blocks critical vulns", "Blocks critical or high vulns")).toEqual([
      { text: "Blocks critical ", kind: "same" },
      { text: "or high ", kind: "added" },
      { text: "vulns", kind: "same" },
    ]);
    expect(diffWords("a b", "a c").filter((p) => p.kind !== "same").map((p) => p.kind)).toEqual(["removed", "added"]);
  });

  it("collects before/after pairs from changes and details", () => {
    expect(entryPairs({ changes: { status: { old: "open", new: "closed" } }, details: { before: { x: 1 }, after: { x: 2 } } })).toEqual([
      { label: "status", old: "open", new: "closed" },
      { label: "details.before/after", old: { x: 1 }, new: { x: 2 } },
    ]);
  });
});
