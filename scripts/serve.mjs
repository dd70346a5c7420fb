#!/usr/bin/env node
// The production HTTP server that `npm start` runs (scripts/start.mjs spawns it): Next.js behind a
// plain node:http server, so that the one thing a client cannot forge — the TCP peer address — reaches
// the route handlers. Each request gets `x-audit-peer-address: <socket.remoteAddress>`, replacing any
// value a client sent under that name; AUDIT_PEER_FROM_LAUNCHER=1 tells lib/http/client-address.ts
// that the header comes from here (without it the header is ignored). X-Forwarded-For is then
// believed only from AUDIT_TRUSTED_PROXIES (docs/deployment: "Client addresses").
//
// AUDIT_WEB_PROCESSES (default 1): how many server processes share the port (node:cluster). One
// Node process serves requests on one core; on PostgreSQL, N processes use N cores (every part of
// the service is safe with several instances on one database: the chain-head lock, SKIP LOCKED job
// claims, one generated signing key file). The embedded PGlite store belongs to one process, so
// without DATABASE_URL it is always 1. The first process starts alone (migrations, the generated
// key), the others once it listens; a process that dies is replaced.
import cluster from "node:cluster";
import http from "node:http";
import path from "node:path";
import next from "next";

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
process.env.AUDIT_PEER_FROM_LAUNCHER = "1";
process.env.NEXT_TELEMETRY_DISABLED = "1";
const port = Number(process.env.PORT || 3000);

const processes = webProcesses();
if (cluster.isPrimary && processes > 1) {
  await runPrimary(processes);
} else {
  await runServer();
}

function webProcesses() {
  const raw = process.env.AUDIT_WEB_PROCESSES;
  if (raw === undefined || raw === "") return 1;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1 || n > 64) {
    console.error(`[audit-trail] Invalid configuration: AUDIT_WEB_PROCESSES: expected a whole number of processes from 1 to 64, got "${raw}"`);
    process.exit(1);
  }
  if (n > 1 && !process.env.DATABASE_URL) {
    console.log(`[audit-trail] AUDIT_WEB_PROCESSES=${n} ignored: the embedded store (no DATABASE_URL) is served by one process`);
    return 1;
  }
  return n;
}

async function runPrimary(n) {
  let stopping = false;
  const listened = new WeakSet();
  const fork = () =>
    new Promise((resolve) => {
      const w = cluster.fork();
      w.once("listening", () => {
        listened.add(w);
        resolve(w);
      });
      w.once("exit", () => resolve(w));
    });
  cluster.on("exit", (w, code, signal) => {
    if (stopping) return;
    if (!listened.has(w)) {
      // It never served (bad configuration, database unreachable at start): as one process would.
      console.error(`[audit-trail] server process ${w.process.pid} failed to start (${signal ?? code})`);
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill("SIGTERM");
      process.exit(typeof code === "number" && code !== 0 ? code : 1);
    }
    console.error(`[audit-trail] server process ${w.process.pid} exited (${signal ?? code}): starting another`);
    setTimeout(() => void fork(), 1000).unref();
  });
  await fork();
  await Promise.all(Array.from({ length: n - 1 }, fork));
  console.log(`[audit-trail] ${n} server processes on port ${port}`);
  const shutdown = (sig) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter(Boolean);
    if (workers.length === 0) process.exit(0);
    let left = workers.length;
    for (const w of workers) {
      w.once("exit", () => --left === 0 && process.exit(0));
      w.process.kill(sig);
    }
  };
  for (const sig of ["SIGINT", "SIGTERM"]) process.once(sig, () => shutdown(sig));
  watchParent(() => shutdown("SIGTERM"));
}

async function runServer() {
  // All interfaces, as `next start` (HOSTNAME is deliberately not read: containers set it to their name).

  const app = next({ dev: false, dir: root, port, hostname: "localhost" });
  const handle = app.getRequestHandler();
  await app.prepare();

  const server = http.createServer((req, res) => {
    // Node joins repeated headers; delete first so a client's copy can never survive.
    delete req.headers["x-audit-peer-address"];
    const peer = req.socket.remoteAddress;
    if (peer) req.headers["x-audit-peer-address"] = peer;
    handle(req, res).catch((e) => {
      console.error("[audit-trail] request failed:", e);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, () => console.log(`[audit-trail] listening on port ${port}`));

  let stopping = false;
  function shutdown() {
    if (stopping) return;
    stopping = true;
    server.close();
    // Let Next run its shutdown hooks (instrumentation closes the database), then exit.
    Promise.resolve(app.close?.())
      .catch(() => undefined)
      .finally(() => process.exit(0));
  }
  for (const sig of ["SIGINT", "SIGTERM"]) process.once(sig, shutdown);

  watchParent(shutdown);
}

// Started by scripts/start.mjs (or by the primary of several server processes): if that parent dies
// without forwarding a signal (kill -9), this process is re-parented; it then shuts down cleanly
// instead of living on as an orphan that keeps the port and the PGlite data directory.
function watchParent(shutdown) {
  if (process.env.AUDIT_EXIT_WITH_PARENT !== "1" && !cluster.isWorker) return;
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      console.error("[audit-trail] npm start's launcher is gone: shutting down");
      shutdown();
    }
  }, 500).unref();
}
