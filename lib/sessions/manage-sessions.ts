import crypto from "node:crypto";
import { principalActor, type Principal } from "../auth/principal";
import { withAuditedChange } from "../audit/audit-change";
import type { Prisma } from "../db/generated/client";
import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import { ROLE_SCOPES, toRole } from "../users/roles";
import { SESSION_IDLE_MS, SESSION_TTL_MS } from "./session-cookie";

export type SessionPrincipal = Extract<Principal, { kind: "session" }>;

const hashToken = (token: string) => crypto.createHash("sha256").update(token, "utf8").digest("hex");

/** Starts a session; the raw token goes into the cookie, only its SHA-256 into the database. */
export async function createSession(opts: { prisma: Prisma.TransactionClient; userId: string; orgId: string; ipAddress?: string; userAgent?: string; now?: Date }) {
  const now = opts.now ?? new Date();
  // Housekeeping on the way: sessions past their absolute or idle end are useless rows.
  await opts.prisma.session.deleteMany({ where: { OR: [{ expiresAt: { lte: now } }, { lastSeenAt: { lt: new Date(now.getTime() - SESSION_IDLE_MS) } }] } });
  const token = crypto.randomBytes(32).toString("base64url");
  const csrfToken = crypto.randomBytes(24).toString("base64url");
  const session = await opts.prisma.session.create({
    data: {
      id: hashToken(token),
      userId: opts.userId,
      orgId: opts.orgId,
      csrfToken,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
      ipAddress: opts.ipAddress?.slice(0, 64),
      userAgent: opts.userAgent?.slice(0, 1024),
    },
  });
  return { token, csrfToken, sessionId: session.id, expiresAt: session.expiresAt };
}

/**
 * The principal of a session cookie, or null when the token is unknown, expired, idle too long,
 * its user disabled, or the user no longer belongs to the session's org.
 */
export async function findSession(opts: { db: Database; token: string; now?: Date }): Promise<(SessionPrincipal & { csrfToken: string }) | null> {
  if (!opts.token || opts.token.length > 128) return null;
  const now = opts.now ?? new Date();
  const s = await opts.db.prisma.session.findUnique({ where: { id: hashToken(opts.token) }, include: { user: true } });
  if (!s || s.expiresAt <= now || now.getTime() - s.lastSeenAt.getTime() > SESSION_IDLE_MS || s.user.disabledAt) return null;
  const m = await opts.db.prisma.membership.findUnique({ where: { userId_orgId: { userId: s.userId, orgId: s.orgId } } });
  if (!m) return null;
  if (now.getTime() - s.lastSeenAt.getTime() > 60_000) {
    void opts.db.prisma.session.update({ where: { id: s.id }, data: { lastSeenAt: now } }).catch(() => undefined);
  }
  const role = toRole(m.role);
  return {
    kind: "session",
    sessionId: s.id,
    userId: s.userId,
    email: s.user.email,
    name: s.user.name,
    orgId: s.orgId,
    role,
    scopes: ROLE_SCOPES[role],
    csrfToken: s.csrfToken,
  };
}

/** Ends the session and writes `user.logout`, together (one transaction). */
export async function signOut(opts: { db: Database; session: SessionPrincipal }): Promise<void> {
  const { session } = opts;
  await withAuditedChange({ db: opts.db, orgId: session.orgId }, async (tx) => {
    const { count } = await tx.prisma.session.deleteMany({ where: { id: session.sessionId } });
    return {
      value: null,
      events: count ? [{ actor: principalActor(session), action: "user.logout", resource: { type: "user", id: session.userId, name: session.email } }] : [],
    };
  });
}

/** Switches the session's current org; answers 404 for an org the user does not belong to. */
export async function switchSessionOrg(opts: { db: Database; principal: SessionPrincipal; orgRef: string }) {
  const org = await opts.db.prisma.org.findFirst({
    where: { OR: [{ slug: opts.orgRef }, { id: opts.orgRef }], memberships: { some: { userId: opts.principal.userId } } },
  });
  if (!org) throw new AppError("not_found", `org "${opts.orgRef}" not found`, { field: "org" });
  await opts.db.prisma.session.update({ where: { id: opts.principal.sessionId }, data: { orgId: org.id } });
  return org;
}

/** What the dashboard shows about the signed-in person: who, which org, which role, which orgs to switch to. */
export async function describeSession(opts: { db: Database; principal: SessionPrincipal }) {
  const memberships = await opts.db.prisma.membership.findMany({ where: { userId: opts.principal.userId }, include: { org: true }, orderBy: { createdAt: "asc" } });
  const current = memberships.find((m) => m.orgId === opts.principal.orgId);
  return {
    user: { id: opts.principal.userId, email: opts.principal.email, name: opts.principal.name },
    org: current ? { id: current.org.id, slug: current.org.slug, name: current.org.name } : null,
    role: current ? toRole(current.role) : opts.principal.role,
    scopes: current ? ROLE_SCOPES[toRole(current.role)] : opts.principal.scopes,
    orgs: memberships.map((m) => ({ id: m.org.id, slug: m.org.slug, name: m.org.name, role: toRole(m.role) })),
  };
}
export type SessionView = Awaited<ReturnType<typeof describeSession>>;
