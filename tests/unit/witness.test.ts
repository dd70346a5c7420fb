import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatCheckpoint, parseCheckpoint } from "@/lib/integrity/checkpoint";
import { generateCosignerKey, verifyCosignature } from "@/lib/integrity/cosignature";
import { toHex } from "@/lib/integrity/encoding";
import { consistencyProofRanges, leafHash, rootFromLeafHashes } from "@/lib/integrity/merkle";
import { generateSigner, openNote, signNote } from "@/lib/integrity/signed-note";
import { runWitness, WITNESS_STATE_FILES } from "@/lib/witness/run-witness";

/**
 * The reference witness against a fake log service built from the pure Merkle and signed-note code
 * (the real routes are exercised in tests/integration/witness.test.ts): it cosigns only a
 * checkpoint that is signed by the log key and consistent with the one it saw last.
 */

const ORIGIN = "example.test/audit-trail/acme";

class FakeLog {
  leaves: Uint8Array[] = [];
  log = generateSigner("example.test/audit-trail");
  posted: Array<{ tree_size: number; cosignature: string }> = [];
  /** Overrides what GET /checkpoint serves (forged notes). */
  serve?: string;
  /** Overrides the consistency proof served. */
  proofOverride?: string[];

  append(n: number, tag = "") {
    for (let i = 0; i < n; i++) this.leaves.push(leafHash(`entry ${this.leaves.length}${tag}`));
  }

  note(size = this.leaves.length, leaves = this.leaves): string {
    return signNote({ text: formatCheckpoint({ origin: ORIGIN, size, rootHash: rootFromLeafHashes(leaves.slice(0, size)) }), signer: this.log.skey });
  }

  fetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    expect(new Headers(init?.headers).get("authorization")).toBe("Bearer tok");
    if (url.pathname === "/api/v1/audit/public-key") return new Response(`${this.log.vkey}\n`);
    if (url.pathname === "/api/v1/audit/checkpoint") return new Response(this.serve ?? this.note());
    if (url.pathname === "/api/v1/audit/consistency") {
      const first = Number(url.searchParams.get("first"));
      const second = Number(url.searchParams.get("second"));
      const hashes = this.proofOverride ?? consistencyProofRanges(first, second).map((r) => toHex(rootFromLeafHashes(this.leaves.slice(r.start, r.end))));
      return Response.json({ success: true, data: { first, second, hashes } });
    }
    if (url.pathname === "/api/v1/audit/checkpoint/cosignatures" && init?.method === "POST") {
      this.posted.push(JSON.parse(String(init.body)));
      return Response.json({ success: true }, { status: 201 });
    }
    return new Response("not found", { status: 404 });
  };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function setup() {
  const service = new FakeLog();
  const witness = generateCosignerKey("witness.example");
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "witness-"));
  dirs.push(stateDir);
  const lines: string[] = [];
  const run = (extra: Partial<Parameters<typeof runWitness>[0]> = {}) =>
    runWitness({ url: "http://log.test/", stateDir, signerKey: witness.skey, token: "tok", fetch: service.fetch, log: (l) => lines.push(l), now: () => new Date(1_700_000_000_000), ...extra });
  return { service, witness, stateDir, lines, run };
}

describe("reference witness", () => {
  it("cosigns the first checkpoint (trusting the log key on first use, loudly), then each one that extends it", async () => {
    const { service, witness, stateDir, lines, run } = setup();
    service.append(5);
    const first = await run();
    expect(first).toMatchObject({ ok: true, outcome: "cosigned", size: 5 });
    expect(lines.join("\n")).toMatch(/first run: trusting the log key/);
    expect(fs.readFileSync(path.join(stateDir, WITNESS_STATE_FILES.logKey), "utf8").trim()).toBe(service.log.vkey);
    expect(service.posted).toHaveLength(1);
    const text = openNote({ note: service.note(), verifiers: [service.log.vkey] }).text;
    expect(verifyCosignature({ checkpointText: text, line: service.posted[0]!.cosignature, verifier: witness.vkey })).toEqual({ ok: true, timestamp: 1_700_000_000 });

    service.append(8);
    const second = await run();
    expect(second).toMatchObject({ ok: true, outcome: "cosigned", size: 13, previousSize: 5 });
    expect(lines.join("\n")).toMatch(/consistent with the checkpoint saved last time \(size 5 → 13\)/);
    expect(parseCheckpoint(openNote({ note: fs.readFileSync(path.join(stateDir, WITNESS_STATE_FILES.checkpoint), "utf8"), verifiers: [service.log.vkey] }).text).size).toBe(13);
    // Same tree again: cosigned again, no proof needed.
    expect((await run()).outcome).toBe("cosigned");
  });

  it("refuses a rollback, a fork, an inconsistent history and a checkpoint not signed by the pinned key — and signs nothing", async () => {
    const { service, run } = setup();
    service.append(10);
    expect((await run()).ok).toBe(true);
    const posted = service.posted.length;

    // Rollback: the service now presents size 7.
    service.serve = service.note(7);
    expect(await run()).toMatchObject({ ok: false, outcome: "rollback", size: 7, previousSize: 10 });

    // Fork: size 10 with another root.
    const rewritten = service.leaves.map((l, i) => (i === 3 ? leafHash("edited") : l));
    service.serve = service.note(10, rewritten);
    expect((await run()).outcome).toBe("fork");

    // A re-written history that grew: the consistency proof cannot succeed.
    service.serve = undefined;
    service.leaves = rewritten;
    service.append(4);
    expect((await run()).outcome).toBe("inconsistent");

    // Signed by another key with the same name (the pinned key was saved on the first run).
    const impostor = generateSigner("example.test/audit-trail");
    service.serve = signNote({ text: formatCheckpoint({ origin: ORIGIN, size: 20, rootHash: rootFromLeafHashes(service.leaves) }), signer: impostor.skey });
    expect((await run()).outcome).toBe("bad-signature");
    expect(service.posted.length).toBe(posted);
  });

  it("a forged consistency proof is refused", async () => {
    const { service, run } = setup();
    service.append(6);
    await run();
    service.append(3);
    service.proofOverride = ["00".repeat(32), "11".repeat(32)];
    expect((await run()).outcome).toBe("inconsistent");
  });
});
