import contentDisposition from "content-disposition";

/**
 * The one `Content-Disposition: attachment` header (RFC 6266, through the `content-disposition`
 * package). Control characters (CR, LF, tab…), line/paragraph separators (U+2028/9), quotes and
 * path separators never reach the header or a saved file name: they become `_`. The `filename`
 * parameter is a plain-ASCII fallback (accents dropped, anything else `_`); when the name is not
 * plain ASCII the exact name follows as `filename*` (RFC 8187, UTF-8).
 */
export function attachmentDisposition(fileName: string): string {
  const safe = fileName.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}"\\/]/gu, "_").trim() || "download";
  const ascii = safe
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[^\x20-\x7e]/g, "_");
  return contentDisposition(safe, { type: "attachment", fallback: ascii });
}
