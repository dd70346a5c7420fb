import { acceptsGzip, gzip, GZIP_MIN_BYTES } from "./compression";
import { etagMatches, weakEtag } from "./etag";
import { rateLimitHeaders, type RateLimitState } from "./rate-limit";
import { serializedBodyOf } from "./respond";
import { applySecurityHeaders } from "./security-headers";

/**
 * What every API answer gets on its way out (apiHandler calls this): X-Request-Id, security
 * headers, rate-limit headers (and Retry-After on 429); for JSON answers to GET, a weak ETag with
 * If-None-Match → 304, and gzip when the client asks for it. Streams (exports) pass through untouched.
 */
export async function finalizeResponse(opts: {
  req: Request;
  res: Response;
  requestId: string;
  rateLimit?: RateLimitState;
}): Promise<Response> {
  const { req } = opts;
  let res = opts.res;
  const headers = new Headers(res.headers);
  headers.set("X-Request-Id", opts.requestId);
  applySecurityHeaders(headers);
  if (opts.rateLimit) {
    for (const [k, v] of Object.entries(rateLimitHeaders(opts.rateLimit))) headers.set(k, v);
    if (res.status === 429) headers.set("Retry-After", String(opts.rateLimit.resetSeconds));
  }
  const isJson = /^application\/(problem\+)?json/i.test(headers.get("Content-Type") ?? "");
  const bufferable = isJson && res.body !== null && !headers.has("Content-Encoding") && !headers.has("Content-Disposition");
  if (!bufferable) return new Response(res.body, { status: res.status, statusText: res.statusText, headers });

  let body: Uint8Array = serializedBodyOf(res) ?? new Uint8Array(await res.arrayBuffer());
  const isGet = req.method === "GET" || req.method === "HEAD";
  if (isGet && res.status === 200) {
    const etag = weakEtag(body);
    headers.set("ETag", etag);
    headers.set("Cache-Control", "private, no-cache");
    if (etagMatches(req.headers.get("If-None-Match"), etag)) {
      for (const h of ["Content-Type", "Content-Length"]) headers.delete(h);
      return new Response(null, { status: 304, headers });
    }
  }
  headers.append("Vary", "Accept-Encoding");
  if (body.byteLength >= GZIP_MIN_BYTES && !compressedByHost() && acceptsGzip(req.headers.get("Accept-Encoding"))) {
    body = gzip(body);
    headers.set("Content-Encoding", "gzip");
  }
  headers.set("Content-Length", String(body.byteLength));
  res = new Response(req.method === "HEAD" ? null : (body as BodyInit), { status: res.status, statusText: res.statusText, headers });
  return res;
}

/**
 * Inside the Next.js server a route handler's Content-Encoding header is dropped on the way out
 * (next/dist/server/send-response.js, FORBIDDEN_HEADERS) and Next gzips the answer itself: gzipping
 * here too sent browsers gzip inside gzip. There compression is left to the host; called directly
 * (tests, other hosts) the answer is gzipped here.
 */
function compressedByHost(): boolean {
  return process.env.NEXT_RUNTIME === "nodejs";
}
