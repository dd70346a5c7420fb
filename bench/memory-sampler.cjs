/**
 * Preloaded into the app server by bench/load.bench.mts (NODE_OPTIONS=--require …): appends this
 * process's process.memoryUsage() to BENCH_MEMORY_FILE once a second (one JSON line per sample, with
 * the pid), so the bench can tell V8 heap growth from native/external growth per scenario. Bench only.
 */
const fs = require("node:fs");
const file = process.env.BENCH_MEMORY_FILE;
if (file) {
  const sample = () => {
    const m = process.memoryUsage();
    try {
      fs.appendFileSync(file, JSON.stringify({ pid: process.pid, t: Date.now(), rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers }) + "\n");
    } catch {
      /* the bench is gone */
    }
  };
  setInterval(sample, 1000).unref();
  sample();
}
