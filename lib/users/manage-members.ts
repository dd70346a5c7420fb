import crypto from "node:crypto";
import { z } from "zod";
import type { Actor } from "../audit/event-schema";
import { withAuditedChange } from "../audit/audit-change";
import { formatTimestamp } from "../audit/format-timestamp";
import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import { hashPassword } from "./password";
import { RoleSchema, toRole, type Role } from "./roles";
import { PasswordSchema } from "./user-schemas";

/** How long a password-reset link works. */
export const PASSWORD_RESET_TTL_MS = 24 * 3_600_000;

export const ChangeRoleInputSchema = z.object({ role: RoleSchema }).strict();
export const PasswordResetTokenSchema = z.string().regex(/^pwr_[A-Za-z0-9_-]{43}$/, "is not a password-reset token");
export const CompletePasswordResetSchema = z.object({ token: PasswordResetTokenSchema, password: PasswordSchema }).strict();

export interface PasswordResetCreated {
  email: string;
  expires_at: string;
  /** `/reset-password/<token>`: shown once to the admin; only its SHA-256 is stored. */
  reset_path: string;
}

const hashToken = (token: string) => crypto.createHash("sha256").update(token, "utf8").digest("hex");

type Tx = Parameters<Parameters<typeof withAuditedChange>[1]>[0];

async function memberOf(tx: Tx, orgId: string, userId: string) {
  const m = await tx.prisma.membership.findUnique({ where: { userId_orgId: { userId, orgId } }, include: { user: true } });
  if (!m) throw new AppError("not_found", "no such member in this org", { field: "id" });
  return m;
}

/** The org must keep at least one admin: refuses to demote or remove the last one. */
async function keepAnAdmin(tx: Tx, orgId: string, userId: string, what: string) {
  const admins = await tx.prisma.membership.count({ where: { orgId, role: "admin", NOT: { userId } } });
  if (admins === 0) throw new AppError("conflict", `${what}: this is the org's last admin; make someone else admin first`, { field: "id" });
}

/** Changes a member's role in this org (audited as `user.role_changed` with old → new). Their sessions in this org get the new scopes at once. */
export async function changeMemberRole(opts: { db: Database; orgId: string; userId: string; role: Role; actor: Actor }): Promise<{ id: string; email: string; role: Role }> {
  return withAuditedChange({ db: opts.db, orgId: opts.orgId }, async (tx) => {
    // Lock the membership row: two admins changing roles at once cannot both demote the last admin.
    await tx.sql.query(`SELECT 1 FROM memberships WHERE org_id = $1 FOR UPDATE`, [opts.orgId]);
    const m = await memberOf(tx, opts.orgId, opts.userId);
    const old = toRole(m.role);
    if (old === opts.role) return { value: { id: m.userId, email: m.user.email, role: old }, events: [] };
    if (old === "admin") await keepAnAdmin(tx, opts.orgId, opts.userId, "role");
    await tx.prisma.membership.update({ where: { userId_orgId: { userId: opts.userId, orgId: opts.orgId } }, data: { role: opts.role } });
    return {
      value: { id: m.userId, email: m.user.email, role: opts.role },
      events: [{ actor: opts.actor, action: "user.role_changed", resource: { type: "user", id: m.userId, name: m.user.email }, changes: { role: { old, new: opts.role } } }],
    };
  });
}

/**
 * Removes a member from this org (audited as `user.removed`): the membership and their sessions in
 * this org go; the account itself (and other orgs' memberships) stays. Not yourself, not the last admin.
 */
export async function removeMember(opts: { db: Database; orgId: string; userId: string; actor: Actor }): Promise<{ id: string; email: string }> {
  if (opts.actor.id === opts.userId) throw new AppError("conflict", "you cannot remove yourself; ask another admin", { field: "id" });
  return withAuditedChange({ db: opts.db, orgId: opts.orgId }, async (tx) => {
    await tx.sql.query(`SELECT 1 FROM memberships WHERE org_id = $1 FOR UPDATE`, [opts.orgId]);
    const m = await memberOf(tx, opts.orgId, opts.userId);
    const role = toRole(m.role);
    if (role === "admin") await keepAnAdmin(tx, opts.orgId, opts.userId, "remove");
    await tx.prisma.membership.delete({ where: { userId_orgId: { userId: opts.userId, orgId: opts.orgId } } });
    await tx.prisma.session.deleteMany({ where: { userId: opts.userId, orgId: opts.orgId } });
    return {
      value: { id: m.userId, email: m.user.email },
      events: [{ actor: opts.actor, action: "user.removed", resource: { type: "user", id: m.userId, name: m.user.email }, changes: { role: { old: role, new: null } } }],
    };
  });
}

