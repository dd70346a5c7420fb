import type { Actor } from "../audit/event-schema";
import { formatTimestamp } from "../audit/format-timestamp";
import { withAuditedChange } from "../audit/audit-change";
import type { Database } from "../db/open-database";
import type { ApiToken } from "../db/generated/client";
import { AppError } from "../errors";
import type { Scope } from "./scopes";
import type { TokenView } from "./token-schemas";
import { generateTokenId, generateTokenSecret, hashTokenSecret } from "./token-secrets";

const ts = (d: Date | null) => (d ? formatTimestamp(d) : null);

export const toTokenView = (t: ApiToken, orgSlug: string): TokenView => ({
  id: t.id,
  name: t.name,
  org: orgSlug,
  prefix: t.prefix,
  scopes: t.scopes as Scope[],
  created_at: formatTimestamp(t.createdAt),
  expires_at: ts(t.expiresAt),
  revoked_at: ts(t.revokedAt),
  last_used_at: ts(t.lastUsedAt),
});

/** Mints a token. The secret is returned once, here; only its SHA-256 is stored. */
export async function createToken(opts: {
  db: Database;
  org: { id: string; slug: string };
  name: string;
  scopes: Scope[];
  expiresAt?: Date;
  actor: Actor;
}): Promise<TokenView & { token: string }> {
  if (opts.expiresAt && opts.expiresAt.getTime() <= Date.now()) {
    throw new AppError("validation_failed", "expires_at: must be in the future", { field: "expires_at" });
  }
  const secret = generateTokenSecret();
  const token = await withAuditedChange({ db: opts.db, orgId: opts.org.id }, async (tx) => {
    const token = await tx.prisma.apiToken.create({
      data: {
        id: generateTokenId(),
        orgId: opts.org.id,
        name: opts.name,
        tokenHash: hashTokenSecret(secret),
        prefix: secret.slice(0, 12),
        scopes: [...new Set(opts.scopes)],
        expiresAt: opts.expiresAt ?? null,
        createdBy: opts.actor.id,
      },
    });
    return {
      value: token,
      events: [
        {
          actor: opts.actor,
          action: "token.created",
          resource: { type: "api_token", id: token.id, name: token.name },
          details: { scopes: token.scopes, expires_at: ts(token.expiresAt) },
        },
      ],
    };
  });
  return { ...toTokenView(token, opts.org.slug), token: secret };
}

export async function listTokens(opts: { db: Database; org: { id: string; slug: string } }): Promise<TokenView[]> {
  const tokens = await opts.db.prisma.apiToken.findMany({ where: { orgId: opts.org.id }, orderBy: { createdAt: "desc" } });
  return tokens.map((t) => toTokenView(t, opts.org.slug));
}

/** Revokes a token of the org (idempotent). Another org's token answers 404 like a missing one. */
export async function revokeToken(opts: { db: Database; orgId?: string; tokenId: string; actor: Actor }): Promise<TokenView> {
  const token = await opts.db.prisma.apiToken.findUnique({ where: { id: opts.tokenId }, include: { org: true } });
  if (!token || (opts.orgId && token.orgId !== opts.orgId)) throw new AppError("not_found", `token "${opts.tokenId}" not found`);
  if (token.revokedAt) return toTokenView(token, token.org.slug);
  const updated = await withAuditedChange({ db: opts.db, orgId: token.orgId }, async (tx) => {
    // Only the revocation that flips revoked_at writes the record (two concurrent revokes: one event).
    const { count } = await tx.prisma.apiToken.updateMany({ where: { id: token.id, revokedAt: null }, data: { revokedAt: new Date() } });
    const row = await tx.prisma.apiToken.findUniqueOrThrow({ where: { id: token.id } });
    return {
      value: row,
      events: count ? [{ actor: opts.actor, action: "token.revoked", resource: { type: "api_token", id: token.id, name: token.name } }] : [],
    };
  });
  return toTokenView(updated, token.org.slug);
}
