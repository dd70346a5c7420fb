/**
 * npm run bench — runs every bench/*.bench.mts (or those named on the command line), prints one
 * table of figures next to their targets, and keeps it under bench/results/.
 * Needs the PostgreSQL server (BENCH_DATABASE_URL, default the local one) and a production build
 * (built here if missing).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { BenchContext, BenchFn, BenchRow } from "./bench-kit.mts";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const root = process.cwd();
const distDir = process.env.NEXT_DIST_DIR || ".next";
if (!fs.existsSync(path.join(root, distDir, "BUILD_ID"))) {
  console.log("no production build: running next build…");
  const r = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], { stdio: "inherit" });
  if (r.status !== 0) process.exit(1);
}
const only = process.argv.slice(2);
const files = fs
  .readdirSync(path.join(root, "bench"))
  .filter((f) => f.endsWith(".bench.mts") && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();
const ctx: BenchContext = {
  pgAdminUrl: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
  log: (line) => console.log(`  … ${line}`),
};
const rows: (BenchRow & { bench: string })[] = [];
let failed = false;
for (const f of files) {
  console.log(`\n# ${f}`);
  const mod = (await import(pathToFileURL(path.join(root, "bench", f)).href)) as { default: BenchFn };
  try {
    for (const r of await mod.default(ctx)) rows.push({ ...r, bench: f.replace(".bench.mts", "") });
  } catch (e) {
    failed = true;
    console.error(`  ${f} failed:`, e);
  }
}
const fmt = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(2));
const header = "| bench | metric | value | target | met |\n|---|---|---:|---|---|";
const lines = rows.map((r) => `| ${r.bench} | ${r.metric} | ${fmt(r.value)} ${r.unit} | ${r.target ?? ""} | ${r.pass === undefined ? "" : r.pass ? "yes" : "**no**"} |`);
const table = [header, ...lines].join("\n");
console.log(`\n${table}\n`);
const stamp = new Date().toISOString();
const machine = `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
fs.mkdirSync(path.join(root, "bench", "results"), { recursive: true });
fs.writeFileSync(path.join(root, "bench", "results", `${stamp.slice(0, 10)}${only.length ? `-${only.join("-")}` : ""}.md`), `# npm run bench — ${stamp}\n\n${machine}\n\n${table}\n`);
fs.writeFileSync(path.join(root, "bench", "results", `latest${only.length ? `-${only.join("-")}` : ""}.json`), JSON.stringify({ at: stamp, machine, rows }, null, 2));
process.exit(failed ? 1 : 0);
