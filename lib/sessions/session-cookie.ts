/**
 * The dashboard's cookies. `audit_session` carries the session secret (httpOnly, SameSite=Lax,
 * Secure behind HTTPS); `audit_csrf` carries the session's CSRF token, readable by the page's
 * script, which echoes it in the `X-CSRF-Token` header of every write (see docs/api.md "Sessions").
 */
export const SESSION_COOKIE = "audit_session";
export const CSRF_COOKIE = "audit_csrf";
export const CSRF_HEADER = "x-csrf-token";
/** Absolute lifetime of a session; it also ends after IDLE_MS without a request. */
export const SESSION_TTL_MS = 7 * 86_400_000;
export const SESSION_IDLE_MS = 12 * 3_600_000;

export function readCookie(header: string | null | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      const v = part.slice(i + 1).trim();
      try {
        return decodeURIComponent(v);
      } catch {
        return null;
      }
    }
  }
  return null;
}

export function serializeCookie(name: string, value: string, opts: { httpOnly: boolean; secure: boolean; maxAgeSeconds: number }): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    "Path=/",
    `Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`,
    "SameSite=Lax",
    opts.httpOnly ? "HttpOnly" : "",
    opts.secure ? "Secure" : "",
  ]
    .filter(Boolean)
    .join("; ");
}

/** The two Set-Cookie values that start (or, with null, end) a browser session. */
export function sessionCookies(session: { token: string; csrfToken: string } | null, secure: boolean): string[] {
  const maxAge = session ? SESSION_TTL_MS / 1000 : 0;
  return [
    serializeCookie(SESSION_COOKIE, session?.token ?? "", { httpOnly: true, secure, maxAgeSeconds: maxAge }),
    serializeCookie(CSRF_COOKIE, session?.csrfToken ?? "", { httpOnly: false, secure, maxAgeSeconds: maxAge }),
  ];
}

/** HTTPS directly or behind a proxy that says so. */
export function isSecureRequest(url: URL, forwardedProto: string | null): boolean {
  return url.protocol === "https:" || forwardedProto?.split(",")[0]?.trim() === "https";
}
