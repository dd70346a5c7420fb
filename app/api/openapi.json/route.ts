import { publicApiHandler } from "@/lib/http/api-handler";
import { json } from "@/lib/http/respond";
import { openApiDocument } from "@/lib/openapi/openapi-document";

/**
 * OpenAPI 3.1 for every route, generated from the zod schemas (lib/openapi). Public, like the
 * documentation it is; request id, security headers, ETag and gzip as on every API answer.
 */
export const GET = publicApiHandler(async ({ url }) => json(openApiDocument({ serverUrl: url.origin })));
