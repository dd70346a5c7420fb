/** OpenAPI registrations of the ComplianceAgent list, single entry and search (schemas: logs.types.ts, lib/search/search-schemas.ts). */
import { z } from "zod";
import { registerRoute } from "../../openapi/registry";
import { SearchQuery, SearchResponse } from "../../search/search-schemas";
import { ListQuerySchema, ListResponse, SingleResponse } from "./logs.types";

registerRoute({
  method: "get",
  path: "/api/v1/audit/logs",
  operationId: "listAuditLogs",
  summary: "ComplianceAgent Get Audit Logs",
  tags: ["ComplianceAgent"],
  scope: "audit:read",
  query: ListQuerySchema,
  responses: {
    200: {
      description: "Newest first, page/limit, exact total.",
      schema: ListResponse,
    },
  },
});

registerRoute({
  method: "get",
  path: "/api/v1/audit/logs/{id}",
  operationId: "getAuditLog",
  summary: "ComplianceAgent Get Single Log Entry (with its chain fields)",
  tags: ["ComplianceAgent"],
  scope: "audit:read",
  params: z.object({ id: z.string() }),
  responses: { 200: { description: "One entry.", schema: SingleResponse } },
  errors: [404],
});

registerRoute({
  method: "get",
  path: "/api/v1/audit/search",
  operationId: "searchAuditLogs",
  summary: "ComplianceAgent Search Audit Logs (full-text)",
  description: "PostgreSQL full-text search, ranked; `highlight` is HTML-escaped with <em>…</em> around hits.",
  tags: ["ComplianceAgent"],
  scope: "audit:read",
  query: SearchQuery,
  responses: {
    200: {
      description: "Ranked results and the total number of matches.",
      schema: SearchResponse,
      headers: {
        "X-Total-Relation": { description: "`eq`: `total` is exact; `gte`: more than 1 000 entries match and `total` is 1 000.", schema: { type: "string", enum: ["eq", "gte"] } },
      },
    },
  },
});
