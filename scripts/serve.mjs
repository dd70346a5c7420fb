#!/usr/bin/env node
// The production HTTP server that `npm start` runs (scripts/start.mjs spawns it): Next.js behind a
// plain node:http server, so that the one thing a client cannot forge — the TCP peer address — reaches
// the route handlers. Each request gets `x-audit-peer-address: <socket.remoteAddress>`, replacing any
// value a client sent under that name; AUDIT_PEER_FROM_LAUNCHER=1 tells lib/http/client-address.ts
// that the header comes from here (without it the header is ignored). X-Forwarded-For is then
// believed only from AUDIT_TRUSTED_PROXIES (docs/deployment: "Client addresses").
import http from "node:http";
import path from "node:path";
import next from "next";

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
process.env.AUDIT_PEER_FROM_LAUNCHER = "1";
process.env.NEXT_TELEMETRY_DISABLED = "1";
const port = Number(process.env.PORT || 3000);
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

// Started by scripts/start.mjs: if that parent dies without forwarding a signal (kill -9), this
// server is re-parented; it then shuts down cleanly instead of living on as an orphan that keeps the
// port and the PGlite data directory.
if (process.env.AUDIT_EXIT_WITH_PARENT === "1") {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      console.error("[audit-trail] npm start's launcher is gone: shutting down");
      shutdown();
    }
  }, 500).unref();
}
