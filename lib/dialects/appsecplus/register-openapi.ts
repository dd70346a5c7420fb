/** OpenAPI registrations of the AppSec+ list and single entry (schemas: audit-logs.types.ts). */
import { z } from "zod";
import { registerRoute } from "../../openapi/registry";
import { AppSecEntry, AppSecList, AppSecListQuery } from "./audit-logs.types";

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
