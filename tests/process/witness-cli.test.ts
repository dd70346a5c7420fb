import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { generateCosignerKey } from "@/lib/integrity/cosignature";
import { generateSigner } from "@/lib/integrity/signed-note";
import { startAppServer, type AppServer } from "../support/app-server";
import { createScratchPostgres, sampleEvent } from "../support/test-database";

/**
 * `npx audit-trail witness` and `npx audit-trail verify` as processes against a real `next start`
 * on PostgreSQL: the witness cosigns over HTTP twice (the second time checking consistency), the
 * service serves the cosignature, and an evidence package downloaded over HTTP verifies with
 * --witness-key.
 */

const ROOT = "root_witness_process_0123456789";
const servers: AppServer[] = [];
const cleanups: (() => Promise<void>)[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "witness-cli-"));
afterAll(async () => {
  for (const s of servers) await s.stop().catch(() => undefined);
  for (const c of cleanups) await c().catch(() => undefined);
  fs.rmSync(tmp, { recursive: true, force: true });
});

const bin = path.resolve("bin/audit-trail.mjs");
async function cli(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [bin, ...args], { timeout: 120_000 });
    return { code: 0, out: r.stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : -1, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

async function api(base: string, method: string, p: string, token: string, body?: unknown) {
  const res = await fetch(base + p, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { "content-type": "application/json" }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

describe("reference witness and offline verifier as processes", () => {
  it("witness cosigns over HTTP (twice, with consistency), verify --witness-key holds on a downloaded package", async () => {
    const pg = await createScratchPostgres();
    cleanups.push(pg.drop);
    const log = generateSigner("process.test/audit-trail");
    const witnessDir = path.join(tmp, "witness");
    // The witness's key pair, made by the CLI itself.
    const keygen = await cli(["keygen", "witness.process.test", "--witness", "--out", witnessDir]);
    expect(keygen.code).toBe(0);
    const witnessVkey = fs.readFileSync(path.join(witnessDir, "witness.process.test.vkey"), "utf8").trim();
    const server = await startAppServer({ DATABASE_URL: pg.url, AUDIT_ROOT_TOKEN: ROOT, AUDIT_LOG_SIGNING_KEY: log.skey, AUDIT_WITNESS_KEYS: witnessVkey });
    servers.push(server);
    expect((await api(server.base, "POST", "/api/v1/admin/orgs", ROOT, { slug: "witnessed" })).status).toBe(201);
    const t = await api(server.base, "POST", "/api/v1/admin/tokens", ROOT, { org: "witnessed", name: "admin", scopes: ["admin", "audit:read", "audit:write", "audit:export"] });
    const token = (JSON.parse(t.text) as { token: string }).token;
    expect((await api(server.base, "POST", "/api/v1/audit/logs", token, { events: Array.from({ length: 50 }, (_, i) => sampleEvent(i)) })).status).toBe(201);

    const args = ["witness", server.base, "--state", path.join(witnessDir, "state"), "--key", path.join(witnessDir, "witness.process.test.skey"), "--token", token, "--log-key", log.vkey];
    const first = await cli(args);
    expect(first.out).toMatch(/✓ cosigned tree size \d+/);
    expect(first.code).toBe(0);
    expect((await api(server.base, "POST", "/api/v1/audit/logs", token, { events: Array.from({ length: 50 }, (_, i) => sampleEvent(100 + i)) })).status).toBe(201);
    const second = await cli(args);
    expect(second.out).toMatch(/✓ consistent with the checkpoint saved last time \(size \d+ → \d+\)/);
    expect(second.code).toBe(0);
    // A stranger's key: the service refuses the cosignature, the witness exits 1.
    const strangerKey = path.join(tmp, "stranger.skey");
    fs.writeFileSync(strangerKey, generateCosignerKey("stranger.test").skey);
    const refused = await cli(["witness", server.base, "--state", path.join(tmp, "stranger-state"), "--key", strangerKey, "--token", token, "--log-key", log.vkey]);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/posting the cosignature failed: HTTP 4\d\d/);

    // An evidence package over HTTP, then verified offline with the witness's key.
    const created = await api(server.base, "POST", "/api/v1/audit/evidence/export", token, { format: "zip", framework: "soc2", audit_period: { from: "2025-01-01", to: "2025-01-31" } });
    expect(created.status).toBe(202);
    const jobId = (JSON.parse(created.text) as { data: { job_id: string } }).data.job_id;
    let url = "";
    for (let i = 0; i < 300 && !url; i++) {
      const st = JSON.parse((await api(server.base, "GET", `/api/v1/audit/evidence/export/${jobId}`, token)).text) as { data: { status: string; download_url: string | null } };
      if (st.data.status === "completed") url = st.data.download_url!;
      else await new Promise((r) => setTimeout(r, 200));
    }
    expect(url).not.toBe("");
    const zipFile = path.join(tmp, "evidence.zip");
    fs.writeFileSync(zipFile, Buffer.from(await (await fetch(url)).arrayBuffer()));
    const verified = await cli(["verify", zipFile, "--key", log.vkey, "--witness-key", witnessVkey]);
    expect(verified.out).toMatch(/✓ witnesses .*witness\.process\.test\+[0-9a-f]{8} cosigned tree size/);
    expect(verified.code).toBe(0);
    const otherWitness = generateCosignerKey("absent.test").vkey;
    expect((await cli(["verify", zipFile, "--key", log.vkey, "--witness-key", otherWitness])).code).toBe(1);
  });
});
