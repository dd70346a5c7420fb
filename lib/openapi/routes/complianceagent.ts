/**
 * OpenAPI registrations: the ComplianceAgent dialect's ingest, list, single entry and verify.
 * Request schemas are the ones the routes parse with; the response schemas describe what
 * app/api/_dialects/complianceagent.ts returns, and tests/integration/openapi.test.ts checks real
 * answers against them.
 */
import { z } from "zod";
import { ListQuerySchema } from "@/app/api/_dialects/complianceagent";
import { ACTOR_TYPES, EventInputSchema } from "../../audit/event-schema";
import { VerifyBodySchema, VerifyResultSchema } from "../../audit/verify-schemas";
import { registerRoute } from "../registry";

const Json = z.json();
const Actor = z.object({ type: z.enum(ACTOR_TYPES), id: z.string(), email: z.string().optional(), name: z.string().optional() });
const Resource = z.object({ type: z.string(), id: z.string(), name: z.string().optional() }).catchall(Json);
const Repository = z.object({ id: z.string(), name: z.string() });
const Changes = z.record(z.string(), z.object({ old: Json.optional(), new: Json.optional() }));

const ListEntry = z.object({
  id: z.string(),
  event_type: z.string(),
  actor: Actor,
  resource: Resource,
  repository: Repository.optional(),
  details: z.record(z.string(), Json),
  changes: Changes.optional(),
  ip_address: z.string().optional(),
  user_agent: z.string().optional(),
  timestamp: z.string(),
});

const SingleEntry = z.object({
  id: z.string(),
  event_type: z.string(),
  actor: Actor,
  resource: Resource,
  repository: Repository.optional(),
  details: z.record(z.string(), Json),
  changes: Changes.optional(),
  metadata: z.object({ ip_address: z.string().optional(), user_agent: z.string().optional(), session_id: z.string().optional(), request_id: z.string().optional() }),
  timestamp: z.string(),
  received_at: z.string(),
  seq: z.number().int(),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  previous_hash: z.string().nullable(),
});

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
      schema: z.object({ success: z.literal(true), data: z.array(ListEntry), pagination: z.object({ page: z.number().int(), limit: z.number().int(), total: z.number().int() }) }),
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
  responses: { 200: { description: "One entry.", schema: z.object({ success: z.literal(true), data: SingleEntry }) } },
  errors: [404],
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
