import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import type { Principal } from "./principal";
import { SCOPES, type Scope } from "./scopes";
import { hashTokenSecret, safeEqual } from "./token-secrets";
import { authenticateSession, type SessionRequest } from "../sessions/authenticate-session";

export interface Credential {
  secret: string;
  /** Basic auth user name: must then be the token's id. */
  tokenId?: string;
}

/** Reads `Authorization: Bearer <token>` or `Basic base64(<token id>:<token>)`. */
export function readCredential(authorization: string | null): Credential | null {
  if (!authorization) return null;
  const [scheme, value] = authorization.trim().split(/\s+/, 2);
  if (!scheme || !value) return null;
  if (scheme.toLowerCase() === "bearer") return { secret: value };
  if (scheme.toLowerCase() === "basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const i = decoded.indexOf(":");
    if (i < 0) return null;
    return { tokenId: decoded.slice(0, i), secret: decoded.slice(i + 1) };
  }
  return null;
}

type TokenRow = { id: string; org_id: string; name: string; scopes: string[]; revoked_at: Date | null; expires_at: Date | null; last_used_at: Date | null };

const UNAUTHORIZED = "authentication failed: send Authorization: Bearer <token> (or Basic <token id>:<token>)";

export async function authenticateRequest(opts: {
  db: Database;
  authorization: string | null;
  rootToken?: string;
  now?: Date;
  /** The dashboard's session cookie, used when there is no Authorization header (lib/sessions). */
  session?: SessionRequest;
}): Promise<Principal> {
  if (!opts.authorization && opts.session) {
    const principal = await authenticateSession({ db: opts.db, request: opts.session, now: opts.now });
    if (principal) return principal;
  }
  const cred = readCredential(opts.authorization);
  if (!cred || !cred.secret) throw new AppError("unauthorized", UNAUTHORIZED);
  if (opts.rootToken && !cred.tokenId && safeEqual(cred.secret, opts.rootToken)) {
    return { kind: "root", scopes: SCOPES };
  }
  // Plain SQL, not Prisma: this runs on every API request, and Prisma's query compiler costs ~1 ms of
  // CPU per call here against ~0.25 ms (issue 10, load bench: a fifth of a cheap request's CPU).
  const [row] = await opts.db.sql.query<TokenRow>(
    `SELECT id, org_id, name, scopes, revoked_at, expires_at, last_used_at FROM api_tokens WHERE token_hash = $1`,
    [hashTokenSecret(cred.secret)],
  );
  const token = row && { id: row.id, orgId: row.org_id, name: row.name, scopes: row.scopes, revokedAt: row.revoked_at, expiresAt: row.expires_at, lastUsedAt: row.last_used_at };
  const now = opts.now ?? new Date();
  if (!token || (cred.tokenId !== undefined && cred.tokenId !== token.id)) throw new AppError("unauthorized", UNAUTHORIZED);
  if (token.revokedAt) throw new AppError("unauthorized", "authentication failed: this token has been revoked");
  if (token.expiresAt && token.expiresAt <= now) throw new AppError("unauthorized", "authentication failed: this token has expired");
  // Last use, at most once a minute per token, off the request's path.
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > 60_000) {
    void opts.db.prisma.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } }).catch(() => undefined);
  }
  return { kind: "token", tokenId: token.id, tokenName: token.name, orgId: token.orgId, scopes: token.scopes as Scope[] };
}
