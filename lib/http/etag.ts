import crypto from "node:crypto";

/** A weak validator over the body, shaped like the AMP seed's `W/"<32 hex>"`. */
export function weakEtag(body: Uint8Array): string {
  return `W/"${crypto.createHash("md5").update(body).digest("hex")}"`;
}

/** RFC 9110 If-None-Match with weak comparison: `*`, or any listed tag equal ignoring `W/`. */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = etag.replace(/^W\//, "");
  return ifNoneMatch.split(",").some((t) => {
    const v = t.trim();
    return v === "*" || v.replace(/^W\//, "") === bare;
  });
}
