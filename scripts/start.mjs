#!/usr/bin/env node
// `npm start`: builds once if there is no production build yet (a fresh clone), then serves on
// PORT (default 3000). Signals are forwarded so that the database closes cleanly.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

process.env.NEXT_TELEMETRY_DISABLED = "1";
// V8's defaults let the old generation grow to several times what is live after a burst of
// concurrent requests (RSS 263 → 624 MB over `npm run bench load`, nearly all of it garbage) and
// promote much of each request's short-lived garbage out of a 16 MB young generation. Grow the old
// generation by 15 % over what is live at each full collection (no hard cap: a process that needs
// more memory still gets it) and give the young generation fixed 24 MB semi-spaces from the start;
// glibc gets 2 malloc arenas instead of 8 per core (V8's compiler threads otherwise leave native
// memory fragmented across them). Measured: RSS 263 → 624 MB over the bench before, 282 → 330 MB
// with these (docs/operations.md "Serving").
const DEFAULT_NODE_FLAGS = "--heap-growing-percent=15 --min-semi-space-size=24 --max-semi-space-size=24";
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
// AUDIT_NODE_FLAGS: space-separated Node/V8 flags for the server process(es) (default above; "" for
// V8's own defaults). MALLOC_ARENA_MAX set by the operator wins.
const nodeFlags = (process.env.AUDIT_NODE_FLAGS ?? DEFAULT_NODE_FLAGS).split(/\s+/).filter(Boolean);
const child = spawn(process.execPath, [...nodeFlags, path.join(root, "scripts", "serve.mjs")], { cwd: root, stdio: "inherit", env: { MALLOC_ARENA_MAX: "2", ...process.env, PORT: port, AUDIT_EXIT_WITH_PARENT: "1" } });
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
