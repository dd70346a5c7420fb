import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as checkpointRoute from "@/app/api/v1/audit/checkpoint/route";
import * as cosignaturesRoute from "@/app/api/v1/audit/checkpoint/cosignatures/route";
import * as consistencyRoute from "@/app/api/v1/audit/consistency/route";
import * as evidence from "@/app/api/v1/audit/evidence/export/route";
import * as evidenceById from "@/app/api/v1/audit/evidence/export/[job_id]/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import * as publicKeyRoute from "@/app/api/v1/audit/public-key/route";
import * as download from "@/app/api/v1/exports/[id]/download/route";
import { resetConfigForTests } from "@/lib/config";
import { getDatabase } from "@/lib/db/get-database";
import type { Database } from "@/lib/db/open-database";
import { runNextExport } from "@/lib/exports/run-export";
import { generateCosignerKey } from "@/lib/integrity/cosignature";
import { loadLogSigner } from "@/lib/integrity/load-log-signer";
import { openNote } from "@/lib/integrity/signed-note";
import { verifyExport } from "@/lib/verifier/verify-export";
import { runWitness } from "@/lib/witness/run-witness";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { sampleEvent, TEST_DB } from "../support/test-database";

/**
 * The reference witness (`npx audit-trail witness`) against the service's real route handlers
 * (its HTTP calls are routed to them): it cosigns, the service stores and serves the cosignature,
 * and an evidence package made later carries the witnessed checkpoint, so `verify --witness-key` holds.
 */

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const ROUTES: Record<string, { GET?: Handler; POST?: Handler }> = {
  "/api/v1/audit/checkpoint": checkpointRoute as { GET: Handler },
  "/api/v1/audit/checkpoint/cosignatures": cosignaturesRoute as { POST: Handler },
  "/api/v1/audit/consistency": consistencyRoute as { GET: Handler },
  "/api/v1/audit/public-key": publicKeyRoute as { GET: Handler },
};

/** fetch() into the route handlers, as Next.js would call them. */
const routedFetch: typeof fetch = async (input, init) => {
  const url = new URL(String(input));
  const route = ROUTES[url.pathname];
  const handler = route?.[(init?.method ?? "GET") as "GET" | "POST"];
  if (!handler) return new Response("no route", { status: 404 });
  return handler(new Request(url, init), { params: Promise.resolve({}) });
};

const witness = generateCosignerKey("witness.test");
const stranger = generateCosignerKey("stranger.test");
let app: { close(): Promise<void> };
let db: Database;
let admin: string;
let tmp: string;

async function ingest(n: number, from: number) {
  const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token: admin, body: { events: Array.from({ length: n }, (_, i) => sampleEvent(from + i)) } });
  expect(r.status).toBe(201);
}

const run = (key: string, state: string) =>
  runWitness({ url: "http://service.test", stateDir: path.join(tmp, state), signerKey: key, token: admin, logKey: loadLogSigner().vkey, fetch: routedFetch });

beforeAll(async () => {
  process.env.AUDIT_WITNESS_KEYS = witness.vkey;
  resetConfigForTests();
  app = await useScratchApp();
  db = await getDatabase();
  await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "acme-witness", name: "Acme" } });
  const t = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org: "acme-witness", name: "admin", scopes: ["admin", "audit:read", "audit:write", "audit:export"] } });
  admin = t.body.token;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "witness-it-"));
}, 120_000);

afterAll(async () => {
  await app?.close();
  delete process.env.AUDIT_WITNESS_KEYS;
  resetConfigForTests();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe(`reference witness against the API (${TEST_DB})`, () => {
  it("cosigns, checks consistency on the next run, and the service serves the cosignature", async () => {
    await ingest(20, 0);
    const first = await run(witness.skey, "w1");
    expect(first).toMatchObject({ ok: true, outcome: "cosigned" });
    const cosigned = await checkpointRoute.GET(new Request(`http://service.test/api/v1/audit/checkpoint?size=${first.size}`, { headers: { authorization: `Bearer ${admin}` } }), {
      params: Promise.resolve({}),
    });
    const opened = openNote({ note: await cosigned.text(), verifiers: [loadLogSigner().vkey, witness.vkey] });
    expect(opened.signatures.filter((s) => s.verified).map((s) => s.kind).sort()).toEqual(["cosignature", "ed25519"]);

    await ingest(30, 100);
    const second = await run(witness.skey, "w1");
    expect(second).toMatchObject({ ok: true, outcome: "cosigned", previousSize: first.size });
    expect(second.size).toBeGreaterThan(first.size!);
  });

  it("a witness the service does not know is refused when posting (and says so)", async () => {
    const r = await run(stranger.skey, "w2");
    expect(r).toMatchObject({ ok: false, outcome: "post-failed" });
  });

  it("an evidence package made later carries the witnessed checkpoint: verify --witness-key holds; another witness's key fails", async () => {
    const created = await call(evidence.POST, "POST", "/api/v1/audit/evidence/export", {
      token: admin,
      body: { format: "zip", framework: "soc2", audit_period: { from: "2025-01-01", to: "2025-01-31" }, include: ["access_logs"] },
    });
    const id = created.body.data.job_id as string;
    expect(await runNextExport({ db })).toBe(id);
    const st = await call(evidenceById.GET, "GET", `/api/v1/audit/evidence/export/${id}`, { token: admin, params: { job_id: id } });
    const url = new URL(st.body.data.download_url, "http://localhost");
    const res = await download.GET(new Request(url), { params: Promise.resolve({ id }) });
    const bytes = Buffer.from(await res.arrayBuffer());
    const ok = await verifyExport({ bytes, fileName: "evidence.zip", key: loadLogSigner().vkey, witnessKeys: [witness.vkey] });
    expect(ok.problems).toEqual([]);
    expect(ok.checks.find((c) => c.name === "witnesses")?.detail).toMatch(/witness\.test\+[0-9a-f]{8} cosigned tree size \d+, which covers every entry/);
    const bad = await verifyExport({ bytes, fileName: "evidence.zip", key: loadLogSigner().vkey, witnessKeys: [stranger.vkey] });
    expect(bad.ok).toBe(false);
    expect(bad.problems.map((p) => p.message).join("\n")).toMatch(/no cosignature by witness stranger\.test/);
  });
});
