/**
 * Preloaded into the app server by bench/load.bench.mts (NODE_OPTIONS=--require …): appends this
 * process's process.memoryUsage() to BENCH_MEMORY_FILE once a second (one JSON line per sample, with
 * the pid), so the bench can tell V8 heap growth from native/external growth per scenario. When the
 * file `<BENCH_MEMORY_FILE>.gc` appears, it runs a full garbage collection first and marks that sample
 * `gc: true`: heap used after it is what the process really keeps (a leak stays, garbage goes).
 * Bench only: nothing in the service loads it.
 */
const fs = require("node:fs");
const file = process.env.BENCH_MEMORY_FILE;
// `npm start`'s launcher (scripts/start.mjs) inherits NODE_OPTIONS too: only the server samples.
const isLauncher = /start\.mjs$/.test(process.argv[1] ?? "");
if (file && !isLauncher) {
  let gc;
  try {
    require("node:v8").setFlagsFromString("--expose-gc");
    gc = require("node:vm").runInNewContext("gc");
  } catch {
    gc = undefined;
  }
  const sample = () => {
    let forced = false;
    if (gc && fs.existsSync(`${file}.gc`)) {
      gc();
      forced = true;
      fs.rmSync(`${file}.gc`, { force: true });
    }
    const m = process.memoryUsage();
    try {
      fs.appendFileSync(file, JSON.stringify({ pid: process.pid, t: Date.now(), gc: forced, rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers }) + "\n");
    } catch {
      /* the bench is gone */
    }
  };
  setInterval(sample, 1000).unref();
  sample();
}
