import crypto from "node:crypto";
import type { Actor } from "../audit/event-schema";
import { withAuditedChange, type AuditTx } from "../audit/audit-change";
import { formatTimestamp } from "../audit/format-timestamp";
import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import type { SessionPrincipal } from "../sessions/manage-sessions";
import { InvitationTokenSchema, type InvitationCreated, type InvitationView } from "./invitation-schemas";
import { toRole, type Role } from "./roles";

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 7 * 86_400_000;

const hashToken = (token: string) => crypto.createHash("sha256").update(token, "utf8").digest("hex");

/**
 * Invites an existing user (of another org) to `orgId`, inside the caller's audited transaction:
 * their account is never attached directly, and nothing about it (orgs, activity) is shown to the
 * inviting org. An earlier pending invitation of the same email to the same org is replaced (its
 * link stops working). Returns the audit event and the link, shown once.
 */
export async function inviteUserInTx(opts: { tx: AuditTx; orgId: string; userId: string; email: string; role: Role; actor: Actor; now?: Date }) {
  const now = opts.now ?? new Date();
  const token = `inv_${crypto.randomBytes(32).toString("base64url")}`;
  const id = `inv_${crypto.randomBytes(8).toString("hex")}`;
  await opts.tx.prisma.invitation.deleteMany({ where: { orgId: opts.orgId, email: opts.email, acceptedAt: null } });
  const inv = await opts.tx.prisma.invitation.create({
    data: { id, orgId: opts.orgId, email: opts.email, role: opts.role, tokenHash: hashToken(token), createdBy: opts.actor.email ?? opts.actor.id, createdAt: now, expiresAt: new Date(now.getTime() + INVITATION_TTL_MS) },
  });
  const value: InvitationCreated = {
    status: "invited",
    invitation: { id, email: inv.email, role: opts.role, expires_at: formatTimestamp(inv.expiresAt), accept_path: `/invitations/${token}` },
  };
  const event = {
    actor: opts.actor,
    action: "user.invited",
    resource: { type: "user", id: opts.userId, name: opts.email },
    changes: { role: { old: null, new: opts.role } },
    details: { invitation_id: id, expires_at: value.invitation.expires_at },
  };
  return { value, event };
}

async function findByToken(db: Database | AuditTx, token: string) {
  if (!InvitationTokenSchema.safeParse(token).success) return null;
  return db.prisma.invitation.findUnique({ where: { tokenHash: hashToken(token) }, include: { org: true } });
}

function view(inv: NonNullable<Awaited<ReturnType<typeof findByToken>>>, now: Date): InvitationView {
  return {
    org: { id: inv.org.id, slug: inv.org.slug, name: inv.org.name },
    email: inv.email,
    role: toRole(inv.role),
    expires_at: formatTimestamp(inv.expiresAt),
    status: inv.acceptedAt ? "accepted" : inv.expiresAt <= now ? "expired" : "pending",
  };
}

/** The invitation behind a link (404 for an unknown or malformed token). */
export async function getInvitation(opts: { db: Database; token: string; now?: Date }): Promise<InvitationView> {
  const inv = await findByToken(opts.db, opts.token);
  if (!inv) throw new AppError("not_found", "this invitation link is not valid", { field: "token" });
  return view(inv, opts.now ?? new Date());
}

/**
 * Accepts an invitation as the signed-in user: only the invited email may accept (403 otherwise),
 * once (409), before it expires (410). The membership, the acceptance and `user.invitation_accepted`
 * (in the inviting org's log) commit together.
 */
export async function acceptInvitation(opts: { db: Database; token: string; principal: SessionPrincipal; now?: Date }): Promise<InvitationView> {
  const now = opts.now ?? new Date();
  const found = await findByToken(opts.db, opts.token);
  if (!found) throw new AppError("not_found", "this invitation link is not valid", { field: "token" });
  return withAuditedChange({ db: opts.db, orgId: found.orgId }, async (tx) => {
    // Lock the invitation: two concurrent accepts, one membership and one record.
    await tx.sql.query(`SELECT id FROM invitations WHERE id = $1 FOR UPDATE`, [found.id]);
    const inv = await findByToken(tx, opts.token);
    if (!inv) throw new AppError("not_found", "this invitation link is not valid", { field: "token" });
    if (inv.email !== opts.principal.email.toLowerCase()) {
      throw new AppError("forbidden", "this invitation was sent to another email address: sign in with that account to accept it");
    }
    if (inv.acceptedAt) throw new AppError("conflict", "this invitation has already been accepted");
    if (inv.expiresAt <= now) throw new AppError("gone", "this invitation has expired: ask the org's admin for a new one");
    const role = toRole(inv.role);
    const existing = await tx.prisma.membership.findUnique({ where: { userId_orgId: { userId: opts.principal.userId, orgId: inv.orgId } } });
    if (!existing) await tx.prisma.membership.create({ data: { userId: opts.principal.userId, orgId: inv.orgId, role, createdAt: now } });
    const accepted = await tx.prisma.invitation.update({ where: { id: inv.id }, data: { acceptedAt: now, acceptedUserId: opts.principal.userId }, include: { org: true } });
    return {
      value: view(accepted, now),
      events: [
        {
          actor: { id: opts.principal.userId, type: "user" as const, email: opts.principal.email, name: opts.principal.name },
          action: "user.invitation_accepted",
          resource: { type: "user", id: opts.principal.userId, name: opts.principal.email },
          ...(!existing && { changes: { role: { old: null, new: role } } }),
          details: { invitation_id: inv.id, invited_by: inv.createdBy },
        },
      ],
    };
  });
}
