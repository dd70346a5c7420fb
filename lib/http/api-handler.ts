import crypto from "node:crypto";
import { authenticateRequest } from "../auth/authenticate-request";
import { sessionRequestOf } from "../sessions/authenticate-session";
import { requireScope, type Principal } from "../auth/principal";
import type { Scope } from "../auth/scopes";
import { getConfig } from "../config";
import { getDatabase } from "../db/get-database";
import type { Database } from "../db/open-database";
import { withQueryBudget } from "../db/query-budget";
import { assertCleanParams } from "./check-text";
import { clientAddress } from "./client-address";
import { enforceRateLimit } from "./enforce-rate-limit";
import { finalizeResponse } from "./finalize-response";
import type { RateLimitState } from "./rate-limit";
import { errorResponse } from "./respond";

export interface ApiContext {
  req: Request;
  url: URL;
  db: Database;
  principal: Principal;
  params: Record<string, string>;
  requestId: string;
}

type RouteCtx = { params: Promise<Record<string, string | string[]>> };

/**
 * Wraps a route handler: request id, authentication, rate limit, scope check, the one error mapper,
 * and the shared response behaviour (security headers, ETag/304, gzip: lib/http/finalize-response.ts).
 * Route files stay thin: parse → call lib/ → map → respond.
 */
export function apiHandler(opts: { scope?: Scope }, handler: (ctx: ApiContext) => Promise<Response>) {
  // Every statement of the request runs under the query budget; the client going away cancels it.
  return (req: Request, routeCtx?: RouteCtx): Promise<Response> => withQueryBudget({ signal: req.signal }, async () => {
    const requestId = sanitizeRequestId(req.headers.get("x-request-id")) ?? `req_${crypto.randomBytes(8).toString("hex")}`;
    let res: Response;
    let rateLimit: RateLimitState | undefined;
    try {
      const db = await getDatabase();
      const principal = await authenticateRequest({
        db,
        authorization: req.headers.get("authorization"),
        rootToken: getConfig().AUDIT_ROOT_TOKEN,
        session: sessionRequestOf(req),
      });
      await enforceRateLimit({ sql: db.sql, principal, onState: (st) => (rateLimit = st) });
      if (opts.scope) requireScope(principal, opts.scope);
      const raw = (routeCtx?.params ? await routeCtx.params : undefined) ?? {};
      const params = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.join("/") : v]));
      const url = new URL(req.url);
      assertCleanParams({ url, params });
      res = await handler({ req, url, db, principal, params, requestId });
    } catch (e) {
      res = errorResponse(e, (e as { status?: number }).status === 401 ? { "WWW-Authenticate": 'Bearer realm="audit-trail", Basic realm="audit-trail"' } : undefined);
    }
    return finalizeResponse({ req, res, requestId, rateLimit });
  });
}

function sanitizeRequestId(v: string | null): string | null {
  return v && /^[A-Za-z0-9._:-]{1,128}$/.test(v) ? v : null;
}

/**
 * For the few endpoints that run before anyone is authenticated (dashboard sign-in, signed
 * downloads): the same request id and error mapping as apiHandler, without authentication; the rate
 * limit counts the client address (lib/http/client-address.ts) when it is known.
 */
export function publicApiHandler(handler: (ctx: Omit<ApiContext, "principal" | "params">) => Promise<Response>) {
  return (req: Request): Promise<Response> => withQueryBudget({ signal: req.signal }, async () => {
    const requestId = sanitizeRequestId(req.headers.get("x-request-id")) ?? `req_${crypto.randomBytes(8).toString("hex")}`;
    let res: Response;
    let rateLimit: RateLimitState | undefined;
    try {
      const url = new URL(req.url);
      assertCleanParams({ url });
      const db = await getDatabase();
      const ip = clientAddress(req.headers);
      if (ip) await enforceRateLimit({ sql: db.sql, principal: `ip:${ip}`, onState: (st) => (rateLimit = st) });
      res = await handler({ req, url, db, requestId });
    } catch (e) {
      res = errorResponse(e);
    }
    return finalizeResponse({ req, res, requestId, rateLimit });
  });
}
