/**
 * OpenAPI registrations: the ComplianceAgent dialect's ingest and verify. Request schemas are the
 * ones the routes parse with; tests/integration/openapi.test.ts checks real answers against the
 * response schemas. The list and single entry live with their mapper in lib/dialects/complianceagent/.
 */
import { z } from "zod";
import { EventInputSchema } from "../../audit/event-fields";
import { VerifyBodySchema, VerifyResultSchema } from "../../audit/verify-schemas";
import { registerRoute } from "../registry";

const IngestBody = z.union([EventInputSchema, z.object({ events: z.array(EventInputSchema).min(1).max(1000) }).strict()]);
const IngestResponse = z.object({
  success: z.literal(true),
  data: z.object({
    accepted: z.number().int(),
    duplicates: z.number().int(),
    events: z.array(z.object({ id: z.string(), seq: z.number().int(), hash: z.string(), status: z.enum(["created", "duplicate"]) })),
  }),
});

const VerifyResponse = z.object({ success: z.literal(true), data: VerifyResultSchema });

registerRoute({
  method: "post",
  path: "/api/v1/audit/logs",
  operationId: "ingestAuditLogs",
  summary: "Ingest one event or a batch of 1 to 1000",
  description: "Answers after the events are durable. An id seen before with the same content is a duplicate (200); with other content, 409.",
  tags: ["ComplianceAgent", "Ingest"],
  scope: "audit:write",
  body: IngestBody,
  responses: { 200: { description: "Only duplicates.", schema: IngestResponse }, 201: { description: "Created.", schema: IngestResponse } },
  errors: [409, 413, 415, 422],
});

registerRoute({
  method: "post",
  path: "/api/v1/audit/verify",
  operationId: "verifyAuditLogs",
  summary: "ComplianceAgent Verify Audit Log Integrity",
  description: "Recomputes hashes and links in the range, and over the whole log: every copied query column, the Merkle tree against every signed checkpoint, truncation, rollback, uncovered entries, unsigned retention cuts (docs/integrity.md). Recorded as an `integrity.verified` audit event. The body is optional.",
  tags: ["ComplianceAgent"],
  scope: "audit:read",
  body: VerifyBodySchema,
  responses: { 200: { description: "The verification report.", schema: VerifyResponse } },
});
