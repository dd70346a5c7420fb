import { z } from "zod";
import type { Database } from "../db/open-database";
import { withAuditedChange } from "../audit/audit-change";
import { AppError } from "../errors";
import { dummyPasswordHash, verifyPassword } from "../users/password";
import { createSession } from "./manage-sessions";
import { checkSignInThrottle, clearSignInFailures, recordSignInFailure, throttleKeys } from "./throttle-sign-ins";

const BAD = "email or password is wrong";

/**
 * Checks the password (scrypt, constant work whether or not the user exists), applies the failed
 * sign-in throttle, starts a session in the requested org (or the user's first) and writes
 * `user.login` (or `user.login_failed` for a known user) to that org's audit log.
 */
export async function signIn(opts: { db: Database; email: string; password: string; org?: string; ipAddress?: string; userAgent?: string; now?: Date }) {
  const { db } = opts;
  const email = opts.email.trim().toLowerCase();
  const keys = throttleKeys(email, opts.ipAddress);
  await checkSignInThrottle({ sql: db.sql, keys, now: opts.now });
  const user = await db.prisma.user.findUnique({
    where: { email },
    include: { memberships: { include: { org: true }, orderBy: { createdAt: "asc" } } },
  });
  const ok = await verifyPassword(opts.password, user?.passwordHash ?? (await dummyPasswordHash()));
  const ctx = { ...(opts.ipAddress && isIp(opts.ipAddress) && { ip_address: opts.ipAddress }), ...(opts.userAgent && { user_agent: opts.userAgent.slice(0, 1024) }) };
  if (!user || !ok || user.disabledAt || user.memberships.length === 0) {
    const org = user?.memberships[0]?.org;
    if (user && org) {
      // The throttle count and `user.login_failed` commit together.
      await withAuditedChange({ db, orgId: org.id }, async (tx) => {
        await recordSignInFailure({ sql: tx.sql, keys, now: opts.now });
        return {
          value: null,
          events: [
            { actor: { id: user.id, type: "user", email: user.email, name: user.name }, action: "user.login_failed", resource: { type: "user", id: user.id, name: user.email }, details: { reason: ok ? "disabled" : "wrong_password" }, ...ctx },
          ],
        };
      });
    } else {
      await recordSignInFailure({ sql: db.sql, keys, now: opts.now });
    }
    throw new AppError("unauthorized", BAD, { field: "password" });
  }
  const membership = opts.org ? user.memberships.find((m) => m.org.slug === opts.org || m.org.id === opts.org) : user.memberships[0];
  if (!membership) throw new AppError("not_found", `org "${opts.org}" not found`, { field: "org" });
  // The session, last_login_at, the throttle reset and `user.login` commit together.
  return withAuditedChange({ db, orgId: membership.orgId }, async (tx) => {
    await clearSignInFailures({ sql: tx.sql, keys: [`email:${email}`] });
    const session = await createSession({ prisma: tx.prisma, userId: user.id, orgId: membership.orgId, ipAddress: opts.ipAddress, userAgent: opts.userAgent, now: opts.now });
    const at = opts.now ?? new Date();
    await tx.prisma.user.update({ where: { id: user.id }, data: { lastLoginAt: at } });
    // What the org's admins see: the last sign-in into THIS org only.
    await tx.prisma.membership.update({ where: { userId_orgId: { userId: user.id, orgId: membership.orgId } }, data: { lastLoginAt: at } });
    return {
      value: session,
      events: [{ actor: { id: user.id, type: "user", email: user.email, name: user.name }, action: "user.login", resource: { type: "user", id: user.id, name: user.email }, ...ctx }],
    };
  });
}

const IpSchema = z.union([z.ipv4(), z.ipv6()]);
const isIp = (v: string) => IpSchema.safeParse(v).success;
