import { appendEvents } from "../audit/append-events";
import type { Database } from "../db/open-database";
import { ensureOrg } from "../orgs/create-org";
import { buildDemoEvents } from "./build-demo-events";

const DAY = 86_400_000;

/** Loads the demo org `acme` through the ingest path, in batches of 1000. */
export async function seedDemo(opts: { db: Database; end?: Date }): Promise<{ org: string; events: number }> {
  const { org } = await ensureOrg({ db: opts.db, slug: "acme", name: "Acme Corp", actor: { id: "audit-trail", type: "system", name: "Audit Trail" } });
  const end = opts.end ?? new Date(Math.floor(Date.now() / DAY) * DAY);
  const events = buildDemoEvents({ end });
  for (let i = 0; i < events.length; i += 1000) {
    await appendEvents({ sql: opts.db.sql, orgId: org.id, events: events.slice(i, i + 1000) });
  }
  return { org: org.slug, events: events.length };
}
