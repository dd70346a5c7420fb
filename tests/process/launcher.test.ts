import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../support/app-server";

/**
 * `npm start` is two processes: scripts/start.mjs (the launcher) and scripts/serve.mjs (the server).
 * A kill -9 of the launcher must not leave the server running as an orphan holding the port and
 * the PGlite directory: it notices it was re-parented and shuts down, so a restart on the same
 * data directory works.
 */
const servers: AppServer[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-launcher-"));
afterAll(async () => {
  for (const s of servers) await s.stop().catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

const up = (base: string) => fetch(`${base}/api/health`).then((r) => r.ok, () => false);

describe("npm start launcher", () => {
  it("kill -9 of the launcher: the server exits by itself and a restart on the same PGlite directory works", async () => {
    const env = { AUDIT_DATA_DIR: dir, AUDIT_ROOT_TOKEN: "root_launcher_test_0123456789" };
    const first = await startAppServer(env, { launcher: "npm-start" });
    servers.push(first);
    expect(await up(first.base)).toBe(true);
    await first.kill9();
    const deadline = Date.now() + 30_000;
    while ((await up(first.base)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await up(first.base)).toBe(false);
    const second = await startAppServer(env, { launcher: "npm-start" });
    servers.push(second);
    expect(await up(second.base)).toBe(true);
  }, 300_000);
});
