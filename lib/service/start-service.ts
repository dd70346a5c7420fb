import { getConfig } from "../config";
import { getDatabase } from "../db/get-database";
import { withoutQueryBudget } from "../db/query-budget";
import { seedDemo } from "../demo/seed-demo";
import { ensureOrg } from "../orgs/create-org";
import { DEMO_ADMIN_EMAIL, ensureAdmin, ensureDemoAdmin } from "../users/ensure-admin";
import { startExportWorker } from "../exports/start-export-worker";
import { startStreamWorker } from "../streams/start-stream-worker";
import { startRetentionJob } from "../retention/start-retention-job";
import { startTableMaintenance } from "../db/maintain-tables";
import { loadLogSigner } from "../integrity/load-log-signer";
import { signPendingCheckpoints } from "../integrity/sign-pending-checkpoints";

const SYSTEM = { id: "audit-trail", type: "system" as const, name: "Audit Trail" };

/**
 * Start-up (called once from instrumentation.ts): open and migrate the database, bootstrap the
 * admin org, and on an empty database load the demo data unless AUDIT_DEMO=0.
 */
export async function startService(log: (line: string) => void = console.log): Promise<void> {
  const cfg = getConfig();
  const db = await getDatabase();
  log(`[audit-trail] database: ${db.kind} (${db.location}), migrations applied`);
  loadLogSigner({ log }); // says where the checkpoint signing key comes from (a generated one is not for production)
  await signPendingCheckpoints({ sql: db.sql, log });
  const empty = (await db.prisma.org.count()) === 0;
  if (cfg.AUDIT_ADMIN_EMAIL) {
    await ensureOrg({ db, slug: cfg.AUDIT_ADMIN_ORG, actor: SYSTEM });
  }
  if (empty && cfg.demo) {
    const t0 = Date.now();
    const { org, events } = await seedDemo({ db });
    log(`[audit-trail] demo data: ${events} events in org "${org}" (${Date.now() - t0} ms)`);
    if (!cfg.AUDIT_ADMIN_EMAIL) {
      const demo = await ensureDemoAdmin({ db, orgSlug: org, actor: SYSTEM });
      log(`[audit-trail] demo sign-in: ${demo.email} / ${demo.password} (admin of "${org}"; set AUDIT_ADMIN_EMAIL + AUDIT_ADMIN_PASSWORD for your own)`);
    }
  } else if (!cfg.AUDIT_ADMIN_EMAIL && (await db.prisma.user.findUnique({ where: { email: DEMO_ADMIN_EMAIL } }))) {
    log(`[audit-trail] demo sign-in: ${DEMO_ADMIN_EMAIL} (its password was printed at the first start; set AUDIT_ADMIN_EMAIL + AUDIT_ADMIN_PASSWORD to reset it)`);
  }
  if (cfg.AUDIT_ADMIN_EMAIL) {
    const admin = await ensureAdmin({ db, email: cfg.AUDIT_ADMIN_EMAIL, password: cfg.AUDIT_ADMIN_PASSWORD, orgSlug: cfg.AUDIT_ADMIN_ORG, actor: SYSTEM });
    log(`[audit-trail] admin ${admin.email} ${admin.created ? "created" : "ensured"} in org "${cfg.AUDIT_ADMIN_ORG}"`);
  }
  startExportWorker({ db, log });
  startStreamWorker({ db, log });
  startRetentionJob({ db, log });
  // PGlite has no autovacuum: the service analyzes, vacuums and checkpoints it (PostgreSQL's
  // autovacuum does this for the server, from the same storage parameters).
  if (db.kind === "pglite") startTableMaintenance({ sql: db.sql, log });
  const base = `http://localhost:${cfg.PORT}`;
  log(`[audit-trail] ready: open ${base}`);
  if (cfg.AUDIT_ROOT_TOKEN) log(`[audit-trail] root token set: POST ${base}/api/v1/admin/orgs and /api/v1/admin/tokens to bootstrap`);
}

/** A service that cannot open its store must not serve: say why and exit non-zero. */
export async function startServiceOrExit(): Promise<void> {
  try {
    // Start-up and the background jobs it starts (export worker, retention) run without the
    // per-request statement timeout (lib/db/query-budget.ts).
    await withoutQueryBudget(() => startService());
  } catch (e) {
    console.error(`[audit-trail] start-up failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
