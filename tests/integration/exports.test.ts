import crypto from "node:crypto";
import { parse } from "csv-parse/sync";
import yauzl from "yauzl";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import * as logExport from "@/app/audit-logs/export/route";
import * as logExportById from "@/app/audit-logs/export/[exportId]/route";
import * as evidence from "@/app/api/v1/audit/evidence/export/route";
import * as evidenceById from "@/app/api/v1/audit/evidence/export/[job_id]/route";
import * as exportsList from "@/app/api/v1/exports/route";
import * as cancel from "@/app/api/v1/exports/[id]/cancel/route";
import * as retry from "@/app/api/v1/exports/[id]/retry/route";
import * as download from "@/app/api/v1/exports/[id]/download/route";
import { canonicalJson, chainHash } from "@/lib/audit/canonical-json";
import { explorerFilter } from "@/lib/audit/explorer-filter";
import { F, listEvents } from "@/lib/audit/query-events";
import { getDatabase } from "@/lib/db/get-database";
import type { Database } from "@/lib/db/open-database";
import { resetExportConfigForTests } from "@/lib/exports/export-config";
import { expireExports } from "@/lib/exports/expire-exports";
import { toAppSecPlusEntry, verifiableJsonlEntry } from "@/lib/exports/format-entries";
import { TRAILER_KEY, VERIFICATION_FILES } from "@/lib/exports/verification-format";
import { verifyExport } from "@/lib/verifier/verify-export";
import { claimExport, runExport, runNextExport } from "@/lib/exports/run-export";
import { signDownloadPath } from "@/lib/exports/sign-download";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { sampleEvent, TEST_DB } from "../support/test-database";

let app: { close(): Promise<void> };
let db: Database;
let orgId: string;
let exporter: string;
let reader: string;
let otherExporter: string;

async function mint(org: string, scopes: string[]) {
  const r = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org, name: `t-${scopes.join("+")}`, scopes } });
  expect(r.status).toBe(201);
  return r.body.token as string;
}

async function ingest(events: Record<string, unknown>[]) {
  for (let i = 0; i < events.length; i += 1000) {
    const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token: exporter, body: { events: events.slice(i, i + 1000) } });
    expect(r.status).toBe(201);
  }
}

/** Fetches a signed URL through the download route, without any Authorization header. */
async function fetchDownload(urlText: string) {
  const url = new URL(urlText, "http://localhost");
  const id = decodeURIComponent(url.pathname.split("/")[4]!);
  const res = await download.GET(new Request(url), { params: Promise.resolve({ id }) });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

function unzip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const files = new Map<string, Buffer>();
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, s) => {
          if (e || !s) return reject(e);
          const parts: Buffer[] = [];
          s.on("data", (d: Buffer) => parts.push(d));
          s.on("end", () => {
            files.set(entry.fileName, Buffer.concat(parts));
            zip.readEntry();
          });
        });
      });
      zip.on("end", () => resolve(files));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

/** The entry lines of a JSONL export (its last line is the verification trailer). */
const entryLines = (b: Buffer): string[] => b.toString("utf8").trimEnd().split("\n").slice(0, -1);

const sha256 = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  process.env.AUDIT_EXPORT_BATCH_ROWS = "400";
  process.env.AUDIT_EXPORT_CHUNK_BYTES = "65536";
  resetExportConfigForTests();
  app = await useScratchApp();
  db = await getDatabase();
  const a = await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "acme-exp", name: "Acme" } });
  orgId = a.body.id;
  await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "other-exp" } });
  exporter = await mint("acme-exp", ["audit:read", "audit:write", "audit:export"]);
  reader = await mint("acme-exp", ["audit:read"]);
  otherExporter = await mint("other-exp", ["audit:read", "audit:export"]);
  // 3000 ordinary events in January 2025 (i seconds after midnight), and OWASP-style values.
  await ingest(Array.from({ length: 3000 }, (_, i) => sampleEvent(i, { ip_address: "203.0.113.10", request_id: `req-${i}` })));
  await ingest([
    { ...sampleEvent(90001), resource: { type: "csvcase", id: "c1", name: "=1+2" } },
    { ...sampleEvent(90002), resource: { type: "csvcase", id: "c2", name: "+SUM(A1:A2)" }, actor: { id: "-2+3", type: "user" } },
    { ...sampleEvent(90003), resource: { type: "csvcase", id: "c,3", name: "@cmd" } },
    { ...sampleEvent(90004), resource: { type: "csvcase", id: "c4", name: 'quote "me", please' }, changes: { mode: { old: "=x", new: "y" } } },
  ]);
}, 180_000);

