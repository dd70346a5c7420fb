import crypto from "node:crypto";
import type { Actor } from "../audit/event-schema";
import { recordEvent } from "../audit/record-event";
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
  let user = await db.prisma.user.findUnique({ where: { email } });
  const changes: string[] = [];
  if (!user) {
    user = await db.prisma.user.create({ data: { id: newUserId(), email, name: opts.name ?? email.split("@")[0]!, passwordHash: await hashPassword(opts.password) } });
    changes.push("user.created");
  } else if (!(await verifyPassword(opts.password, user.passwordHash))) {
    await db.prisma.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(opts.password) } });
    changes.push("user.password_reset");
  }
  const membership = await db.prisma.membership.findUnique({ where: { userId_orgId: { userId: user.id, orgId: opts.orgId } } });
  if (!membership || membership.role !== opts.role) {
    await db.prisma.membership.upsert({
      where: { userId_orgId: { userId: user.id, orgId: opts.orgId } },
      create: { userId: user.id, orgId: opts.orgId, role: opts.role },
      update: { role: opts.role },
    });
    changes.push("user.role_granted");
  }
  for (const action of changes) {
    await recordEvent({
      sql: db.sql,
      orgId: opts.orgId,
      event: {
        actor: opts.actor,
        action,
        resource: { type: "user", id: user.id, name: email },
        ...(action === "user.role_granted" && { changes: { role: { old: membership?.role ?? null, new: opts.role } } }),
      },
    });
  }
  return { user, created: changes.includes("user.created") };
}
