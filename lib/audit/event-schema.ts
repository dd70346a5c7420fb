import { z } from "zod";

/**
 * The canonical event as a producer submits it (ingest). Limits are part of the contract and are
 * listed in docs/api.md. Unknown top-level fields are refused so that typos surface; `resource`
 * and `repository` accept extra attributes, `changes` and `details` any JSON.
 */
export const LIMITS = {
  eventsPerBatch: 1000,
  idLength: 256,
  shortText: 256,
  userAgent: 1024,
  email: 320,
  jsonFieldBytes: 64 * 1024,
  eventBytes: 256 * 1024,
  jsonDepth: 32,
} as const;

export const ACTOR_TYPES = ["user", "service_account", "api_token", "system"] as const;

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `at most ${max} characters`);

export const EventIdSchema = z
  .string()
  .min(1)
  .max(LIMITS.idLength)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@~+-]*$/, "letters, digits and . _ : @ ~ + - only, starting with a letter or digit");

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function depth(v: unknown, d = 0): number {
  if (d > LIMITS.jsonDepth) return d;
  if (Array.isArray(v)) return v.reduce<number>((m, x) => Math.max(m, depth(x, d + 1)), d + 1);
  if (v && typeof v === "object") return Object.values(v).reduce<number>((m, x) => Math.max(m, depth(x, d + 1)), d + 1);
  return d;
}

const boundedJson = <T extends z.ZodType>(schema: T) =>
  schema
    .refine((v) => depth(v) <= LIMITS.jsonDepth, `nested deeper than ${LIMITS.jsonDepth} levels`)
    .refine((v) => Buffer.byteLength(JSON.stringify(v) ?? "") <= LIMITS.jsonFieldBytes, `larger than ${LIMITS.jsonFieldBytes} bytes`);

const JsonValue: z.ZodType<Json> = z.json() as z.ZodType<Json>;

export const TimestampSchema = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s)), {
    message: "must be an ISO 8601 date-time with a time zone, e.g. 2024-01-15T10:30:00Z",
  });

export const ActorSchema = z
  .object({
    id: text(LIMITS.shortText),
    type: z.enum(ACTOR_TYPES, { message: `must be one of ${ACTOR_TYPES.join(", ")}` }),
    email: z.string().trim().max(LIMITS.email).email("must be an email address").optional(),
    name: text(LIMITS.shortText).optional(),
  })
  .strict();

export const ResourceSchema = z
  .object({ type: text(LIMITS.shortText), id: text(LIMITS.shortText), name: text(LIMITS.shortText).optional() })
  .catchall(JsonValue);

export const RepositorySchema = z.object({ id: text(LIMITS.shortText), name: text(LIMITS.shortText) }).strict();

export const ChangesSchema = boundedJson(
  z.record(z.string().min(1).max(LIMITS.shortText), z.object({ old: JsonValue.optional(), new: JsonValue.optional() }).strict()),
);

export const EventInputSchema = z
  .object({
    id: EventIdSchema.optional(),
    timestamp: TimestampSchema.optional(),
    actor: ActorSchema,
    action: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'dotted words, e.g. "policy.update"'),
    resource: ResourceSchema,
    repository: RepositorySchema.optional(),
    changes: ChangesSchema.optional(),
    details: boundedJson(z.record(z.string(), JsonValue)).optional(),
    ip_address: z.union([z.ipv4(), z.ipv6()], { message: "must be an IPv4 or IPv6 address" }).optional(),
    user_agent: text(LIMITS.userAgent).optional(),
    request_id: text(LIMITS.shortText).optional(),
    session_id: text(LIMITS.shortText).optional(),
  })
  .strict();

export type EventInput = z.infer<typeof EventInputSchema>;
export type Actor = z.infer<typeof ActorSchema>;

/** The stored, hashed entry: the input plus what the service adds. Key order is irrelevant (JCS). */
export interface CanonicalEvent {
  id: string;
  seq: number;
  timestamp: string;
  received_at: string;
  actor: Actor;
  action: string;
  resource: z.infer<typeof ResourceSchema>;
  repository?: { id: string; name: string };
  changes?: z.infer<typeof ChangesSchema>;
  details?: Record<string, Json>;
  ip_address?: string;
  user_agent?: string;
  request_id?: string;
  session_id?: string;
}

/** A stored entry as the domain returns it: the canonical content and its place in the chain. */
export interface StoredEvent extends CanonicalEvent {
  hash: string;
  previous_hash: string | null;
}

/** Fields the service sets; a producer sending them is told so. */
export const SERVER_FIELDS = ["org", "seq", "received_at", "hash", "previous_hash"] as const;
