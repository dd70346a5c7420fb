import fs from "node:fs";
import path from "node:path";

/**
 * PGlite has no lock across processes: two processes opening one data directory corrupt it.
 * This lock file (`<dir>/.audit-trail.lock`, holding the owner's pid) makes the second one fail with
 * a clear message instead. The lock is stale, and taken over, when its owner is dead: the process is
 * gone, or is a zombie (killed, not yet reaped by its parent: `/proc/<pid>/stat` state Z or X), or
 * the pid now belongs to another process (its start time differs from the one recorded). A live
 * owner always blocks.
 */
export class DataDirLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `The data directory ${dir} is in use by another process (pid ${pid}). ` +
        `PGlite allows one process per directory: stop that process, or set AUDIT_DATA_DIR to another directory, ` +
        `or use PostgreSQL (DATABASE_URL) to run several instances.`,
    );
    this.name = "DataDirLockedError";
  }
}

/** State and start time (clock ticks since boot) from /proc/<pid>/stat; null when unreadable (no procfs, or gone). */
function procStat(pid: number): { state: string; startTime: string } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) S ppid …": comm may hold spaces and parentheses, so read after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", startTime: fields[19] ?? "" };
  } catch {
    return null;
  }
}

/** The start time of this process, recorded in the lock so a reused pid is not taken for the owner. */
function ownStartTime(): string {
  return procStat(process.pid)?.startTime ?? "";
}

export function ownerAlive(pid: number, startTime?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false; // ESRCH: no such process
  }
  const stat = procStat(pid);
  if (!stat) return true; // no procfs: a process with this pid exists
  if (stat.state === "Z" || stat.state === "X") return false; // zombie or dead: holds nothing any more
  return !startTime || !stat.startTime || stat.startTime === startTime;
}

export function acquireDataDirLock(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, ".audit-trail.lock");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, "wx");
      const content = `${process.pid} ${ownStartTime()}`.trim();
      fs.writeSync(fd, content);
      fs.closeSync(fd);
      const release = () => {
        try {
          if (fs.readFileSync(file, "utf8") === content) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.once("exit", release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const [pidText, startTime] = fs.readFileSync(file, "utf8").trim().split(/\s+/);
      const pid = Number.parseInt(pidText ?? "", 10);
      if (Number.isFinite(pid) && pid !== process.pid && ownerAlive(pid, startTime)) throw new DataDirLockedError(dir, pid);
      fs.rmSync(file, { force: true }); // stale: its owner is gone, a zombie, or the pid was reused
    }
  }
  throw new Error(`Could not lock the data directory ${dir}`);
}
