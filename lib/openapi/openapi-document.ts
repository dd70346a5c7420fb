import "./routes";
import { buildOpenApiDocument } from "./registry";

/** The OpenAPI 3.1 document of every registered route (GET /api/openapi.json). */
export function openApiDocument(opts: { serverUrl?: string } = {}): Record<string, unknown> {
  return buildOpenApiDocument({ serverUrl: opts.serverUrl, version: "1.0.0" });
}
