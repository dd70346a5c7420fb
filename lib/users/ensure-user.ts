import crypto from "node:crypto";
import type { Actor } from "../audit/event-schema";
import { withAuditedChange } from "../audit/audit-change";
import type { Database } from "../db/open-database";
import { hashPassword, verifyPassword } from "./password";
import type { Role } from "./roles";

export const newUserId = () => `usr_${crypto.randomBytes(8).toString("hex")}`;

/**
 * Ensures a user with this email exists, with `role` in the org, and (when `password` is given)
 * that password. Used at start-up for AUDIT_ADMIN_EMAIL/AUDIT_ADMIN_PASSWORD and the demo users.
 * Writes `user.created` / `user.role_granted` / `user.password_reset` audit events for what changed.
 */
export async function ensureUser(opts: { db: Database; orgId: string; email: string; name?: string; password: string; role: Role; actor: Actor }) {
  const email = opts.email.trim().toLowerCase();
  const { db } = opts;
  // Password hashing (scrypt) happens before the transaction: it is slow and needs no lock.
  const found = await db.prisma.user.findUnique({ where: { email } });
  const newHash = !found || !(await verifyPassword(opts.password, found.passwordHash)) ? await hashPassword(opts.password) : null;
  return withAuditedChange({ db, orgId: opts.orgId }, async (tx) => {
    let user = await tx.prisma.user.findUnique({ where: { email } });
    const changes: string[] = [];
    if (!user) {
      user = await tx.prisma.user.create({ data: { id: newUserId(), email, name: opts.name ?? email.split("@")[0]!, passwordHash: newHash ?? (await hashPassword(opts.password)) } });
      changes.push("user.created");
    } else if (newHash) {
      await tx.prisma.user.update({ where: { id: user.id }, data: { passwordHash: newHash } });
      changes.push("user.password_reset");
    }
    const membership = await tx.prisma.membership.findUnique({ where: { userId_orgId: { userId: user.id, orgId: opts.orgId } } });
    if (!membership || membership.role !== opts.role) {
      await tx.prisma.membership.upsert({
        where: { userId_orgId: { userId: user.id, orgId: opts.orgId } },
        create: { userId: user.id, orgId: opts.orgId, role: opts.role },
        update: { role: opts.role },
      });
      changes.push("user.role_granted");
    }
    const events = changes.map((action) => ({
      actor: opts.actor,
      action,
      resource: { type: "user", id: user.id, name: email },
      ...(action === "user.role_granted" && { changes: { role: { old: membership?.role ?? null, new: opts.role } } }),
    }));
    return { value: { user, created: changes.includes("user.created") }, events };
  });
}
