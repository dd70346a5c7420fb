import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * A throw-away PostgreSQL 15 cluster on its own port (never the shared server), for tests that stop
 * and start the database: initdb as the `postgres` user (the server refuses to run as root), trust
 * authentication on 127.0.0.1. `remove()` stops it and deletes its directory.
 */
export interface ThrowawayPostgres {
  url: string;
  port: number;
  dir: string;
  start(): void;
  /** `pg_ctl stop -m immediate`: no shutdown checkpoint, like a crash; the next start recovers. */
  stopImmediate(): void;
  remove(): void;
}

const BIN = "/usr/lib/postgresql/15/bin";

function asPostgres(args: string[]): string {
  const cmd = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  return execFileSync("su", ["postgres", "-s", "/bin/sh", "-c", cmd], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function createThrowawayPostgres(port: number): ThrowawayPostgres {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-pg-"));
  fs.chmodSync(dir, 0o777);
  const data = path.join(dir, "data");
  const log = path.join(dir, "server.log");
  execFileSync("chown", ["postgres", dir]);
  asPostgres([`${BIN}/initdb`, "-D", data, "-U", "postgres", "-A", "trust", "--no-sync"]);
  const ctl = (...args: string[]) => asPostgres([`${BIN}/pg_ctl`, "-D", data, "-l", log, ...args]);
  const pg: ThrowawayPostgres = {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    start: () => void ctl("-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on`, "-w", "start"),
    stopImmediate: () => void ctl("-m", "immediate", "-w", "stop"),
    remove: () => {
      try {
        ctl("-m", "immediate", "-w", "stop");
      } catch {
        /* not running */
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  pg.start();
  return pg;
}
