import { NextResponse } from "next/server";
import { applySecurityHeaders } from "./lib/http/security-headers";

/**
 * Pages get the same security headers as the API (lib/http/security-headers.ts) plus a
 * Content-Security-Policy. API routes set theirs in apiHandler, so they are not matched here.
 */
export function proxy(): NextResponse {
  const res = NextResponse.next();
  applySecurityHeaders(res.headers, { page: true, dev: process.env.NODE_ENV === "development" });
  return res;
}

export const config = {
  matcher: ["/((?!api/|audit-logs|v1/|_next/static|_next/image|icon.svg|favicon.ico).*)"],
};
