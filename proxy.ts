import { NextResponse, type NextRequest } from "next/server";
import { applySecurityHeaders } from "./lib/http/security-headers";

const API_PATH = /^\/(?:api|audit-logs|v1)(?:\/|$)/;

/** A path whose percent-escapes do not decode as UTF-8 (`/audit-logs/%FF`, `/x/%E0%A4%A`, `/x/%`). */
function undecodable(pathname: string): boolean {
  if (!pathname.includes("%")) return false;
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    return true;
  }
}

/**
 * Runs before routing. (1) A path that is not valid percent-encoded UTF-8 is answered here: Next.js
 * cannot decode such a dynamic segment and would answer a plain-text 500, so API paths get the
 * service's JSON 400 naming `path`, pages a plain 400. (2) Pages get the same security headers as
 * the API (lib/http/security-headers.ts) plus a Content-Security-Policy; API routes set theirs in
 * apiHandler, and the matcher sends them here only when their path holds a `%`.
 */
export function proxy(req: NextRequest): NextResponse {
  const { pathname } = req.nextUrl;
  const api = API_PATH.test(pathname);
  if (undecodable(pathname)) {
    const message = "path: not valid percent-encoded UTF-8 (escape each byte of the UTF-8 encoding, e.g. é as %C3%A9)";
    const res = api
      ? NextResponse.json({ success: false, error: { code: "invalid_parameter", message, field: "path" } }, { status: 400, headers: { "Cache-Control": "no-store" } })
      : new NextResponse(`Bad Request: ${message}\n`, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    applySecurityHeaders(res.headers, { page: !api, dev: process.env.NODE_ENV === "development" });
    return res;
  }
  const res = NextResponse.next();
  if (!api) applySecurityHeaders(res.headers, { page: true, dev: process.env.NODE_ENV === "development" });
  return res;
}

export const config = {
  matcher: [
    "/((?!api/|audit-logs|v1/|_next/static|_next/image|icon.svg|favicon.ico).*)",
    // API paths only when they hold a percent-escape (the check above); others skip the proxy.
    "/((?:api|audit-logs|v1)(?:/.*)?%.*)",
  ],
};
