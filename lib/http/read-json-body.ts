import { AppError } from "../errors";
import { inspectJsonBody } from "./check-text";

/** `application/json`, or any `application/<something>+json` (RFC 6839), in UTF-8. */
function isJsonMediaType(header: string): boolean {
  const [type = "", ...params] = header.split(";").map((s) => s.trim().toLowerCase());
  if (type !== "application/json" && !/^application\/[a-z0-9!#$&^_.-]+\+json$/.test(type)) return false;
  const charset = params.find((p) => p.startsWith("charset="))?.slice("charset=".length).replace(/^"|"$/g, "");
  return charset === undefined || charset === "utf-8";
}

const unsupported = (got: string | null) =>
  new AppError(
    "unsupported_media_type",
    got === null
      ? "content-type: the request has a body but no Content-Type header; send Content-Type: application/json"
      : `content-type: "${got.slice(0, 100)}" is not JSON; send Content-Type: application/json (UTF-8)`,
    { field: "content-type" },
  );

/**
 * The one reader of JSON request bodies. It checks, in order: the Content-Type (415 unless
 * `application/json` or `application/*+json` in UTF-8; a body without one is refused too), the
 * size (a declared Content-Length over the cap is refused before reading, an undeclared one as
 * soon as the count passes it: 413), UTF-8 (400: invalid bytes are refused, never replaced), the syntax (400), then the parsed value's depth and strings
 * (lib/http/check-text.ts: 422 naming the member). An optional body may be empty, with or without
 * a Content-Type.
 */
export async function readJsonBody(req: Request, maxBytes: number, opts: { optional?: boolean } = {}): Promise<unknown> {
  const contentType = req.headers.get("content-type");
  if (contentType !== null && !isJsonMediaType(contentType)) throw unsupported(contentType);
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  const tooLarge = () => new AppError("payload_too_large", `request body larger than ${maxBytes} bytes`, { field: "body" });
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const empty = () => {
    if (opts.optional) return undefined;
    throw new AppError("invalid_parameter", "request body is empty: send JSON", { field: "body" });
  };
  if (!req.body) return empty();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new AppError("invalid_parameter", "body: not valid UTF-8 (JSON bodies are UTF-8; nothing was decoded with replacement characters)", { field: "body" });
  }
  if (!text.trim()) return empty();
  if (contentType === null) throw unsupported(null);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (e) {
    throw new AppError("invalid_parameter", `request body is not valid JSON: ${(e as Error).message}`, { field: "body" });
  }
  inspectJsonBody(parsed);
  return parsed;
}
