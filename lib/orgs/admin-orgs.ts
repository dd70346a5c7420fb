import type { Principal } from "../auth/principal";
import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import { findOrg, toOrgView } from "./create-org";
import type { OrgView } from "./org-schemas";

export function requireRoot(p: Principal): void {
  if (p.kind !== "root") throw new AppError("forbidden", "only the root token (AUDIT_ROOT_TOKEN) can do this");
}

export async function listVisibleOrgs(opts: { db: Database; principal: Principal }): Promise<OrgView[]> {
  const where = opts.principal.kind === "root" ? {} : { id: opts.principal.orgId };
  return (await opts.db.prisma.org.findMany({ where, orderBy: { createdAt: "asc" } })).map(toOrgView);
}

/**
 * The org an admin request acts on. Root names any org (`org`: slug or id); an org's admin token
 * acts on its own org, and naming another answers 404 as if it did not exist.
 */
export async function resolveAdminOrg(opts: { db: Database; principal: Principal; ref?: string }) {
  if (opts.principal.kind === "root") {
    if (!opts.ref) throw new AppError("validation_failed", "org: is required with the root token", { field: "org" });
    return findOrg({ db: opts.db, ref: opts.ref });
  }
  const own = await opts.db.prisma.org.findUniqueOrThrow({ where: { id: opts.principal.orgId } });
  if (opts.ref && opts.ref !== own.slug && opts.ref !== own.id) throw new AppError("not_found", `org "${opts.ref}" not found`, { field: "org" });
  return own;
}
