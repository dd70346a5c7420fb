import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalJson, chainHash } from "@/lib/audit/canonical-json";
import { toHex } from "@/lib/integrity/encoding";
import { inclusionProofRanges, leafHash, rootFromLeafHashes } from "@/lib/integrity/merkle";

/**
 * docs/recipes/verify_entry.py is the Python recipe docs/integrity.md prints. It must give the
 * service's bytes for entries whose keys sort differently by UTF-16 code unit than by code point
 * (astral characters vs. BMP characters above the surrogates, e.g. private use U+E000–U+F8FF, U+FFFF).
 */

const root = path.resolve(import.meta.dirname, "../..");
const script = path.join(root, "docs/recipes/verify_entry.py");

function python(args: string[], input: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("python3", args, { input, encoding: "utf8" });
  if (r.error) throw r.error; // python3 missing fails the test: the recipe is part of the product
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const base = {
  timestamp: "2024-01-15T10:30:00Z",
  received_at: "2024-01-15T10:30:00.250Z",
  actor: { id: "user_1", type: "user", email: "a@example.com", name: "Zoë" },
  action: "document.updated",
  resource: { type: "document", id: "doc_1", name: "Plan \u2028 B", "\ue000extra": "pua" },
};
const details: Array<Record<string, unknown>> = [
  { "\uffff": 1, "😀": 2 }, // the example: code point order puts 😀 last, UTF-16 order first
  { "\ue000": "private use", "\uf8ff": "last BMP private use", "𐀀": "U+10000", a: 1 },
  { "\u{10fffd}": "supplementary private use", "\ufb01": "ligature", "\ud7ff": "below surrogates" },
  { nested: { "\uffff": [1, { "😀": null, "\ue001": true }], é: "e-acute", E: "E" }, ctl: "bell\u0007 tab\t quote\" backslash\\" },
  { numbers: [0, -1, 1.5, 1e21, 1e-7, 0.000001, 333333333.3333333, 123456789012, -0.25] },
];
const contents = details.map((d, i) => ({ id: `evt_${i + 1}`, seq: i + 1, ...base, details: d }));

describe("Python recipe (docs/recipes/verify_entry.py)", () => {
  it("docs/integrity.md shows the file byte for byte", () => {
    const doc = fs.readFileSync(path.join(root, "docs/integrity.md"), "utf8");
    const code = fs.readFileSync(script, "utf8");
    expect(doc).toContain("```python\n" + code + "```");
  });

  it("gives the service's canonical JSON, chain hash and leaf hash for astral and private-use keys", () => {
    let previous: string | null = null;
    const want: Array<{ canonical: string; hash: string; leaf_hash: string }> = [];
    const lines: string[] = [];
    for (const content of contents) {
      const canonical = canonicalJson(content);
      const hash = chainHash(previous, canonical);
      want.push({ canonical, hash, leaf_hash: toHex(leafHash(canonical)) });
      lines.push(JSON.stringify({ content, previous_hash: previous }));
      previous = hash;
    }
    const r = python([script, "hash"], lines.join("\n") + "\n");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const got = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as unknown);
    expect(got).toEqual(want);
  });

  it("the old recipe (json.dumps sort_keys=True, code point order) mis-hashes these entries", () => {
    const old = [
      "import hashlib, json, sys",
      "for line in sys.stdin:",
      "    e = json.loads(line)",
      '    c = json.dumps(e["content"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)',
      "    print(c)",
    ].join("\n");
    const r = python(["-c", old], contents.map((content) => JSON.stringify({ content })).join("\n") + "\n");
    expect(r.status).toBe(0);
    const got = r.stdout.trim().split("\n");
    const differing = got.filter((c, i) => c !== canonicalJson(contents[i]));
    // every one of the first three entries depends on UTF-16 order
    expect(differing.length).toBeGreaterThanOrEqual(3);
    expect(got[0]).not.toBe(canonicalJson(contents[0]));
  });

  it("checks inclusion proofs like the service, and rejects a changed one", () => {
    const leaves = contents.map((c) => leafHash(canonicalJson(c)));
    const size = leaves.length;
    const rootHash = toHex(rootFromLeafHashes(leaves));
    for (let i = 0; i < size; i++) {
      const hashes = inclusionProofRanges(i, size).map((r) => toHex(rootFromLeafHashes(leaves.slice(r.start, r.end))));
      const proof = { leaf_index: i, tree_size: size, leaf_hash: toHex(leaves[i]!), hashes, root_hash: rootHash };
      const ok = python([script, "inclusion"], JSON.stringify(proof));
      expect(ok.stdout.trim()).toBe("inclusion: ok");
      expect(ok.status).toBe(0);
      const bad = python([script, "inclusion"], JSON.stringify({ ...proof, leaf_hash: toHex(leaves[(i + 1) % size]!) }));
      expect(bad.stdout.trim()).toBe("inclusion: FAILED");
      expect(bad.status).toBe(1);
    }
  });
});
