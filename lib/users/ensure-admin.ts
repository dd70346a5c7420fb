import crypto from "node:crypto";
import type { Actor } from "../audit/event-schema";
import type { Database } from "../db/open-database";
import { ensureOrg } from "../orgs/create-org";
import { ensureUser } from "./ensure-user";
import { EmailSchema, PasswordSchema } from "./user-schemas";

/** AUDIT_ADMIN_EMAIL + AUDIT_ADMIN_PASSWORD: an admin of AUDIT_ADMIN_ORG (created if missing). */
export async function ensureAdmin(opts: { db: Database; email: string; password: string | undefined; orgSlug: string; actor: Actor }) {
  const email = EmailSchema.safeParse(opts.email);
  if (!email.success) throw new Error(`AUDIT_ADMIN_EMAIL: ${email.error.issues[0]?.message}`);
  if (!opts.password) throw new Error("AUDIT_ADMIN_PASSWORD must be set together with AUDIT_ADMIN_EMAIL");
  const pw = PasswordSchema.safeParse(opts.password);
  if (!pw.success) throw new Error(`AUDIT_ADMIN_PASSWORD: ${pw.error.issues[0]?.message}`);
  const { org } = await ensureOrg({ db: opts.db, slug: opts.orgSlug, actor: opts.actor });
  const { user, created } = await ensureUser({ db: opts.db, orgId: org.id, email: email.data, name: "Administrator", password: opts.password, role: "admin", actor: opts.actor });
  return { email: user.email, created };
}

export const DEMO_ADMIN_EMAIL = "admin@acme.example";

/** With demo data and no configured admin: a demo admin with a fresh random password, printed once. */
export async function ensureDemoAdmin(opts: { db: Database; orgSlug: string; actor: Actor }) {
  const password = crypto.randomBytes(12).toString("base64url");
  const { org } = await ensureOrg({ db: opts.db, slug: opts.orgSlug, actor: opts.actor });
  await ensureUser({ db: opts.db, orgId: org.id, email: DEMO_ADMIN_EMAIL, name: "Demo Admin", password, role: "admin", actor: opts.actor });
  return { email: DEMO_ADMIN_EMAIL, password };
}
