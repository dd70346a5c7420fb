import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { api, startAppServer, type AppServer } from "../support/app-server";
import { createScratchPostgres, sampleEvent } from "../support/test-database";

/**
 * AUDIT_WEB_PROCESSES (scripts/serve.mjs, docs/operations.md): `npm start` on PostgreSQL with several
 * server processes sharing the port. They must all serve, write one valid chain between them, and a
 * process that dies must be replaced without the service going down. With PGlite the setting is
 * ignored (one process owns the embedded store).
 */
const ROOT = "root_web_processes_0123456789";
const servers: AppServer[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop().catch(() => undefined);
  for (const c of cleanups) await c().catch(() => undefined);
});

/** Child pids of a process (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    const kids = fs.readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").trim();
    if (kids) out.push(...kids.split(/\s+/).map(Number));
  }
  return out;
}

/** npm start = launcher → serve.mjs primary → N server processes. */
function serverProcesses(launcherPid: number): number[] {
  const [primary] = childrenOf(launcherPid);
  expect(primary).toBeDefined();
  return childrenOf(primary!);
}

/** A GET on a new TCP connection (no keep-alive pool): the status. */
function freshGet(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
  });
}

const batch = (prefix: string, n: number) => ({ events: Array.from({ length: n }, (_, i) => ({ ...sampleEvent(i), id: `${prefix}-${i}` })) });

describe("AUDIT_WEB_PROCESSES", () => {
  it("two server processes behind one port: one valid chain from 8 writers, a killed process is replaced", async () => {
    const pg = await createScratchPostgres();
    cleanups.push(pg.drop);
    const server = await startAppServer({ DATABASE_URL: pg.url, AUDIT_ROOT_TOKEN: ROOT, AUDIT_WEB_PROCESSES: "2" }, { launcher: "npm-start" });
    servers.push(server);
    // The primary waits for the first process to listen, then starts the second.
    const deadline = Date.now() + 60_000;
    while (!server.output().includes("2 server processes on port") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const pids = serverProcesses(server.proc.pid!);
    expect(pids).toHaveLength(2);

    expect((await api(server.base, "POST", "/api/v1/admin/orgs", ROOT, { slug: "procs" })).status).toBe(201);
    const t = await api(server.base, "POST", "/api/v1/admin/tokens", ROOT, { org: "procs", name: "w", scopes: ["audit:read", "audit:write"] });
    expect(t.status).toBe(201);
    const token = t.body!.token as string;

    // 8 writers over fresh connections: the port's connections are spread over both processes.
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let k = 0; k < 5; k++) expect((await api(server.base, "POST", "/api/v1/audit/logs", token, batch(`w${w}-b${k}`, 20))).status).toBe(201);
      }),
    );
    const v = await api(server.base, "POST", "/api/v1/audit/verify", token);
    expect(v.body!.data).toMatchObject({ verified: true, chain_valid: true, gaps_detected: 0, hash_mismatches: 0 });
    expect(v.body!.data!.logs_checked).toBe(8 * 5 * 20 + 2);

    // kill -9 one server process: the other keeps answering new connections (a kept-alive connection
    // to the killed one is reset, as with any dead server), and a replacement is started.
    process.kill(pids[0]!, "SIGKILL");
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 20; i++) expect(await freshGet(`${server.base}/api/v1/audit/logs?limit=1`, token)).toBe(200);
    const until = Date.now() + 60_000;
    let now = serverProcesses(server.proc.pid!);
    while ((now.length < 2 || now.includes(pids[0]!)) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 250));
      now = serverProcesses(server.proc.pid!);
    }
    expect(now).toHaveLength(2);
    expect(now).not.toContain(pids[0]);
    expect(server.output()).toContain(`server process ${pids[0]} exited`);

    // SIGTERM to npm start stops every process.
    const all = [...now];
    await server.stop();
    for (const pid of all) expect(fs.existsSync(`/proc/${pid}`) && !fs.readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ")).toBe(false);
  }, 300_000);

  it("is refused when it is not a whole number, and ignored (one process) on the embedded store", async () => {
    await expect(startAppServer({ DATABASE_URL: "postgresql://127.0.0.1:1/none", AUDIT_WEB_PROCESSES: "two" }, { launcher: "npm-start" })).rejects.toThrow(
      /AUDIT_WEB_PROCESSES: expected a whole number/,
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-web-processes-"));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const embedded = await startAppServer({ DATABASE_URL: "", AUDIT_DATA_DIR: dir, AUDIT_ROOT_TOKEN: ROOT, AUDIT_WEB_PROCESSES: "2" }, { launcher: "npm-start" });
    servers.push(embedded);
    expect(embedded.output()).toContain("AUDIT_WEB_PROCESSES=2 ignored: the embedded store");
    expect((await api(embedded.base, "GET", "/api/v1/admin/orgs", ROOT)).status).toBe(200);
    await embedded.stop();
  }, 120_000);
});
