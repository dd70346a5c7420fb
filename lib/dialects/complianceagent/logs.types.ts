/**
 * ComplianceAgent dialect (`GET /api/v1/audit/logs`, `GET /api/v1/audit/logs/{id}`): request and
 * response schemas. The routes parse with ListQuerySchema; logs.ts maps the canonical entry to
 * ListEntry / SingleEntry (typed from them); register-openapi.ts documents them;
 * tests/integration/openapi.test.ts checks real answers against them.
 */
import { z } from "zod";
import { ACTOR_TYPES } from "../../audit/event-schema";
import { intParam } from "../../http/query-params";

export const ListQuerySchema = z.object({
  repository_id: z.string().min(1).max(256).optional(),
  event_type: z.string().min(1).max(512).optional(),
  actor: z.string().min(1).max(320).optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  page: intParam("page", 1, 1_000_000).default(1),
  limit: intParam("limit", 1, 1000).default(50),
});
export type ListQuery = z.infer<typeof ListQuerySchema>;

const Json = z.json();
const Actor = z.object({ type: z.enum(ACTOR_TYPES), id: z.string(), email: z.string().optional(), name: z.string().optional() });
const Resource = z.object({ type: z.string(), id: z.string(), name: z.string().optional() }).catchall(Json);
const Repository = z.object({ id: z.string(), name: z.string() });
const Changes = z.record(z.string(), z.object({ old: Json.optional(), new: Json.optional() }));

/** What a list entry and a single entry share, in the seed's key order. */
const EntryBase = z.object({
  id: z.string(),
  event_type: z.string(),
  actor: Actor,
  resource: Resource,
  repository: Repository.optional(),
  details: z.record(z.string(), Json),
  changes: Changes.optional(),
});
export type EntryBase = z.infer<typeof EntryBase>;

export const ListEntry = EntryBase.extend({
  ip_address: z.string().optional(),
  user_agent: z.string().optional(),
  timestamp: z.string(),
});

export const SingleEntry = EntryBase.extend({
  metadata: z.object({ ip_address: z.string().optional(), user_agent: z.string().optional(), session_id: z.string().optional(), request_id: z.string().optional() }),
  timestamp: z.string(),
  received_at: z.string(),
  seq: z.number().int(),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  previous_hash: z.string().nullable(),
});
export type ListEntry = z.infer<typeof ListEntry>;
export type SingleEntry = z.infer<typeof SingleEntry>;

export const ListResponse = z.object({ success: z.literal(true), data: z.array(ListEntry), pagination: z.object({ page: z.number().int(), limit: z.number().int(), total: z.number().int() }) });
export const SingleResponse = z.object({ success: z.literal(true), data: SingleEntry });
