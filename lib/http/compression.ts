import zlib from "node:zlib";

/** Bodies smaller than this are sent as they are: gzip would not pay for itself. */
export const GZIP_MIN_BYTES = 1024;

/** True when the client accepts gzip (Accept-Encoding lists gzip or * without q=0). */
export function acceptsGzip(acceptEncoding: string | null): boolean {
  if (!acceptEncoding) return false;
  return acceptEncoding.split(",").some((part) => {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (name !== "gzip" && name !== "x-gzip" && name !== "*") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return !q || Number(q.slice(2)) > 0;
  });
}

export function gzip(body: Uint8Array): Uint8Array {
  return zlib.gzipSync(body, { level: 6 });
}
