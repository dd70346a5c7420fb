import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export interface AppServer {
  base: string;
  proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

/**
 * Starts the production build (`next start`, or `npm start`'s launcher with `launcher: "npm-start"`;
 * the build in NEXT_DIST_DIR or .next) with `env`,
 * and waits for /api/health. Used by process-level tests and benchmarks.
 */
export async function startAppServer(env: Record<string, string>, opts: { port?: number; launcher?: "next-start" | "npm-start" } = {}): Promise<AppServer> {
  const distDir = process.env.NEXT_DIST_DIR || ".next";
  if (!fs.existsSync(path.join(process.cwd(), distDir, "BUILD_ID"))) {
    throw new Error(`no production build in ${distDir}: run \`npx next build\` first (npm test does)`);
  }
  const port = opts.port ?? (await freePort());
  const next = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  // "npm-start": scripts/start.mjs → scripts/serve.mjs, as `npm start` runs it (passes the TCP peer address).
  const args = opts.launcher === "npm-start" ? [path.join(process.cwd(), "scripts", "start.mjs")] : [next, "start", "-p", String(port)];
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", AUDIT_DEMO: "0", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout?.on("data", (d) => (out += d));
  proc.stderr?.on("data", (d) => (out += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`server exited early:\n${out}`);
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`server did not become healthy in 120 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const exited = () => proc.exitCode !== null || proc.signalCode !== null;
  return {
    base,
    proc,
    output: () => out,
    async stop() {
      if (exited()) return;
      const done = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await done;
    },
    async kill9() {
      if (exited()) return;
      const done = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGKILL");
      await done;
    },
  };
}

export async function api(base: string, method: string, p: string, token?: string, body?: unknown) {
  const res = await fetch(base + p, {
    method,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown> & { data?: Record<string, unknown> }) : null };
}
