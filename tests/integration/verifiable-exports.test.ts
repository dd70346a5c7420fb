import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { ZipArchive } from "archiver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import * as logExport from "@/app/audit-logs/export/route";
import * as logExportById from "@/app/audit-logs/export/[exportId]/route";
import * as evidence from "@/app/api/v1/audit/evidence/export/route";
import * as evidenceById from "@/app/api/v1/audit/evidence/export/[job_id]/route";
import * as download from "@/app/api/v1/exports/[id]/download/route";
import { main } from "@/lib/cli/main";
import { getDatabase } from "@/lib/db/get-database";
import type { Database } from "@/lib/db/open-database";
import { resetExportConfigForTests } from "@/lib/exports/export-config";
import { runNextExport } from "@/lib/exports/run-export";
import { MANIFEST_SIG_FILE, TRAILER_KEY, VERIFICATION_FILES, manifestStatement } from "@/lib/exports/verification-format";
import { toHex } from "@/lib/integrity/encoding";
import { getCheckpoint } from "@/lib/integrity/get-checkpoint";
import { loadLogSigner } from "@/lib/integrity/load-log-signer";
import { proveConsistency } from "@/lib/integrity/prove-consistency";
import { generateSigner, signNote } from "@/lib/integrity/signed-note";
import { readZip } from "@/lib/verifier/read-zip";
import { verifyExport, type VerifyReport } from "@/lib/verifier/verify-export";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { sampleEvent, TEST_DB } from "../support/test-database";

/**
 * Issue 9 item 6: evidence ZIPs and JSONL exports made by the real exporter verify offline
 * (`npx audit-trail verify`), and every kind of tampering — one changed byte, a dropped line, two
 * lines swapped, a forged signature, a wrong key — fails, naming the file, line and seq.
 */

let app: { close(): Promise<void> };
let db: Database;
let orgId: string;
let token: string;
let vkey: string;
let tmp: string;
let zipBytes: Buffer;
let jsonlBytes: Buffer;

async function ingest(events: Record<string, unknown>[]) {
  const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: { events } });
  expect(r.status).toBe(201);
}

async function fetchDownload(urlText: string): Promise<Buffer> {
  const url = new URL(urlText, "http://localhost");
  const id = decodeURIComponent(url.pathname.split("/")[4]!);
  const res = await download.GET(new Request(url), { params: Promise.resolve({ id }) });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

async function makeEvidence(): Promise<Buffer> {
  const created = await call(evidence.POST, "POST", "/api/v1/audit/evidence/export", {
    token,
    body: { format: "zip", framework: "soc2", audit_period: { from: "2025-01-01", to: "2025-01-31" }, include: ["access_logs", "configuration_history", "compliance_reports"] },
  });
  expect(created.status).toBe(202);
  const id = created.body.data.job_id as string;
  expect(await runNextExport({ db })).toBe(id);
  const st = await call(evidenceById.GET, "GET", `/api/v1/audit/evidence/export/${id}`, { token, params: { job_id: id } });
  expect(st.body.data.status).toBe("completed");
  return fetchDownload(st.body.data.download_url);
}

async function makeJsonl(body: Record<string, unknown>): Promise<Buffer> {
  const created = await call(logExport.POST, "POST", "/audit-logs/export", { token, body: { format: "jsonl", ...body } });
  expect(created.status).toBe(202);
  const id = created.body.exportId as string;
  expect(await runNextExport({ db })).toBe(id);
  const done = await call(logExportById.GET, "GET", `/audit-logs/export/${id}`, { token, params: { exportId: id } });
  expect(done.body.status).toBe("completed");
  return fetchDownload(done.body.downloadUrl);
}

async function zip(files: Map<string, Buffer>): Promise<Buffer> {
  const archive = new ZipArchive({ zlib: { level: 6 } });
  const parts: Buffer[] = [];
  archive.on("data", (d: Buffer) => parts.push(d));
  const ended = new Promise<void>((resolve, reject) => {
    archive.on("end", () => resolve());
    archive.on("error", reject);
  });
  for (const [name, b] of files) archive.append(b, { name });
  await archive.finalize();
  await ended;
  return Buffer.concat(parts);
}

/** The ZIP with one file rewritten. */
async function withFile(bytes: Buffer, name: string, change: (b: Buffer) => Buffer): Promise<Buffer> {
  const { files } = await readZip(bytes);
  expect(files.has(name)).toBe(true);
  files.set(name, change(files.get(name)!));
  return zip(files);
}

const lines = (b: Buffer) => b.toString("utf8").split("\n").slice(0, -1);
const joinLines = (ls: string[]) => Buffer.from(`${ls.join("\n")}\n`, "utf8");
const seqOf = (line: string): number => {
  const o = JSON.parse(line) as { seq?: number; canonical?: { seq: number } };
  return o.canonical?.seq ?? o.seq!;
};

/** Replaces one character inside the `action` value of a line (stays valid JSON). */
function changeOneByte(line: string): string {
  const at = line.indexOf('"action":"') + '"action":"'.length;
  const c = line[at]!;
  return line.slice(0, at) + (c === "x" ? "y" : "x") + line.slice(at + 1);
}

const verify = (bytes: Buffer, extra: Partial<Parameters<typeof verifyExport>[0]> = {}) => verifyExport({ bytes, fileName: "package", key: vkey, ...extra });

function expectProblem(r: VerifyReport, match: { file?: string | RegExp; line?: number; seq?: number; message: RegExp }) {
  expect(r.ok).toBe(false);
  const hit = r.problems.find(
    (p) =>
      match.message.test(p.message) &&
      (match.file === undefined || (typeof match.file === "string" ? p.file === match.file : match.file.test(p.file))) &&
      (match.line === undefined || p.line === match.line) &&
      (match.seq === undefined || p.seq === match.seq),
  );
  expect(hit, `expected a problem like ${JSON.stringify({ ...match, message: String(match.message) })} in ${JSON.stringify(r.problems, null, 1)}`).toBeDefined();
}

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await main(args, { stdout: (t) => (out += t), stderr: (t) => (out += t) });
  return { code, out };
}

