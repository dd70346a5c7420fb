import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { E2E_ADMIN, E2E_PORT, E2E_ROOT_TOKEN } from "./e2e/env";

/**
 * Browser tests in Debian's Chromium (`apt-get install -y chromium`) against the production build.
 * `npm test` builds into .next first; during development set NEXT_DIST_DIR to your own build.
 * Each run gets a fresh data directory (embedded PGlite) with demo data and a known admin.
 */
// Set once in the runner process; workers inherit it. Not needed when reusing your own server.
if (process.env.E2E_REUSE !== "1") process.env.E2E_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "audit-e2e-"));
const baseURL = `http://127.0.0.1:${E2E_PORT}`;

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL,
    browserName: "chromium",
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  webServer: {
    command: `node node_modules/next/dist/bin/next start -p ${E2E_PORT} -H 127.0.0.1`,
    url: `${baseURL}/api/health`,
    timeout: 600_000,
    // E2E_REUSE=1 with E2E_PORT=<port>: run against a server you started yourself (same admin env).
    reuseExistingServer: process.env.E2E_REUSE === "1",
    stdout: "pipe",
    stderr: "pipe",
    env: {
      NEXT_TELEMETRY_DISABLED: "1",
      AUDIT_DATA_DIR: process.env.E2E_DATA_DIR ?? "",
      AUDIT_DEMO: "1",
      AUDIT_ADMIN_EMAIL: E2E_ADMIN.email,
      AUDIT_ADMIN_PASSWORD: E2E_ADMIN.password,
      AUDIT_ADMIN_ORG: "acme",
      AUDIT_ROOT_TOKEN: E2E_ROOT_TOKEN,
      // e2e/streams.spec.ts: the test's webhook receiver listens on 127.0.0.1.
      AUDIT_STREAMS_ALLOW_PRIVATE: "1",
      PORT: String(E2E_PORT),
      ...(process.env.NEXT_DIST_DIR && { NEXT_DIST_DIR: process.env.NEXT_DIST_DIR }),
      DATABASE_URL: "",
    },
  },
});
