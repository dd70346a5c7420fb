import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SOC2_CRITERIA } from "@/lib/analytics/soc2-criteria";

/** docs/analytics.md's criteria table must say exactly what lib/analytics/soc2-criteria.ts does. */
describe("SOC 2 criteria mapping", () => {
  const doc = fs.readFileSync(path.join(process.cwd(), "docs", "analytics.md"), "utf8");
  it("covers at least the criteria the issue names", () => {
    const ids = SOC2_CRITERIA.map((c) => c.id);
    for (const id of ["CC6.1", "CC6.2", "CC6.3", "CC6.6", "CC6.8", "CC7.1", "CC7.2", "CC7.3", "CC8.1"]) expect(ids).toContain(id);
    for (const c of SOC2_CRITERIA) expect(c.categories.length).toBeGreaterThan(0);
  });
  it.each(SOC2_CRITERIA.map((c) => [c.id, c] as const))("docs row for %s matches the code", (id, c) => {
    const row = doc.split("\n").find((l) => l.startsWith(`| ${id} |`));
    expect(row, `docs/analytics.md has no row for ${id}`).toBeDefined();
    const expected = c.categories.map((k) => `${k.type} (${k.eventTypes.join(", ")})`).join("; ");
    expect(row).toBe(`| ${id} | ${expected} |`);
  });
});
