import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * House rule (docs/architecture.md): domain code in lib/ never imports from app/ (routes depend on
 * lib, never the reverse), and never imports Next.js. Every import/export-from and dynamic import in
 * every lib/ source file is checked, whatever the spelling (`@/app/…`, relative `../app/…`).
 */
const root = path.resolve(import.meta.dirname, "../..");
const libDir = path.join(root, "lib");

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === "generated" ? [] : sources(p);
    return /\.(ts|tsx|mts|js|mjs)$/.test(d.name) ? [p] : [];
  });
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["']([^"']+)["']/g;

describe("lib/ never imports app/", () => {
  const files = sources(libDir);

  it("reads the lib/ tree", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.some((f) => f.endsWith(path.join("lib", "dialects", "amp", "audit-logs.ts")))).toBe(true);
  });

  it("no lib/ file imports from app/ or from Next.js", () => {
    const offenders: string[] = [];
    for (const file of files) {
      const text = fs.readFileSync(file, "utf8");
      for (const m of text.matchAll(SPECIFIER)) {
        const spec = m[1]!;
        const target = spec.startsWith("@/") ? path.join(root, spec.slice(2)) : spec.startsWith(".") ? path.resolve(path.dirname(file), spec) : null;
        const intoApp = target !== null && (target === path.join(root, "app") || target.startsWith(path.join(root, "app") + path.sep));
        if (intoApp || spec === "next" || spec.startsWith("next/")) offenders.push(`${path.relative(root, file)} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("the checker itself catches both spellings", () => {
    const probe = ['import { x } from "@/app/api/foo";', 'export { y } from "../../app/bar";', 'await import("next/headers")'].join("\n");
    expect([...probe.matchAll(SPECIFIER)].map((m) => m[1])).toEqual(["@/app/api/foo", "../../app/bar", "next/headers"]);
  });
});
