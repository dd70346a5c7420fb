/** OpenAPI registrations: health and the admin API (orgs, tokens). */
import { z } from "zod";
import { CreateTokenInputSchema } from "../../auth/token-schemas";
import { SCOPES } from "../../auth/scopes";
import { CreateOrgInputSchema } from "../../orgs/org-schemas";
import { HealthReportSchema } from "../../service/check-health";
import { registerRoute } from "../registry";

const OrgView = z.object({ id: z.string(), slug: z.string(), name: z.string(), created_at: z.string() });
const TokenView = z.object({
  id: z.string(),
  name: z.string(),
  org: z.string(),
  prefix: z.string(),
  scopes: z.array(z.enum(SCOPES)),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
});

registerRoute({
  method: "get",
  path: "/api/health",
  operationId: "health",
  summary: "200 when the database reads and writes (read and write probes with a short timeout); 503 with the reason otherwise",
  tags: ["Service"],
  scope: null,
  responses: {
    200: { description: "Healthy: reads and writes work.", schema: HealthReportSchema },
    503: { description: "`degraded` (reads work, writes fail: e.g. disk full) or `down` (no reads); `message` says what is wrong. `Retry-After` set.", schema: HealthReportSchema },
  },
});

registerRoute({
  method: "get",
  path: "/api/openapi.json",
  operationId: "openapiDocument",
  summary: "This OpenAPI 3.1 document, generated from the zod schemas",
  tags: ["Service"],
  scope: null,
  responses: { 200: { description: "The document.", schema: z.object({ openapi: z.literal("3.1.0") }).catchall(z.unknown()) } },
});

registerRoute({
  method: "post",
  path: "/api/v1/admin/orgs",
  operationId: "createOrg",
  summary: "Create an org (root token)",
  tags: ["Admin"],
  scope: "admin",
  body: CreateOrgInputSchema,
  responses: { 201: { description: "Created.", schema: OrgView } },
  errors: [409, 422],
});

registerRoute({
  method: "get",
  path: "/api/v1/admin/orgs",
  operationId: "listOrgs",
  summary: "Orgs the credential may see",
  tags: ["Admin"],
  scope: "admin",
  responses: { 200: { description: "Orgs.", schema: z.object({ data: z.array(OrgView) }) } },
});

registerRoute({
  method: "post",
  path: "/api/v1/admin/tokens",
  operationId: "createToken",
  summary: "Mint a token (the secret is shown once)",
  tags: ["Admin"],
  scope: "admin",
  body: CreateTokenInputSchema,
  responses: { 201: { description: "The token, with its secret.", schema: TokenView.extend({ token: z.string() }) } },
  errors: [404, 422],
});

registerRoute({
  method: "get",
  path: "/api/v1/admin/tokens",
  operationId: "listTokens",
  summary: "An org's tokens (never their secrets); root passes ?org=<slug>",
  tags: ["Admin"],
  scope: "admin",
  query: z.object({ org: z.string().optional().describe("Org slug or id (root token only).") }),
  responses: { 200: { description: "Tokens.", schema: z.object({ data: z.array(TokenView) }) } },
  errors: [404],
});

registerRoute({
  method: "delete",
  path: "/api/v1/admin/tokens/{id}",
  operationId: "revokeToken",
  summary: "Revoke a token (idempotent)",
  tags: ["Admin"],
  scope: "admin",
  params: z.object({ id: z.string() }),
  responses: { 200: { description: "The revoked token.", schema: TokenView } },
  errors: [404],
});
