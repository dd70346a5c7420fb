import type { Actor } from "../audit/event-schema";
import { AppError } from "../errors";
import type { Scope } from "./scopes";

/** Who is calling. The org always comes from here, never from a request body. */
export type Principal =
  | { kind: "root"; scopes: readonly Scope[] }
  | { kind: "token"; tokenId: string; tokenName: string; orgId: string; scopes: readonly Scope[] }
  /** A dashboard user signed in with the session cookie, acting in the org selected in the switcher. */
  | {
      kind: "session";
      sessionId: string;
      userId: string;
      email: string;
      name: string;
      orgId: string;
      role: "admin" | "auditor" | "viewer";
      scopes: readonly Scope[];
    };

export function requireScope(p: Principal, scope: Scope): void {
  if (!p.scopes.includes(scope)) {
    throw new AppError("forbidden", `this credential lacks the "${scope}" scope`);
  }
}

/** The org an org-scoped endpoint works in. The root token has none: it bootstraps orgs and tokens. */
export function requireOrg(p: Principal): string {
  if (p.kind === "root") {
    throw new AppError("forbidden", "the root token belongs to no org: mint an org token with POST /api/v1/admin/tokens");
  }
  return p.orgId;
}

/** The actor recorded when a principal's action is itself audited. */
export function principalActor(p: Principal): Actor {
  if (p.kind === "root") return { id: "root", type: "system", name: "root token" };
  if (p.kind === "session") return { id: p.userId, type: "user", email: p.email, name: p.name };
  return { id: p.tokenId, type: "api_token", name: p.tokenName };
}