beforeAll(async () => {
  process.env.AUDIT_EXPORT_BATCH_ROWS = "70";
  resetExportConfigForTests();
  app = await useScratchApp();
  db = await getDatabase();
  const org = await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "acme-verif", name: "Acme" } });
  orgId = org.body.id;
  const t = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org: "acme-verif", name: "exporter", scopes: ["audit:read", "audit:write", "audit:export"] } });
  token = t.body.token;
  // 300 events in January 2025 in three batches (three checkpoints), a few sharing a timestamp, with
  // details/changes, access and configuration events for the evidence sections.
  const events = Array.from({ length: 300 }, (_, i) =>
    sampleEvent(i, {
      timestamp: new Date(Date.UTC(2025, 0, 2, 0, 0, Math.floor(i / 3))).toISOString(),
      action: i % 5 === 0 ? "access.granted" : i % 5 === 1 ? "config.changed" : "report.viewed",
      ...(i % 7 === 0 && { details: { n: i, nested: { "\uffff": 1, "😀": 2 } } }),
      ...(i % 11 === 0 && { changes: { mode: { old: "monitor", new: "block" } } }),
    }),
  );
  for (let i = 0; i < events.length; i += 100) await ingest(events.slice(i, i + 100));
  vkey = (await loadLogSigner()).vkey;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "verif-"));
  zipBytes = await makeEvidence();
  jsonlBytes = await makeJsonl({ from: "2025-01-01", to: "2025-01-31" });
}, 180_000);

