import { getConfig } from "../config";
import { openDatabase, type Database } from "./open-database";
import { withoutQueryBudget } from "./query-budget";
import { runMigrations } from "./run-migrations";

/**
 * The process-wide database, opened and migrated once. Kept on globalThis because Next.js bundles
 * instrumentation and each route separately: a module-level variable would open PGlite twice.
 */
const KEY = Symbol.for("audit-trail.database");
type Holder = { [KEY]?: Promise<Database> };

export function getDatabase(): Promise<Database> {
  const g = globalThis as Holder;
  g[KEY] ??= (async () => {
    const cfg = getConfig();
    const db = await openDatabase({ url: cfg.DATABASE_URL, dataDir: cfg.dataDir, poolSize: cfg.AUDIT_DB_POOL_SIZE });
    try {
      await withoutQueryBudget(() => runMigrations({ sql: db.sql, advisoryLock: db.kind === "postgresql", log: (line) => console.log(line) }));
    } catch (e) {
      await db.close().catch(() => undefined);
      throw e;
    }
    return db;
  })();
  const p = g[KEY];
  p.catch(() => {
    if (g[KEY] === p) delete g[KEY]; // let a later request retry (e.g. PostgreSQL was still starting)
  });
  return p;
}

/** Tests switch databases between suites: close the current one and forget it. */
export async function closeDatabaseForTests(): Promise<void> {
  const g = globalThis as Holder;
  const p = g[KEY];
  delete g[KEY];
  if (p) await (await p).close();
}
