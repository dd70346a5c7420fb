/**
 * Child process for tests/process/pglite-lock.test.ts: takes the PGlite data-directory lock of
 * argv[2] (the service's own lock code), prints "locked <pid>", and holds it until killed.
 */
import { acquireDataDirLock } from "../../lib/db/pglite-lock.ts";

acquireDataDirLock(process.argv[2]!);
process.stdout.write(`locked ${process.pid}\n`);
setInterval(() => undefined, 60_000);