afterAll(async () => {
  await app?.close();
  delete process.env.AUDIT_EXPORT_BATCH_ROWS;
  resetExportConfigForTests();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe(`verifiable exports and the offline verifier (${TEST_DB})`, () => {
  it("an evidence package made by the exporter verifies: files, manifest signature, entries, Merkle root against the signed checkpoint", async () => {
    const { files } = await readZip(zipBytes);
    for (const f of Object.values(VERIFICATION_FILES)) expect(files.has(f), f).toBe(true);
    expect(files.has(MANIFEST_SIG_FILE)).toBe(true);
    const manifest = JSON.parse(files.get("manifest.json")!.toString("utf8"));
    expect(manifest.log).toMatchObject({ origin: expect.stringMatching(/\/acme-verif$/), tree_size: expect.any(Number), root_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(files.get(VERIFICATION_FILES.publicKey)!.toString("utf8").trim()).toBe(vkey);
    expect(files.get("README.md")!.toString("utf8")).toContain(`npx audit-trail verify /path/to/this-package.zip --key '${vkey}'`);
    const r = await verify(zipBytes);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.entries).toBe(300); // events.jsonl: every event of the period (the sections are subsets)
    expect(r.checkpoint?.size).toBe(manifest.log.tree_size);
    expect(r.checks.filter((c) => c.status === "fail")).toEqual([]);
  });

  it("the CLI: exit 0 and a plain summary; without --key it warns loudly that the key was not pinned; the bin runs through npx's entry", async () => {
    const file = path.join(tmp, "evidence.zip");
    fs.writeFileSync(file, zipBytes);
    const pinned = await cli(["verify", file, "--key", vkey]);
    expect(pinned.code).toBe(0);
    expect(pinned.out).toMatch(/RESULT: VERIFIED — 300 entries are in the log .*acme-verif at tree size/);
    expect(pinned.out).not.toMatch(/NOT PINNED/);
    const keyFile = path.join(tmp, "log.vkey");
    fs.writeFileSync(keyFile, `${vkey}\n`);
    const unpinned = await cli(["verify", file]);
    expect(unpinned.code).toBe(0);
    expect(unpinned.out).toMatch(/THE LOG KEY WAS NOT PINNED/);
    // The real bin (tsx), as `npx audit-trail verify` runs it.
    const run = promisify(execFile);
    const ok = await run(process.execPath, [path.resolve("bin/audit-trail.mjs"), "verify", file, "--key", keyFile]);
    expect(ok.stdout).toMatch(/RESULT: VERIFIED/);
    const bad = path.join(tmp, "evidence-bad.zip");
    fs.writeFileSync(bad, await withFile(zipBytes, "events.jsonl", (b) => joinLines(lines(b).slice(1))));
    const failed = await run(process.execPath, [path.resolve("bin/audit-trail.mjs"), "verify", bad, "--key", keyFile]).then(
      () => ({ code: 0, stdout: "" }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/RESULT: FAILED/);
    const usage = await cli(["verify", path.join(tmp, "nope.zip")]);
    expect(usage.code).toBe(2);
  });

  it("ZIP: one changed byte in an entry → the file's SHA-256, the entry's hash, and the Merkle root fail, naming file, line and seq", async () => {
    const ls = lines((await readZip(zipBytes)).files.get("events.jsonl")!);
    const k = 17;
    const seq = seqOf(ls[k - 1]!);
    const bytes = await withFile(zipBytes, "events.jsonl", (b) => {
      const l = lines(b);
      l[k - 1] = changeOneByte(l[k - 1]!);
      return joinLines(l);
    });
    const r = await verify(bytes);
    expectProblem(r, { file: "events.jsonl", message: /SHA-256 differs from manifest\.json/ });
    expectProblem(r, { file: "events.jsonl", line: k, seq, message: /hash does not recompute/ });
    expectProblem(r, { message: /is not the checkpoint's root/ });
  });

  it("ZIP: a dropped line → the seq proved but absent is named, and the entry count and SHA-256 fail", async () => {
    const ls = lines((await readZip(zipBytes)).files.get("events.jsonl")!);
    // An entry in no section file (report.viewed), so that only events.jsonl had it.
    const k = ls.findIndex((l, i) => i >= 40 && l.includes('"action":"report.viewed"')) + 1;
    const seq = seqOf(ls[k - 1]!);
    const bytes = await withFile(zipBytes, "events.jsonl", (b) => joinLines(lines(b).filter((_, i) => i !== k - 1)));
    const r = await verify(bytes);
    expectProblem(r, { seq, message: /absent from the package.*a line was dropped/ });
    expectProblem(r, { file: "events.jsonl", message: /299 entries, manifest\.json says 300/ });
  });

  it("ZIP: two lines swapped → out of order, naming the line and seq", async () => {
    const ls = lines((await readZip(zipBytes)).files.get("access_logs.jsonl")!);
    const k = 5;
    const bytes = await withFile(zipBytes, "access_logs.jsonl", (b) => {
      const l = lines(b);
      [l[k - 1], l[k]] = [l[k]!, l[k - 1]!];
      return joinLines(l);
    });
    const r = await verify(bytes);
    expectProblem(r, { file: "access_logs.jsonl", line: k + 1, seq: seqOf(ls[k - 1]!), message: /out of order/ });
    expectProblem(r, { file: "access_logs.jsonl", message: /SHA-256 differs/ });
  });

  it("ZIP: manifest.sig by another key, one character of the real signature changed, a wrong pinned key, a raw byte flipped in the ZIP → non-zero", async () => {
    const other = generateSigner((await loadLogSigner()).name);
    const { files } = await readZip(zipBytes);
    const manifestSha = (await import("node:crypto")).createHash("sha256").update(files.get("manifest.json")!).digest("hex");
    // Signed by another key with the same name.
    const forged = await withFile(zipBytes, MANIFEST_SIG_FILE, () => Buffer.from(signNote({ text: manifestStatement(manifestSha), signer: other.skey })));
    expectProblem(await verify(forged), { file: MANIFEST_SIG_FILE, message: /no valid signature by the log key/ });
    // One bit of the real signature flipped.
    const flipped = await withFile(zipBytes, MANIFEST_SIG_FILE, (b) => {
      const t = b.toString("utf8");
      const at = t.lastIndexOf(" ") + 10;
      return Buffer.from(t.slice(0, at) + (t[at] === "A" ? "B" : "A") + t.slice(at + 1));
    });
    expectProblem(await verify(flipped), { file: MANIFEST_SIG_FILE, message: /no valid signature/ });
    // The wrong key pinned: every signature fails and the packaged key is named as not the pinned one.
    const wrong = await verify(zipBytes, { key: other.vkey });
    expectProblem(wrong, { file: VERIFICATION_FILES.publicKey, message: /is not the pinned key/ });
    expectProblem(wrong, { file: VERIFICATION_FILES.checkpoint, message: /no valid signature by the log key/ });
    const file = path.join(tmp, "wrong-key.zip");
    fs.writeFileSync(file, zipBytes);
    expect((await cli(["verify", file, "--key", other.vkey])).code).toBe(1);
    // A raw byte in the middle of the ZIP.
    const raw = Buffer.from(zipBytes);
    raw[Math.floor(raw.length / 2)]! ^= 0x01;
    expect((await verify(raw)).ok).toBe(false);
  });

  it("JSONL export: AppSec+ lines plus `canonical` and a signed trailer; verifies; tampering is named", async () => {
    const all = lines(jsonlBytes);
    const trailer = JSON.parse(all[all.length - 1]!)[TRAILER_KEY];
    expect(trailer).toMatchObject({ format: "audit-trail-jsonl/v1", lines: all.length - 1, public_key: vkey });
    const first = JSON.parse(all[0]!);
    expect(first).toMatchObject({ id: expect.any(String), action: expect.any(String), actor: expect.any(Object), resource: expect.any(Object), canonical: { seq: expect.any(Number) } });
    const ok = await verify(jsonlBytes);
    expect(ok.problems).toEqual([]);
    expect(ok.ok).toBe(true);
    expect(ok.kind).toBe("jsonl");

    const k = 33;
    const seq = seqOf(all[k - 1]!);
    const changed = [...all];
    changed[k - 1] = changeOneByte(changed[k - 1]!);
    const r1 = await verify(joinLines(changed));
    expectProblem(r1, { line: k, seq, message: /AppSec\+ members differ/ });
    expectProblem(r1, { message: /SHA-256 of lines 1–\d+ differs/ });
    // The byte in the canonical member: the entry's hash.
    const canon = [...all];
    canon[k - 1] = canon[k - 1]!.replace(/("canonical":\{.*"action":")(.)/, (_m, a: string, c: string) => a + (c === "x" ? "y" : "x"));
    expectProblem(await verify(joinLines(canon)), { line: k, seq, message: /hash does not recompute/ });

    const dropped = all.filter((_, i) => i !== k - 1);
    const r2 = await verify(joinLines(dropped));
    expectProblem(r2, { seq, message: /absent from the package/ });
    expectProblem(r2, { message: /entry lines, the trailer says/ });

    const swapped = [...all];
    [swapped[k - 1], swapped[k]] = [swapped[k]!, swapped[k - 1]!];
    expectProblem(await verify(joinLines(swapped)), { line: k + 1, seq, message: /out of order/ });

    const cut = all.slice(0, -1);
    expectProblem(await verify(joinLines(cut)), { message: /not the "audit_trail_verification" trailer/ });

    const other = generateSigner((await loadLogSigner()).name);
    const forged = [...all];
    const t = JSON.parse(forged[forged.length - 1]!);
    t[TRAILER_KEY].signature = signNote({ text: t[TRAILER_KEY].signature.split("\n\n")[0] + "\n", signer: other.skey });
    forged[forged.length - 1] = JSON.stringify(t);
    expectProblem(await verify(joinLines(forged)), { message: /no valid signature by the log key/ });
    expect((await verify(jsonlBytes, { key: other.vkey })).ok).toBe(false);
  });

  it("JSONL: a job that died after storing its trailer but before completing is resumed with exactly one trailer", async () => {
    const created = await call(logExport.POST, "POST", "/audit-logs/export", { token, body: { format: "jsonl", action: "access.granted" } });
    const id = created.body.exportId as string;
    expect(await runNextExport({ db })).toBe(id);
    // As if the worker had died right after the trailer's chunk committed: processing, stale heartbeat.
    await db.sql.query(`UPDATE export_jobs SET status = 'processing', worker_id = 'dead-worker', heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [id]);
    expect(await runNextExport({ db })).toBe(id);
    const done = await call(logExportById.GET, "GET", `/audit-logs/export/${id}`, { token, params: { exportId: id } });
    expect(done.body.status).toBe("completed");
    const bytes = await fetchDownload(done.body.downloadUrl);
    const ls = lines(bytes);
    expect(ls.filter((l) => l.startsWith(`{"${TRAILER_KEY}"`))).toHaveLength(1);
    const r = await verify(bytes);
    expect(r.problems).toEqual([]);
    expect(r.entries).toBe(ls.length - 1);
  });

  it("a checkpoint kept earlier: same size or a consistency proof in the package → ok; other sizes need --consistency-proof, and the verifier says which", async () => {
    // An auditor kept the checkpoint of the first package; more events arrive; a second package.
    const keptNote = (await readZip(zipBytes)).files.get(VERIFICATION_FILES.checkpoint)!.toString("utf8");
    const kept = path.join(tmp, "kept-checkpoint.txt");
    fs.writeFileSync(kept, keptNote);
    const keptSize = Number(keptNote.split("\n")[1]);
    // A checkpoint of some other size the packages know nothing of (the one after the second batch).
    const [{ size: other }] = (await db.sql.query<{ size: string }>(`SELECT tree_size AS size FROM audit_checkpoints WHERE org_id = $1 AND tree_size BETWEEN 150 AND 250 ORDER BY tree_size LIMIT 1`, [orgId])) as [{ size: string }];
    const size2 = Number(other);
    const arbitraryNote = await getCheckpoint({ sql: db.sql, orgId, size: size2 });
    await ingest(Array.from({ length: 30 }, (_, i) => sampleEvent(5000 + i, { timestamp: "2025-01-20T00:00:00Z", action: "access.granted" })));
    const later = await makeEvidence();
    const laterFile = path.join(tmp, "later.zip");
    fs.writeFileSync(laterFile, later);
    const same = await cli(["verify", path.join(tmp, "evidence.zip"), "--key", vkey, "--checkpoint", kept]);
    expect(same.code).toBe(0);
    expect(same.out).toMatch(/same tree size/);
    const extended = await cli(["verify", laterFile, "--key", vkey, "--checkpoint", kept]);
    expect(extended.out).toMatch(new RegExp(`extends the saved checkpoint \\(size ${keptSize}\\)`));
    expect(extended.code).toBe(0);

    const arbitrary = path.join(tmp, "arbitrary.txt");
    fs.writeFileSync(arbitrary, arbitraryNote);
    const missing = await cli(["verify", laterFile, "--key", vkey, "--checkpoint", arbitrary]);
    expect(missing.code).toBe(1);
    const laterSize = (await verify(later)).checkpoint!.size;
    expect(missing.out).toContain(`missing: a consistency proof from tree size ${size2} to ${laterSize}`);
    expect(missing.out).toContain(`GET /api/v1/audit/consistency?first=${size2}&second=${laterSize}`);
    const proof = await proveConsistency({ sql: db.sql, orgId, first: size2, second: laterSize });
    const proofFile = path.join(tmp, "consistency.json");
    fs.writeFileSync(proofFile, JSON.stringify({ success: true, data: { first: size2, second: laterSize, hashes: proof.hashes.map(toHex) } }));
    const supplied = await cli(["verify", laterFile, "--key", vkey, "--checkpoint", arbitrary, "--consistency-proof", proofFile]);
    expect(supplied.out).toContain(`extends the saved checkpoint (size ${size2})`);
    expect(supplied.code).toBe(0);
    // A wrong proof (hashes of another pair of sizes) fails.
    const wrongProof = await proveConsistency({ sql: db.sql, orgId, first: 100, second: laterSize });
    fs.writeFileSync(proofFile, JSON.stringify({ first: size2, second: laterSize, hashes: wrongProof.hashes.map(toHex) }));
    const wrong = await cli(["verify", laterFile, "--key", vkey, "--checkpoint", arbitrary, "--consistency-proof", proofFile]);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain(`does not extend the one of size ${size2}`);
  });
});
