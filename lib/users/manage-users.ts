import type { Actor } from "../audit/event-schema";
import { formatTimestamp } from "../audit/format-timestamp";
import { recordEvent } from "../audit/record-event";
import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import { newUserId } from "./ensure-user";
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

/** The org's members. */
export async function listUsers(opts: { db: Database; orgId: string }): Promise<UserView[]> {
  const ms = await opts.db.prisma.membership.findMany({ where: { orgId: opts.orgId }, include: { user: true }, orderBy: { createdAt: "asc" } });
  return ms.map((m) => ({
    id: m.user.id,
    email: m.user.email,
    name: m.user.name,
    role: toRole(m.role),
    created_at: formatTimestamp(m.createdAt),
    last_login_at: m.user.lastLoginAt ? formatTimestamp(m.user.lastLoginAt) : null,
  }));
}

/**
 * Adds a person to the org with a role. A new email creates the user with this password; an
 * existing user (member of another org) is added without touching their password. Audited.
 */
export async function createUser(opts: { db: Database; orgId: string; input: CreateUserInput; actor: Actor }): Promise<UserView> {
  const { db, input } = opts;
  let user = await db.prisma.user.findUnique({ where: { email: input.email } });
  if (user) {
    const member = await db.prisma.membership.findUnique({ where: { userId_orgId: { userId: user.id, orgId: opts.orgId } } });
    if (member) throw new AppError("conflict", `${input.email} is already a member of this org`, { field: "email" });
  } else {
    user = await db.prisma.user.create({ data: { id: newUserId(), email: input.email, name: input.name, passwordHash: await hashPassword(input.password) } });
  }
  const m = await db.prisma.membership.create({ data: { userId: user.id, orgId: opts.orgId, role: input.role } });
  await recordEvent({
    sql: db.sql,
    orgId: opts.orgId,
    event: { actor: opts.actor, action: "user.created", resource: { type: "user", id: user.id, name: user.email }, changes: { role: { old: null, new: input.role } } },
  });
  return { id: user.id, email: user.email, name: user.name, role: input.role, created_at: formatTimestamp(m.createdAt), last_login_at: null };
}
