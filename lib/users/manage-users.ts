import type { Actor } from "../audit/event-schema";
import { formatTimestamp } from "../audit/format-timestamp";
import { withAuditedChange } from "../audit/audit-change";
import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import { newUserId } from "./ensure-user";
import type { InvitationCreated } from "./invitation-schemas";
import { inviteUserInTx } from "./manage-invitations";
import { hashPassword } from "./password";
import { toRole } from "./roles";
import type { CreateUserInput } from "./user-schemas";

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: string;
  created_at: string;
  last_login_at: string | null;
}

/**
 * The org's members. `last_login_at` is the member's last sign-in into THIS org (memberships), never
 * their activity in another org.
 */
export async function listUsers(opts: { db: Database; orgId: string }): Promise<UserView[]> {
  const ms = await opts.db.prisma.membership.findMany({ where: { orgId: opts.orgId }, include: { user: true }, orderBy: { createdAt: "asc" } });
  return ms.map((m) => ({
    id: m.user.id,
    email: m.user.email,
    name: m.user.name,
    role: toRole(m.role),
    created_at: formatTimestamp(m.createdAt),
    last_login_at: m.lastLoginAt ? formatTimestamp(m.lastLoginAt) : null,
  }));
}

export type CreateUserResult = { status: "created"; user: UserView } | InvitationCreated;

/**
 * Adds a person to the org with a role. A new email creates the user with this password (audited as
 * `user.created`). An existing user of another org is NOT attached: they get an invitation
 * (`user.invited`; the link is returned once) that they accept after signing in; their password,
 * orgs and activity stay theirs. The answer for an existing email says only "invited".
 */
export async function createUser(opts: { db: Database; orgId: string; input: CreateUserInput; actor: Actor }): Promise<CreateUserResult> {
  const { db, input } = opts;
  const passwordHash = await hashPassword(input.password);
  return withAuditedChange<CreateUserResult>({ db, orgId: opts.orgId }, async (tx) => {
    const existing = await tx.prisma.user.findUnique({ where: { email: input.email } });
    if (existing) {
      const member = await tx.prisma.membership.findUnique({ where: { userId_orgId: { userId: existing.id, orgId: opts.orgId } } });
      if (member) throw new AppError("conflict", `${input.email} is already a member of this org`, { field: "email" });
      const { value, event } = await inviteUserInTx({ tx, orgId: opts.orgId, userId: existing.id, email: existing.email, role: input.role, actor: opts.actor });
      return { value, events: [event] };
    }
    const user = await tx.prisma.user.create({ data: { id: newUserId(), email: input.email, name: input.name, passwordHash } });
    const m = await tx.prisma.membership.create({ data: { userId: user.id, orgId: opts.orgId, role: input.role } });
    return {
      value: { status: "created", user: { id: user.id, email: user.email, name: user.name, role: input.role, created_at: formatTimestamp(m.createdAt), last_login_at: null } },
      events: [{ actor: opts.actor, action: "user.created", resource: { type: "user", id: user.id, name: user.email }, changes: { role: { old: null, new: input.role } } }],
    };
  });
}
