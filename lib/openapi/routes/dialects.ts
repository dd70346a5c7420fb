/** OpenAPI registrations: the AppSec+ and AMP dialects and full-text search (issue #3). */
import { z } from "zod";
import { AmpList, AmpListQuery } from "@/app/api/_dialects/amp";
import { AppSecEntry, AppSecList, AppSecListQuery } from "@/app/api/_dialects/appsecplus";
import { SearchQuery, SearchResponse } from "../../search/search-schemas";
import { registerRoute } from "../registry";

const IdParam = z.object({ id: z.string().describe("The entry's id.") });

registerRoute({
  method: "get",
  path: "/audit-logs",
  operationId: "appsecListAuditLogs",
  summary: "AppSec+ ListAuditLogs",
  description: "A bare JSON array of entries, newest first. More pages: `Link: <…>; rel=\"next\"` (RFC 8288) with an opaque cursor.",
  tags: ["AppSec+"],
  scope: "audit:read",
  query: AppSecListQuery,
  responses: {
    200: {
      description: "Entries in the seed's shape.",
      schema: AppSecList,
      headers: { Link: { description: 'The next page: `<url>; rel="next"`, only when more entries exist.', schema: { type: "string" } } },
    },
  },
});

registerRoute({
  method: "get",
  path: "/audit-logs/{id}",
  operationId: "appsecGetAuditLog",
  summary: "AppSec+ GetAuditLog",
  tags: ["AppSec+"],
  scope: "audit:read",
  params: IdParam,
  responses: { 200: { description: "One entry.", schema: AppSecEntry } },
  errors: [404],
});

registerRoute({
  method: "get",
  path: "/v1/audit_logs",
  operationId: "ampListAuditLogs",
  summary: "AMP GET /v1/audit_logs",
  description: "The AMP envelope with offset paging. HTTP Basic takes the token's id and the token (`curl -u id:token`); Bearer works too.",
  tags: ["AMP"],
  scope: "audit:read",
  security: ["basic", "bearer"],
  query: AmpListQuery,
  responses: { 200: { description: "The seed's envelope.", schema: AmpList } },
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
        "X-Total-Relation": { description: "`eq`: `total` is exact; `gte`: more than 10 000 entries match and `total` is 10 000.", schema: { type: "string", enum: ["eq", "gte"] } },
      },
    },
  },
});
