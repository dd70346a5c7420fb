import { getDatabase } from "@/lib/db/get-database";

export const dynamic = "force-dynamic";

/** Minimal home until the dashboard lands: what this is, where the API is, whether the store answers. */
export default async function Home() {
  const db = await getDatabase();
  const [orgs, events] = await Promise.all([db.prisma.org.count(), db.prisma.auditEvent.count()]);
  return (
    <main className="mx-auto max-w-3xl px-6 py-16">
      <h1 className="text-3xl font-semibold tracking-tight">Audit Trail</h1>
      <p className="mt-3 text-slate-600 dark:text-slate-300">
        A self-hosted, tamper-evident audit log service. Services write events to it; auditors investigate them.
      </p>
      <dl className="mt-8 grid grid-cols-3 gap-4">
        {[
          ["Store", db.kind === "pglite" ? "Embedded PGlite" : "PostgreSQL"],
          ["Orgs", orgs.toLocaleString("en-US")],
          ["Events", events.toLocaleString("en-US")],
        ].map(([k, v]) => (
          <div key={k} className="rounded-lg border border-slate-200 p-4 dark:border-slate-800">
            <dt className="text-sm text-slate-500 dark:text-slate-400">{k}</dt>
            <dd className="mt-1 text-xl font-medium">{v}</dd>
          </div>
        ))}
      </dl>
      <h2 className="mt-10 text-lg font-semibold">API</h2>
      <ul className="mt-2 list-disc space-y-1 pl-6 text-sm">
        <li><code>POST /api/v1/audit/logs</code> — ingest one event or a batch of up to 1000</li>
        <li><code>GET /api/v1/audit/logs</code>, <code>GET /api/v1/audit/logs/&#123;id&#125;</code> — read</li>
        <li><code>POST /api/v1/audit/verify</code> — recompute the hash chain</li>
        <li><code>GET /api/health</code> — liveness of the store</li>
      </ul>
    </main>
  );
}
