/**
 * Security headers on every answer (the AMP seed's set), plus a Content-Security-Policy on pages.
 * API answers are JSON and never framed or sniffed; pages get a CSP that allows only this origin.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
  "X-Frame-Options": "SAMEORIGIN",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Permitted-Cross-Domain-Policies": "none",
  "X-Download-Options": "noopen",
};

/** For pages. Next.js inlines its bootstrap scripts and styles, hence 'unsafe-inline' for those. */
export function pageContentSecurityPolicy(opts: { dev?: boolean } = {}): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${opts.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${opts.dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join("; ");
}

export function applySecurityHeaders(headers: Headers, opts: { page?: boolean; dev?: boolean } = {}): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!headers.has(k)) headers.set(k, v);
  if (opts.page && !headers.has("Content-Security-Policy")) headers.set("Content-Security-Policy", pageContentSecurityPolicy(opts));
}
