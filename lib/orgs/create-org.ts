import crypto from "node:crypto";
import type { Actor } from "../audit/event-schema";
import { formatTimestamp } from "../audit/format-timestamp";
import { withAuditedChange } from "../audit/audit-change";
import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import type { OrgView } from "./org-schemas";

export const toOrgView = (o: { id: string; slug: string; name: string; createdAt: Date }): OrgView => ({
  id: o.id,
  slug: o.slug,
  name: o.name,
  created_at: formatTimestamp(o.createdAt),
});

/** Creates an org and writes `org.created` as the first entry of its chain. */
export async function createOrg(opts: { db: Database; slug: string; name?: string; actor: Actor }): Promise<OrgView> {
  const existing = await opts.db.prisma.org.findUnique({ where: { slug: opts.slug } });
  if (existing) throw new AppError("conflict", `an org with slug "${opts.slug}" already exists`, { field: "slug" });
  const id = `org_${crypto.randomBytes(8).toString("hex")}`;
  // The org and `org.created`, the first entry of its chain, commit together.
  const org = await withAuditedChange({ db: opts.db, orgId: id }, async (tx) => {
    const org = await tx.prisma.org.create({ data: { id, slug: opts.slug, name: opts.name ?? opts.slug } }).catch((e: unknown) => {
      if ((e as { code?: string }).code === "P2002") throw new AppError("conflict", `an org with slug "${opts.slug}" already exists`, { field: "slug" });
      throw e;
    });
    return { value: org, events: [{ actor: opts.actor, action: "org.created", resource: { type: "org", id: org.id, name: org.slug }, details: { name: org.name } }] };
  });
  return toOrgView(org);
}

/** Finds an org by slug or id; answers 404 for both a missing org and one the caller may not see. */
export async function findOrg(opts: { db: Database; ref: string }) {
  const org = await opts.db.prisma.org.findFirst({ where: { OR: [{ slug: opts.ref }, { id: opts.ref }] } });
  if (!org) throw new AppError("not_found", `org "${opts.ref}" not found`, { field: "org" });
  return org;
}

/** Ensures an org exists (start-up bootstrap). Returns it and whether it was created. */
export async function ensureOrg(opts: { db: Database; slug: string; name?: string; actor: Actor }) {
  const found = await opts.db.prisma.org.findUnique({ where: { slug: opts.slug } });
  if (found) return { org: found, created: false };
  await createOrg(opts);
  const org = await opts.db.prisma.org.findUniqueOrThrow({ where: { slug: opts.slug } });
  return { org, created: true };
}
