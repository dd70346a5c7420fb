#!/usr/bin/env node
// `npm start`: builds once if there is no production build yet (a fresh clone), then serves on
// PORT (default 3000). Signals are forwarded so that the database closes cleanly.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const next = path.join(root, "node_modules", "next", "dist", "bin", "next");

if (!fs.existsSync(path.join(root, process.env.NEXT_DIST_DIR || ".next", "BUILD_ID"))) {
  console.log("[audit-trail] no production build yet: running `next build` once (about a minute)…");
  const r = spawnSync(process.execPath, [next, "build"], { cwd: root, stdio: "inherit", env: process.env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// scripts/serve.mjs: Next.js behind node:http, passing the TCP peer address to the app (client
// addresses and AUDIT_TRUSTED_PROXIES: lib/http/client-address.ts).
const port = process.env.PORT || "3000";
const child = spawn(process.execPath, [path.join(root, "scripts", "serve.mjs")], { cwd: root, stdio: "inherit", env: { ...process.env, PORT: port, AUDIT_EXIT_WITH_PARENT: "1" } });
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
