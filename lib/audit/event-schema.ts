import { z } from "zod";
import type { EventInput } from "./event-fields";
import { parseIsoInstant } from "./time-bounds";

export type { EventInput } from "./event-fields";

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

/** Validated, never transformed: what is accepted is stored exactly as sent (no trimming). */
export const textField = (max: number) =>
  z
    .string()
    .max(max, `at most ${max} characters`)
    .refine((s) => s.trim() !== "", "must not be empty or only white space");

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

/**
 * RFC 3339 date-time with a zone, on a date that exists, in years 0001–9999 (lib/audit/time-bounds.ts,
 * the one strict reader). `2024-02-30T00:00:00Z` is refused, never rolled over to March.
 */
export const TimestampSchema = z.string().refine(
  (s) => {
    const p = parseIsoInstant(s);
    return !!p && p.hasTime && p.hasZone && p.separator === "T" && Date.parse(s) === p.start.getTime();
  },
  { message: "must be an ISO 8601 date-time with a time zone on a date that exists, years 0001–9999, e.g. 2024-01-15T10:30:00Z" },
);

export const ActorSchema = z
  .object({
    id: textField(LIMITS.shortText),
    type: z.enum(ACTOR_TYPES, { message: `must be one of ${ACTOR_TYPES.join(", ")}` }),
    email: z.string().max(LIMITS.email).email("must be an email address").optional(),
    name: textField(LIMITS.shortText).optional(),
  })
  .strict();

/** `resource` takes extra members of any JSON; the whole object has the depth and size limit of changes/details. */
export const ResourceSchema = boundedJson(
  z.object({ type: textField(LIMITS.shortText), id: textField(LIMITS.shortText), name: textField(LIMITS.shortText).optional() }).catchall(JsonValue),
);

export const RepositorySchema = z.object({ id: textField(LIMITS.shortText), name: textField(LIMITS.shortText) }).strict();

export const ChangesSchema = boundedJson(
  z.record(z.string().min(1).max(LIMITS.shortText), z.object({ old: JsonValue.optional(), new: JsonValue.optional() }).strict()),
);

export const ActionSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'dotted words, e.g. "policy.update"');

export const DetailsSchema = boundedJson(z.record(z.string(), JsonValue));

export const IpAddressSchema = z.union([z.ipv4(), z.ipv6()], { message: "must be an IPv4 or IPv6 address" });

// The ingest schema (EventInputSchema) is derived from the field registry: lib/audit/event-fields.ts.
export type Actor = z.infer<typeof ActorSchema>;

/**
 * The stored, hashed entry: the input (every field the registry declares, lib/audit/event-fields.ts)
 * plus what the service adds. Key order is irrelevant (JCS).
 */
export type CanonicalEvent = Omit<EventInput, "id" | "timestamp"> & {
  id: string;
  seq: number;
  timestamp: string;
  received_at: string;
};

/** A stored entry as the domain returns it: the canonical content and its place in the chain. */
export interface StoredEvent extends CanonicalEvent {
  hash: string;
  previous_hash: string | null;
}

/** Fields the service sets; a producer sending them is told so. */
export const SERVER_FIELDS = ["org", "seq", "received_at", "hash", "previous_hash"] as const;
