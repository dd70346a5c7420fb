import { AppError } from "../errors";

/**
 * Reads a JSON body with a size cap: a declared Content-Length over the cap is refused before
 * reading; an undeclared one is counted while streaming and refused as soon as it passes the cap.
 */
export async function readJsonBody(req: Request, maxBytes: number, opts: { optional?: boolean } = {}): Promise<unknown> {
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
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text.trim()) return empty();
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new AppError("invalid_parameter", `request body is not valid JSON: ${(e as Error).message}`, { field: "body" });
  }
}
