/** OpenAPI registration of the AMP list (schemas: audit-logs.types.ts). */
import { registerRoute } from "../../openapi/registry";
import { AmpList, AmpListQuery } from "./audit-logs.types";

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
