import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { acquireDataDirLock, DataDirLockedError, ownerAlive } from "@/lib/db/pglite-lock";

/**
 * Defect 10 of issue 10: after `kill -9` of the service, a restart on the same PGlite directory must
 * never be refused because of the dead owner — also while it is a zombie (killed, not yet reaped by
 * its parent) — and a live owner must always block. Real processes, real signals.
 */
const HOLDER = path.join(process.cwd(), "tests/support/hold-pglite-lock.mts");
const TSX = path.join(process.cwd(), "node_modules/tsx/dist/esm/index.mjs");
const procs: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "audit-lock-"));
  dirs.push(d);
  return d;
}

/** Starts `cmd`, resolves with the pid the lock holder prints once it holds the lock. */
function startHolder(cmd: string, args: string[]): Promise<{ proc: ChildProcess; holderPid: number }> {
  const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  procs.push(proc);
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (d) => {
      out += d;
      const m = out.match(/locked (\d+)/);
      if (m) resolve({ proc, holderPid: Number(m[1]) });
    });
    proc.stderr!.on("data", (d) => (out += d));
    proc.once("exit", (code) => reject(new Error(`holder exited (${code}) before locking:\n${out}`)));
  });
}

const procState = (pid: number) => {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return s.slice(s.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return "gone";
  }
};

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("PGlite data-directory lock", () => {
  it("a live owner blocks; after kill -9 (reaped) the directory is free", async () => {
    const dir = tempDir();
    const { proc, holderPid } = await startHolder(process.execPath, ["--import", TSX, HOLDER, dir]);
    expect(holderPid).toBe(proc.pid);
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    expect(() => acquireDataDirLock(dir)).toThrow(new RegExp(`in use by another process \\(pid ${holderPid}\\)`));
    const exited = new Promise((r) => proc.once("exit", r));
    process.kill(holderPid, "SIGKILL");
    await exited; // node reaps its child: the process is gone
    expect(procState(holderPid)).toBe("gone");
    const release = acquireDataDirLock(dir);
    expect(fs.readFileSync(path.join(dir, ".audit-trail.lock"), "utf8")).toMatch(new RegExp(`^${process.pid}\\b`));
    release();
    expect(fs.existsSync(path.join(dir, ".audit-trail.lock"))).toBe(false);
  });

  it("an owner killed with kill -9 but not reaped (a zombie) does not block", async () => {
    const dir = tempDir();
    // sh starts the holder in the background and execs sleep: the holder's parent is then `sleep`,
    // which never waits for children, so once killed the holder stays a zombie.
    const { proc, holderPid } = await startHolder("/bin/sh", ["-c", `"${process.execPath}" --import "${TSX}" "${HOLDER}" "${dir}" & exec sleep 600`]);
    expect(holderPid).not.toBe(proc.pid);
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    process.kill(holderPid, "SIGKILL");
    await waitFor(() => procState(holderPid) === "Z", `pid ${holderPid} to become a zombie`);
    expect(procState(holderPid)).toBe("Z"); // still in the process table: kill(pid, 0) succeeds
    expect(() => process.kill(holderPid, 0)).not.toThrow();
    expect(ownerAlive(holderPid)).toBe(false);
    const release = acquireDataDirLock(dir);
    release();
    proc.kill("SIGKILL");
  });

  it("a recorded pid now used by another process (different start time) is stale; the same process blocks", async () => {
    const dir = tempDir();
    const other = spawn("sleep", ["600"], { stdio: "ignore" });
    procs.push(other);
    await waitFor(() => procState(other.pid!) === "S", "sleep to start");
    const lockFile = path.join(dir, ".audit-trail.lock");
    const stat = fs.readFileSync(`/proc/${other.pid}/stat`, "utf8");
    const startTime = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]!;
    fs.writeFileSync(lockFile, `${other.pid} ${startTime}`);
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError); // the owner, alive
    fs.writeFileSync(lockFile, `${other.pid} ${Number(startTime) + 1}`);
    const release = acquireDataDirLock(dir); // same pid, another process: stale
    release();
    other.kill("SIGKILL");
  });
});