afterAll(async () => {
  await app?.close();
  delete process.env.AUDIT_EXPORT_BATCH_ROWS;
  delete process.env.AUDIT_EXPORT_CHUNK_BYTES;
  resetExportConfigForTests();
});

describe(`exports (${TEST_DB})`, () => {
  it("refuses bad parameters (naming the field), missing credentials and a missing scope, creating nothing", async () => {
    const before = (await call(exportsList.GET, "GET", "/api/v1/exports", { token: exporter })).body.data.length;
    const bad = await call(logExport.POST, "POST", "/audit-logs/export", { token: exporter, body: { format: "xml" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("format");
    const badDate = await call(logExport.POST, "POST", "/audit-logs/export", { token: exporter, body: { format: "csv", from: "yesterday" } });
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.field).toBe("from");
    const unknown = await call(logExport.POST, "POST", "/audit-logs/export", { token: exporter, body: { format: "csv", colour: "red" } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.field).toBe("colour");
    const badFw = await call(evidence.POST, "POST", "/api/v1/audit/evidence/export", {
      token: exporter,
      body: { format: "zip", framework: "soc3", audit_period: { from: "2025-01-01", to: "2025-01-31" } },
    });
    expect(badFw.status).toBe(400);
    expect(badFw.body.error.field).toBe("framework");
    const badPeriod = await call(evidence.POST, "POST", "/api/v1/audit/evidence/export", {
      token: exporter,
      body: { framework: "soc2", audit_period: { from: "2025-02-01", to: "2025-01-01" } },
    });
    expect(badPeriod.status).toBe(400);
    expect((await call(logExport.POST, "POST", "/audit-logs/export", { body: { format: "csv" } })).status).toBe(401);
    expect((await call(logExport.POST, "POST", "/audit-logs/export", { token: reader, body: { format: "csv" } })).status).toBe(403);
    expect((await call(exportsList.GET, "GET", "/api/v1/exports", { token: reader })).status).toBe(403);
    expect((await call(exportsList.GET, "GET", "/api/v1/exports", { token: exporter })).body.data.length).toBe(before);
  });

  it("JSONL: the file holds exactly the filtered query, in the AppSec+ entry shape; the link is signed and audited", async () => {
    const from = "2025-01-01T00:10:00Z";
    const to = "2025-01-01T00:40:00Z";
    const created = await call(logExport.POST, "POST", "/audit-logs/export", { token: exporter, body: { format: "jsonl", from, to, action: "policy.update" } });
    expect(created.status).toBe(202);
    expect(created.body).toEqual({ exportId: expect.stringMatching(/^exp_/), status: "processing", createdAt: expect.any(String) });
    const id = created.body.exportId as string;
    const pending = await call(logExportById.GET, "GET", `/audit-logs/export/${id}`, { token: exporter, params: { exportId: id } });
    expect(pending.body).toMatchObject({ exportId: id, status: "processing", downloadUrl: null });

    expect(await runNextExport({ db })).toBe(id);
    const done = await call(logExportById.GET, "GET", `/audit-logs/export/${id}`, { token: exporter, params: { exportId: id } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ exportId: id, status: "completed", progress: 1, expiresAt: expect.any(String) });
    const expected = await listEvents({ sql: db.sql, orgId, filter: { from: new Date(from), to: new Date(Date.parse(to) + 1), where: F.in("action", ...["policy.update"]) }, limit: 100_000 });
    expect(expected.length).toBe(900);
    expect(done.body.rowCount).toBe(expected.length);
    const expiresIn = Date.parse(done.body.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(23 * 3600_000);
    expect(expiresIn).toBeLessThanOrEqual(24 * 3600_000 + 5000);

    const { res, bytes } = await fetchDownload(done.body.downloadUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="audit-logs-${id}.jsonl"`);
    expect(Number(res.headers.get("content-length"))).toBe(bytes.length);
    const lines = entryLines(bytes).map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual(expected.map(verifiableJsonlEntry));
    // Each line is the AppSec+ entry plus the stored entry under `canonical`; the last line is the verification trailer.
    expect((lines[0] as Record<string, unknown>).id).toBe(toAppSecPlusEntry(expected[0]!).id);
    expect(JSON.parse(bytes.toString("utf8").trimEnd().split("\n").pop()!)).toHaveProperty(TRAILER_KEY);

    // Refused without a valid signature; a tampered expiry breaks the signature; an expired link is 410.
    const u = new URL(done.body.downloadUrl);
    const noSig = new URL(u);
    noSig.searchParams.delete("sig");
    expect((await fetchDownload(noSig.toString())).res.status).toBe(403);
    const tampered = new URL(u);
    tampered.searchParams.set("expires", String(Number(u.searchParams.get("expires")) + 3600));
    expect((await fetchDownload(tampered.toString())).res.status).toBe(403);
    const past = await signDownloadPath({ sql: db.sql, exportId: id, expiresAt: new Date(Date.now() - 1000) });
    expect((await fetchDownload(past)).res.status).toBe(410);

    // Creating and downloading are audit events (who, what, how many rows).
    const audit = await listEvents({ sql: db.sql, orgId, filter: { where: F.in("resource.id", id) }, limit: 10 });
    const byAction = Object.fromEntries(audit.map((e) => [e.action, e]));
    expect(byAction["export.requested"]?.details).toMatchObject({ kind: "logs", format: "jsonl", rows_estimated: 900 });
    expect(byAction["export.requested"]?.actor.type).toBe("api_token");
    expect(byAction["export.completed"]?.details).toMatchObject({ rows: 900 });
    expect(byAction["export.downloaded"]?.details).toMatchObject({ rows: 900 });

    // Another org's credential learns nothing: 404 like a missing export.
    const foreign = await call(logExportById.GET, "GET", `/audit-logs/export/${id}`, { token: otherExporter, params: { exportId: id } });
    expect(foreign.status).toBe(404);
    expect((await call(logExportById.GET, "GET", "/audit-logs/export/exp_nope", { token: exporter, params: { exportId: "exp_nope" } })).status).toBe(404);
  });

  it("'Export this view': the explorer's query box filters the export exactly as it filters the explorer", async () => {
    const q = "actor:user-1 action:user.login";
    const created = await call(logExport.POST, "POST", "/audit-logs/export", { token: exporter, body: { format: "jsonl", q, to: "2025-01-01T00:20:00Z" } });
    expect(created.status).toBe(202);
    const id = created.body.exportId as string;
    await runNextExport({ db });
    const done = await call(logExportById.GET, "GET", `/audit-logs/export/${id}`, { token: exporter, params: { exportId: id } });
    const expected = await listEvents({ sql: db.sql, orgId, filter: { ...explorerFilter({ q }), to: new Date(Date.parse("2025-01-01T00:20:00Z") + 1) }, limit: 10_000 });
    expect(expected.length).toBeGreaterThan(50);
    expect(expected.every((e) => e.actor.id === "user-1" && e.action === "user.login")).toBe(true);
    const { bytes } = await fetchDownload(done.body.downloadUrl);
    expect(entryLines(bytes).map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(expected.map((e) => e.id));
    const bad = await call(logExport.POST, "POST", "/audit-logs/export", { token: exporter, body: { format: "jsonl", q: 'actor:"unclosed' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("q");
  });

  it("CSV: header, RFC 4180 quoting, formula injection neutralised, same rows as the query", async () => {
    const created = await call(logExport.POST, "POST", "/audit-logs/export", { token: exporter, body: { format: "csv", resourceType: "csvcase" } });
    const id = created.body.exportId as string;
    await runNextExport({ db });
    const done = await call(logExportById.GET, "GET", `/audit-logs/export/${id}`, { token: exporter, params: { exportId: id } });
    const { res, bytes } = await fetchDownload(done.body.downloadUrl);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="audit-logs-${id}.csv"`);
    const text = bytes.toString("utf8");
    expect(text.split("\r\n")[0]).toMatch(/^id,timestamp,actor_id,/);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.id)).toEqual(["ev-90004", "ev-90003", "ev-90002", "ev-90001"]);
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId["ev-90001"]!.resource_name).toBe("'=1+2");
    expect(byId["ev-90002"]!.resource_name).toBe("'+SUM(A1:A2)");
    expect(byId["ev-90002"]!.actor_id).toBe("'-2+3");
    expect(byId["ev-90003"]!.resource_name).toBe("'@cmd");
    expect(byId["ev-90003"]!.resource_id).toBe("c,3");
    expect(byId["ev-90004"]!.resource_name).toBe('quote "me", please');
    expect(JSON.parse(byId["ev-90004"]!.changes!)).toEqual({ mode: { old: "=x", new: "y" } });
    expect(text).toContain('"quote ""me"", please"');
  });

  it("cancel and retry: a cancelled job is not run; retried, it completes; finished jobs cannot be cancelled", async () => {
    const created = await call(logExport.POST, "POST", "/audit-logs/export", { token: exporter, body: { format: "jsonl" } });
    const id = created.body.exportId as string;
    const c = await call(cancel.POST, "POST", `/api/v1/exports/${id}/cancel`, { token: exporter, params: { id } });
    expect(c.status).toBe(200);
    expect(c.body.data.status).toBe("cancelled");
    expect(await runNextExport({ db })).toBeNull();
    expect((await call(cancel.POST, "POST", `/api/v1/exports/${id}/cancel`, { token: exporter, params: { id } })).status).toBe(409);
    expect((await call(cancel.POST, "POST", `/api/v1/exports/${id}/cancel`, { token: otherExporter, params: { id } })).status).toBe(404);
    const r = await call(retry.POST, "POST", `/api/v1/exports/${id}/retry`, { token: exporter, params: { id } });
    expect(r.status).toBe(200);
    expect(r.body.data.status).toBe("queued");
    expect(await runNextExport({ db })).toBe(id);
    const list = await call(exportsList.GET, "GET", "/api/v1/exports", { token: exporter });
    const job = list.body.data.find((j: { id: string }) => j.id === id);
    expect(job).toMatchObject({ status: "completed", kind: "logs", format: "jsonl", download_url: expect.stringContaining(`/api/v1/exports/${id}/download?expires=`) });
    expect(job.rows_written).toBeGreaterThan(3000);
    expect((await call(retry.POST, "POST", `/api/v1/exports/${id}/retry`, { token: exporter, params: { id } })).status).toBe(409);
  });

  it("a job whose worker died is taken over and resumed from its last stored chunk, without duplicates", async () => {
    const created = await call(logExport.POST, "POST", "/audit-logs/export", { token: exporter, body: { format: "jsonl" } });
    const id = created.body.exportId as string;
    const a = await claimExport({ db, workerId: "worker-a" });
    expect(a?.id).toBe(id);
    // Worker A "freezes" (its process is gone) right after it stored its first chunk: every later
    // query of A waits on a gate that opens only after worker B finished the job.
    let transactions = 0;
    let openGate!: () => void;
    const gate = new Promise<void>((r) => (openGate = r));
    const frozenDb: Database = {
      ...db,
      sql: {
        query: async (text, params) => {
          if (transactions >= 2) await gate;
          return db.sql.query(text, params);
        },
        transaction: async (fn) => {
          if (transactions >= 2) await gate;
          const r = await db.sql.transaction(fn);
          transactions++;
          return r;
        },
        exec: (script) => db.sql.exec(script),
      },
    };
    const runA = runExport({ db: frozenDb, job: a!, workerId: "worker-a" });
    while (transactions < 2) await new Promise((res) => setTimeout(res, 2));
    const [mid] = await db.sql.query<{ chunks_written: number; rows_written: number }>(`SELECT chunks_written, rows_written FROM export_jobs WHERE id = $1`, [id]);
    expect(mid!.chunks_written).toBe(1);
    expect(await claimExport({ db, workerId: "worker-b", staleMs: 60_000 })).toBeNull(); // A's heartbeat is still fresh
    await db.sql.query(`UPDATE export_jobs SET heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [id]);
    const lines: string[] = [];
    const b = await claimExport({ db, workerId: "worker-b", staleMs: 60_000 });
    expect(b?.id).toBe(id);
    expect(b!.attempts).toBe(2);
    expect(b!.rows_written).toBe(mid!.rows_written);
    const outB = await runExport({ db, job: b!, workerId: "worker-b", log: (l) => lines.push(l) });
    expect(outB).toBe("completed");
    openGate();
    const outA = await runA; // A wakes up, finds the job is no longer its own, and writes nothing
    expect(outA).toBe("lost");
    expect(outB).toBe("completed");
    expect(lines.join("\n")).toMatch(/resuming after row \d+/);
    const done = await call(logExportById.GET, "GET", `/audit-logs/export/${id}`, { token: exporter, params: { exportId: id } });
    const { bytes } = await fetchDownload(done.body.downloadUrl);
    const ids = entryLines(bytes).map((l) => (JSON.parse(l) as { id: string }).id);
    // The resumed file is verifiable like any other: its trailer signs the bytes of both attempts.
    const report = await verifyExport({ bytes, fileName: "resumed.jsonl" });
    expect(report.problems).toEqual([]);
    expect(report.entries).toBe(ids.length);
    const expected = await listEvents({ sql: db.sql, orgId, filter: { to: new Date(Date.parse(created.body.createdAt) + 1000) }, limit: 100_000 });
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected.map((e) => e.id).filter((x) => ids.includes(x)));
    expect(ids.length).toBe(done.body.rowCount);
    expect(ids.length).toBeGreaterThanOrEqual(3004);
  });

  it("cancelling a running export stops its worker at the next chunk and deletes what it stored", async () => {
    const created = await call(logExport.POST, "POST", "/audit-logs/export", { token: exporter, body: { format: "jsonl" } });
    const id = created.body.exportId as string;
    const job = await claimExport({ db, workerId: "worker-c" });
    expect(job?.id).toBe(id);
    // The worker pauses after its first chunk (gate), is cancelled, then resumes.
    let transactions = 0;
    let openGate!: () => void;
    const gate = new Promise<void>((r) => (openGate = r));
    const slowDb: Database = {
      ...db,
      sql: {
        query: async (text, params) => {
          if (transactions >= 2) await gate;
          return db.sql.query(text, params);
        },
        transaction: async (fn) => {
          if (transactions >= 2) await gate;
          const r = await db.sql.transaction(fn);
          transactions++;
          return r;
        },
        exec: (script) => db.sql.exec(script),
      },
    };
    const run = runExport({ db: slowDb, job: job!, workerId: "worker-c" });
    while (transactions < 2) await new Promise((res) => setTimeout(res, 2));
    const c = await call(cancel.POST, "POST", `/api/v1/exports/${id}/cancel`, { token: exporter, params: { id } });
    expect(c.body.data).toMatchObject({ status: "cancelled", download_url: null });
    openGate();
    expect(await run).toBe("lost");
    const [n] = await db.sql.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM export_chunks WHERE job_id = $1`, [id]);
    expect(n!.n).toBe(0);
    const st = await call(logExportById.GET, "GET", `/audit-logs/export/${id}`, { token: exporter, params: { exportId: id } });
    expect(st.body).toMatchObject({ status: "cancelled", downloadUrl: null });
  });

  it("gives up with a reason after too many interrupted attempts", async () => {
    const created = await call(logExport.POST, "POST", "/audit-logs/export", { token: exporter, body: { format: "csv" } });
    const id = created.body.exportId as string;
    await db.sql.query(`UPDATE export_jobs SET status = 'processing', attempts = 3, worker_id = 'dead', heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [id]);
    expect(await runNextExport({ db, staleMs: 1000 })).toBe(id);
    const job = (await call(exportsList.GET, "GET", "/api/v1/exports", { token: exporter })).body.data.find((j: { id: string }) => j.id === id);
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/stopped after 3 attempts/);
  });

  it("evidence package: one file per section, canonical events, README, manifest with hashes, verify result and chain head", async () => {
    await ingest([
      { ...sampleEvent(80001), timestamp: "2025-03-01T10:00:00Z", action: "scan.completed", repository: { id: "repo_a", name: "acme/a" }, details: { score: 80 } },
      { ...sampleEvent(80002), timestamp: "2025-03-02T10:00:00Z", action: "scan.completed", repository: { id: "repo_a", name: "acme/a" }, details: { score: 90 } },
      { ...sampleEvent(80003), timestamp: "2025-03-03T10:00:00Z", action: "issue.created", repository: { id: "repo_a", name: "acme/a" } },
      { ...sampleEvent(80004), timestamp: "2025-03-04T10:00:00Z", action: "fix.applied", repository: { id: "repo_a", name: "acme/a" } },
      { ...sampleEvent(80005), timestamp: "2025-03-05T10:00:00Z", action: "access.granted", repository: { id: "repo_a", name: "acme/a" } },
      { ...sampleEvent(80006), timestamp: "2025-03-06T10:00:00Z", action: "config.changed", repository: { id: "repo_a", name: "acme/a" }, changes: { mode: { old: "a", new: "b" } } },
      { ...sampleEvent(80007), timestamp: "2025-03-31T23:59:59.500Z", action: "issue.resolved", repository: { id: "repo_a", name: "acme/a" } },
      { ...sampleEvent(80008), timestamp: "2025-03-07T10:00:00Z", action: "scan.completed", repository: { id: "repo_b", name: "acme/b" }, details: { score: 10 } },
      { ...sampleEvent(80009), timestamp: "2025-04-01T00:00:00Z", action: "scan.completed", repository: { id: "repo_a", name: "acme/a" } },
    ]);
    const created = await call(evidence.POST, "POST", "/api/v1/audit/evidence/export", {
      token: exporter,
      body: { format: "zip", framework: "soc2", audit_period: { from: "2025-03-01", to: "2025-03-31" }, include: ["compliance_reports", "scan_results", "issue_history", "fix_records", "access_logs", "configuration_history"], repository_ids: ["repo_a"] },
    });
    expect(created.status).toBe(202);
    expect(created.body.data).toMatchObject({ job_id: expect.stringMatching(/^export_/), status: "processing", estimated_size_mb: expect.any(Number), estimated_completion: expect.any(String) });
    const id = created.body.data.job_id as string;
    expect(await runNextExport({ db })).toBe(id);
    const st = await call(evidenceById.GET, "GET", `/api/v1/audit/evidence/export/${id}`, { token: exporter, params: { job_id: id } });
    expect(st.body.data).toMatchObject({ job_id: id, status: "completed", files_included: 14, file_size_mb: expect.any(Number), completed_at: expect.any(String) });
    const retention = Date.parse(st.body.data.expires_at) - Date.parse(st.body.data.completed_at);
    expect(Math.round(retention / 86_400_000)).toBe(30);
    const { res, bytes } = await fetchDownload(st.body.data.download_url);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="evidence-soc2-2025-03-01-to-2025-03-31-${id}.zip"`);
    const files = await unzip(bytes);
    expect([...files.keys()].sort()).toEqual(
      [
        "README.md", "access_logs.jsonl", "compliance_reports.json", "configuration_history.jsonl", "events.jsonl", "fix_records.jsonl", "issue_history.jsonl", "manifest.json", "scan_results.jsonl",
        "manifest.sig", ...Object.values(VERIFICATION_FILES),
      ].sort(),
    );
    expect(files.size).toBe(st.body.data.files_included);
    const manifest = JSON.parse(files.get("manifest.json")!.toString("utf8"));
    expect(manifest.files.map((f: { name: string }) => f.name).sort()).toEqual([...files.keys()].filter((n) => n !== "manifest.json" && n !== "manifest.sig").sort());
    for (const f of manifest.files as { name: string; sha256: string; bytes: number }[]) {
      expect(sha256(files.get(f.name)!), f.name).toBe(f.sha256);
      expect(files.get(f.name)!.length).toBe(f.bytes);
    }
    expect(manifest).toMatchObject({ framework: "soc2", audit_period: { from: "2025-03-01", to: "2025-03-31", to_exclusive: "2025-04-01T00:00:00Z" }, repository_ids: ["repo_a"] });
    expect(manifest.request).toMatchObject({ framework: "soc2", repository_ids: ["repo_a"] });
    expect(manifest.verification).toMatchObject({ verified: true, logs_checked: 7 });
    // The chain head when the package was made (export.completed was appended right after).
    const [head] = await db.sql.query<{ hash: string; action: string }>(`SELECT hash, action FROM audit_events WHERE org_id = $1 AND seq = $2`, [orgId, manifest.chain_head.seq]);
    expect(manifest.chain_head.hash).toBe(head!.hash);
    const [after] = await db.sql.query<{ action: string }>(`SELECT action FROM audit_events WHERE org_id = $1 AND seq = $2`, [orgId, manifest.chain_head.seq + 1]);
    expect(after!.action).toBe("export.completed");
    const events = files.get("events.jsonl")!.toString("utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown> & { hash: string; previous_hash: string | null; action: string; id: string });
    expect(events.map((e) => e.id)).toEqual(["ev-80007", "ev-80006", "ev-80005", "ev-80004", "ev-80003", "ev-80002", "ev-80001"]);
    for (const e of events) {
      const { hash, previous_hash, ...content } = e;
      expect(chainHash(previous_hash, canonicalJson(content))).toBe(hash);
    }
    const section = (n: string) => files.get(n)!.toString("utf8").trimEnd().split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { action: string }).action);
    expect(section("scan_results.jsonl")).toEqual(["scan.completed", "scan.completed"]);
    expect(section("issue_history.jsonl")).toEqual(["issue.resolved", "issue.created"]);
    expect(section("fix_records.jsonl")).toEqual(["fix.applied"]);
    expect(section("access_logs.jsonl")).toEqual(["access.granted"]);
    expect(section("configuration_history.jsonl")).toEqual(["config.changed"]);
    const report = JSON.parse(files.get("compliance_reports.json")!.toString("utf8"));
    expect(report).toMatchObject({ framework: "soc2", events_total: 7, scan_scores: { repo_a: { scans: 2, average: 85, min: 80, max: 90 } } });
    expect(files.get("README.md")!.toString("utf8")).toMatch(/JSONL files are the verifiable form/);
  });

  it("expired exports lose their file and answer 410", async () => {
    const created = await call(logExport.POST, "POST", "/audit-logs/export", { token: exporter, body: { format: "jsonl", resourceType: "csvcase" } });
    const id = created.body.exportId as string;
    await runNextExport({ db });
    const url = (await call(logExportById.GET, "GET", `/audit-logs/export/${id}`, { token: exporter, params: { exportId: id } })).body.downloadUrl as string;
    expect((await fetchDownload(url)).res.status).toBe(200);
    await db.sql.query(`UPDATE export_jobs SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
    expect(await expireExports({ db })).toBeGreaterThanOrEqual(1);
    const [n] = await db.sql.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM export_chunks WHERE job_id = $1`, [id]);
    expect(n!.n).toBe(0);
    expect((await fetchDownload(url)).res.status).toBe(410);
    const st = await call(logExportById.GET, "GET", `/audit-logs/export/${id}`, { token: exporter, params: { exportId: id } });
    expect(st.body).toMatchObject({ status: "expired", downloadUrl: null });
  });
});
