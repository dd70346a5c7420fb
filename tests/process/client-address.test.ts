import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../support/app-server";

/**
 * Issue 10, defect 6, end to end through `npm start` (scripts/start.mjs → scripts/serve.mjs): the
 * launcher passes the TCP peer address; X-Forwarded-For from an untrusted peer (here: 127.0.0.1,
 * not in AUDIT_TRUSTED_PROXIES) is ignored, and a client cannot forge the peer header either.
 */
let server: AppServer | undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-xff-"));
afterAll(async () => {
  await server?.stop().catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

const attempt = (base: string, i: number) =>
  fetch(`${base}/api/v1/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": `198.51.100.${i % 250}`, "x-audit-peer-address": `192.0.2.${i % 250}` },
    body: JSON.stringify({ email: `nobody${i}@example.com`, password: "wrong password" }),
  }).then((r) => r.status);

describe("client address behind npm start", () => {
  it("60 failed sign-ins with 60 different X-Forwarded-For (and forged peer headers) from one peer → 429 after 50", async () => {
    server = await startAppServer({ AUDIT_DATA_DIR: dir, AUDIT_ROOT_TOKEN: "root_xff_test_0123456789", AUDIT_TRUSTED_PROXIES: "10.0.0.0/8" }, { launcher: "npm-start" });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push(await attempt(server.base, i));
    expect(statuses.slice(0, 50)).toEqual(Array(50).fill(401));
    expect(statuses.slice(50)).toEqual(Array(10).fill(429));
  }, 300_000); // 60 scrypt checks and a cold start on a shared 2-core machine
});