/**
 * A one-time password-reset link for a member (audited as `user.password_reset_requested`; the link
 * is returned once, only its SHA-256 stored; earlier unused links of the same user stop working).
 * Only for a user who belongs to this org alone: an admin of one org must not be able to take over
 * an account that also signs in to other orgs (that user resets with their own other admins, or
 * keeps their password).
 */
export async function createPasswordReset(opts: { db: Database; orgId: string; userId: string; actor: Actor; now?: Date }): Promise<PasswordResetCreated> {
  const now = opts.now ?? new Date();
  return withAuditedChange({ db: opts.db, orgId: opts.orgId, now }, async (tx) => {
    const m = await memberOf(tx, opts.orgId, opts.userId);
    const orgs = await tx.prisma.membership.count({ where: { userId: opts.userId } });
    if (orgs > 1) throw new AppError("conflict", `${m.user.email} also belongs to other orgs: this org's admins cannot reset their password`, { field: "id" });
    const token = `pwr_${crypto.randomBytes(32).toString("base64url")}`;
    const id = `pwr_${crypto.randomBytes(8).toString("hex")}`;
    const expiresAt = new Date(now.getTime() + PASSWORD_RESET_TTL_MS);
    await tx.prisma.passwordReset.deleteMany({ where: { orgId: opts.orgId, userId: opts.userId, usedAt: null } });
    await tx.prisma.passwordReset.create({ data: { orgId: opts.orgId, id, userId: opts.userId, tokenHash: hashToken(token), createdBy: opts.actor.email ?? opts.actor.id, createdAt: now, expiresAt } });
    const value: PasswordResetCreated = { email: m.user.email, expires_at: formatTimestamp(expiresAt), reset_path: `/reset-password/${token}` };
    return {
      value,
      events: [{ actor: opts.actor, action: "user.password_reset_requested", resource: { type: "user", id: m.userId, name: m.user.email }, details: { reset_id: id, expires_at: value.expires_at } }],
    };
  });
}

/** Who a reset link is for (the page shows the email), or 404 / 410. */
export async function getPasswordReset(opts: { db: Database; token: string; now?: Date }): Promise<{ email: string; expires_at: string }> {
  const r = await findReset(opts.db, opts.token);
  const now = opts.now ?? new Date();
  if (r.usedAt) throw new AppError("gone", "this password-reset link has already been used");
  if (r.expiresAt <= now) throw new AppError("gone", "this password-reset link has expired: ask an admin for a new one");
  const user = await opts.db.prisma.user.findUnique({ where: { id: r.userId } });
  if (!user) throw new AppError("not_found", "this password-reset link is not valid", { field: "token" });
  return { email: user.email, expires_at: formatTimestamp(r.expiresAt) };
}

async function findReset(db: Database | Tx, token: string) {
  if (!PasswordResetTokenSchema.safeParse(token).success) throw new AppError("not_found", "this password-reset link is not valid", { field: "token" });
  const r = await db.prisma.passwordReset.findFirst({ where: { tokenHash: hashToken(token) } });
  if (!r) throw new AppError("not_found", "this password-reset link is not valid", { field: "token" });
  return r;
}

/**
 * Sets the new password through a reset link, once, before it expires. The user's sessions end
 * (everywhere), the link is spent, and `user.password_reset` is recorded in the link's org — all in
 * one transaction.
 */
export async function completePasswordReset(opts: { db: Database; token: string; password: string; now?: Date }): Promise<{ email: string }> {
  const now = opts.now ?? new Date();
  const found = await findReset(opts.db, opts.token);
  const passwordHash = await hashPassword(opts.password);
  return withAuditedChange({ db: opts.db, orgId: found.orgId, now }, async (tx) => {
    await tx.sql.query(`SELECT 1 FROM password_resets WHERE org_id = $1 AND id = $2 FOR UPDATE`, [found.orgId, found.id]);
    const r = await findReset(tx, opts.token);
    if (r.usedAt) throw new AppError("gone", "this password-reset link has already been used");
    if (r.expiresAt <= now) throw new AppError("gone", "this password-reset link has expired: ask an admin for a new one");
    const user = await tx.prisma.user.update({ where: { id: r.userId }, data: { passwordHash } });
    await tx.prisma.passwordReset.update({ where: { orgId_id: { orgId: r.orgId, id: r.id } }, data: { usedAt: now } });
    await tx.prisma.session.deleteMany({ where: { userId: r.userId } });
    return {
      value: { email: user.email },
      events: [{ actor: { id: user.id, type: "user", email: user.email, name: user.name }, action: "user.password_reset", resource: { type: "user", id: user.id, name: user.email }, details: { reset_id: r.id, requested_by: r.createdBy } }],
    };
  });
}
