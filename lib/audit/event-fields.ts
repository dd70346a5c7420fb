import { z } from "zod";
import type { SqlParam } from "../db/sql";
import {
  ACTOR_TYPES,
  ActorSchema,
  ChangesSchema,
  DetailsSchema,
  EventIdSchema,
  LIMITS,
  RepositorySchema,
  ResourceSchema,
  TimestampSchema,
  ActionSchema,
  IpAddressSchema,
  textField,
} from "./event-schema";

/**
 * THE event-field registry (issue 12): every field of the canonical event declared once, with
 *
 * - `input`    its ingest schema (top-level fields a producer sends; server-set fields have none),
 * - `column`   the copied column of audit_events that holds it (copied at ingest, indexed, attested),
 * - `query`    its key(s) in the query language (explorer, log exports' `q`) and how a value matches,
 * - `csv`      its column in CSV exports,
 * - `search`   its weight in the full-text document (audit_search_vector(): A actor, B changes and
 *              details, C the rest; tests/unit/event-fields.test.ts checks the SQL agrees),
 * - `explorer` its column in the explorer's table.
 *
 * Derived from it: the ingest schema (EventInputSchema), the stored content, the copied columns of
 * the INSERT (lib/audit/append-events.ts), their attestation and verification (attest-columns.ts,
 * verify-chain.ts), the filter → SQL builder (lib/audit/filter-tree.ts), the query language's keys,
 * hints and autocomplete (parse-explorer-query.ts), CSV columns (lib/exports/format-entries.ts), the
 * explorer's columns and facets. Adding a field is one entry here, a migration for its column (if
 * copied), the demo data and the docs.
 *
 * Order matters: it is the CSV column order and the explorer's column order.
 */

/** How a query-language value matches a field (lib/audit/filter-tree.ts turns each into SQL). */
export type MatchKind =
  /** exact value, `*` anywhere as a wildcard (`action:*.failed`). */
  | "pattern"
  /** one of `values` (an enum). */
  | "enum"
  /** an IP address or a CIDR block (`ip:10.0.0.0/8`). */
  | "ip"
  /** exact (case-insensitive) text or `*` wildcards, found through the search index and re-checked. */
  | "phrase"
  /** exact, found through the search index and re-checked (ids the index holds as words). */
  | "indexed_exact"
  /** the key of a changed field (`changed:severity`). */
  | "changed_key"
  /** either of two fields equals the value (`actor:` id or email, `repo:` id or name). */
  | "either"
  /** a time range (`created:>2025-01-01`). */
  | "time";

export interface QuerySpec {
  /** The key and its aliases; the first is the one documented and suggested. */
  keys: readonly string[];
  hint: string;
  match: MatchKind;
  values?: readonly string[];
  /** `either`: the two fields (registry names). */
  of?: readonly [string, string];
}

export interface ColumnSpec {
  name: string;
  type: "text" | "bigint" | "timestamptz";
  /** How verify compares the column with the content (text by default). */
  compare?: "text" | "bigint" | "timestamp";
  /**
   * Added after the v2 column-attestation format: a row's column hash includes it only when it is
   * not NULL, so attestations signed before it existed stay valid (lib/audit/attest-columns.ts).
   */
  late?: boolean;
  /** Has an index leading with (org_id, column): equality is served by it. */
  indexed?: boolean;
}

export interface FieldSpec {
  /** Path in the canonical content (`["actor", "email"]`). */
  path: readonly string[];
  label: string;
  input?: z.ZodType;
  column?: ColumnSpec;
  /** An index on an expression of the content serves this field (SQL of the expression, alias `e`). */
  indexedExpression?: string;
  /**
   * A partial index (org_id, timestamp, seq) holds the entries that have this field: its predicate
   * (SQL, alias `e`, written exactly as in the index so the planner proves it). `has:<field>` and
   * conditions on its members carry it, so the newest matches are walked in that index instead of
   * parsing the content of every entry (prisma/steps/query_language_presence_index.sql).
   */
  presenceIndex?: string;
  query?: QuerySpec;
  csv?: string;
  search?: "A" | "B" | "C";
  explorer?: { id: string; label: string; hidden?: boolean };
  /** The explorer's facet (value counts) for this field, under this name in the facets answer. */
  facet?: string;
}

const field = <const T extends FieldSpec>(f: T): T => f;

export const OUTCOMES = ["success", "failure", "denied"] as const;

export const EVENT_FIELDS = {
  id: field({
    path: ["id"],
    label: "Id",
    input: EventIdSchema.optional(),
    column: { name: "id", type: "text" },
    csv: "id",
    search: "C",
    query: { keys: ["id"], hint: "entry id", match: "indexed_exact" },
  }),
  timestamp: field({
    path: ["timestamp"],
    label: "Time",
    input: TimestampSchema.optional(),
    column: { name: "timestamp", type: "timestamptz", compare: "timestamp", indexed: true },
    csv: "timestamp",
    explorer: { id: "timestamp", label: "Time" },
    query: { keys: ["created", "time", "timestamp"], hint: "time: >2025-01-01, <=2025-02-01T12:00, 2025-01-01..2025-01-31 (with the time range: the narrower wins)", match: "time" },
  }),
  received_at: field({ path: ["received_at"], label: "Received", column: { name: "received_at", type: "timestamptz", compare: "timestamp" } }),
  actor: field({
    path: ["actor"],
    label: "Actor",
    input: ActorSchema,
    explorer: { id: "actor", label: "Actor" },
    facet: "actors",
    query: { keys: ["actor", "user"], hint: "actor id or email", match: "either", of: ["actor.id", "actor.email"] },
  }),
  "actor.id": field({ path: ["actor", "id"], label: "Actor id", column: { name: "actor_id", type: "text", indexed: true }, csv: "actor_id", search: "A" }),
  "actor.type": field({
    path: ["actor", "type"],
    label: "Actor type",
    column: { name: "actor_type", type: "text", indexed: true },
    csv: "actor_type",
    query: { keys: ["actor_type"], hint: `actor type: ${ACTOR_TYPES.join(", ")}`, match: "enum", values: ACTOR_TYPES },
  }),
  "actor.email": field({ path: ["actor", "email"], label: "Actor email", column: { name: "actor_email", type: "text", indexed: true }, csv: "actor_email", search: "A" }),
  "actor.name": field({ path: ["actor", "name"], label: "Actor name", csv: "actor_name", search: "A" }),
  action: field({
    path: ["action"],
    label: "Action",
    input: ActionSchema,
    column: { name: "action", type: "text", indexed: true },
    csv: "action",
    search: "C",
    explorer: { id: "action", label: "Action" },
    facet: "actions",
    query: { keys: ["action", "event"], hint: "action name; * anywhere: policy.*, *.failed, user.*.update", match: "pattern" },
  }),
  outcome: field({
    path: ["outcome"],
    label: "Outcome",
    input: z.enum(OUTCOMES, { message: `must be one of ${OUTCOMES.join(", ")}` }).optional(),
    column: { name: "outcome", type: "text", late: true, indexed: true },
    csv: "outcome",
    explorer: { id: "outcome", label: "Outcome" },
    facet: "outcomes",
    query: { keys: ["outcome"], hint: `what came of the action: ${OUTCOMES.join(", ")} (absent: not stated)`, match: "enum", values: OUTCOMES },
  }),
  resource: field({ path: ["resource"], label: "Resource", input: ResourceSchema, explorer: { id: "resource", label: "Resource" } }),
  "resource.type": field({
    path: ["resource", "type"],
    label: "Resource type",
    column: { name: "resource_type", type: "text", indexed: true },
    csv: "resource_type",
    search: "C",
    facet: "resource_types",
    query: { keys: ["resource", "type", "resource_type"], hint: "resource TYPE (e.g. policy), or type/id — for a name use resource_name:", match: "pattern" },
  }),
  "resource.id": field({
    path: ["resource", "id"],
    label: "Resource id",
    column: { name: "resource_id", type: "text" },
    csv: "resource_id",
    search: "C",
    query: { keys: ["resource_id"], hint: "resource id", match: "indexed_exact" },
  }),
  "resource.name": field({
    path: ["resource", "name"],
    label: "Resource name",
    // Matched case-insensitively: the index holds the lower-cased name (exact names use it; its
    // statistics tell the planner how many entries a wildcard keeps).
    indexedExpression: "lower((e.content::jsonb #>> '{resource,name}'))",
    csv: "resource_name",
    search: "C",
    query: { keys: ["resource_name", "name"], hint: 'resource name, e.g. resource_name:"Block Critical Vulns" (case-insensitive, * wildcards)', match: "phrase" },
  }),
  repository: field({
    path: ["repository"],
    label: "Repository",
    input: RepositorySchema.optional(),
    explorer: { id: "repository", label: "Repository" },
    facet: "repositories",
    query: { keys: ["repo", "repository"], hint: "repository name or id (* wildcards)", match: "either", of: ["repository.id", "repository.name"] },
  }),
  "repository.id": field({ path: ["repository", "id"], label: "Repository id", column: { name: "repository_id", type: "text", indexed: true }, csv: "repository_id", search: "C" }),
  "repository.name": field({ path: ["repository", "name"], label: "Repository name", column: { name: "repository_name", type: "text" }, csv: "repository_name", search: "C" }),
  ip_address: field({
    path: ["ip_address"],
    label: "IP address",
    input: IpAddressSchema.optional(),
    indexedExpression: "((e.content::jsonb ->> 'ip_address')::inet)",
    csv: "ip_address",
    search: "C",
    explorer: { id: "ip_address", label: "IP address", hidden: true },
    query: { keys: ["ip"], hint: "IP address or CIDR block: ip:10.0.0.0/8", match: "ip" },
  }),
  user_agent: field({ path: ["user_agent"], label: "User agent", input: textField(LIMITS.userAgent).optional(), csv: "user_agent", search: "C" }),
  request_id: field({
    path: ["request_id"],
    label: "Request id",
    input: textField(LIMITS.shortText).optional(),
    csv: "request_id",
    search: "C",
    explorer: { id: "request_id", label: "Request id", hidden: true },
    query: { keys: ["request"], hint: "request id", match: "indexed_exact" },
  }),
  session_id: field({
    path: ["session_id"],
    label: "Session id",
    input: textField(LIMITS.shortText).optional(),
    csv: "session_id",
    search: "C",
    query: { keys: ["session"], hint: "session id", match: "indexed_exact" },
  }),
  changes: field({
    path: ["changes"],
    label: "Changes",
    input: ChangesSchema.optional(),
    presenceIndex: "(e.content::jsonb ? 'changes')",
    csv: "changes",
    search: "B",
    query: { keys: ["changed"], hint: "a field the change touched: changed:severity", match: "changed_key" },
  }),
  details: field({ path: ["details"], label: "Details", input: DetailsSchema.optional(), csv: "details", search: "B" }),
  /** Compliance framework of scans and fixes (history, SOC 2 evidence): a member of `details`. */
  "details.framework": field({ path: ["details", "framework"], label: "Framework" }),
  seq: field({ path: ["seq"], label: "Seq", column: { name: "seq", type: "bigint", compare: "bigint" }, csv: "seq" }),
} as const;

export type EventFieldName = keyof typeof EVENT_FIELDS;
type Fields = typeof EVENT_FIELDS;

export const FIELD_NAMES = Object.keys(EVENT_FIELDS) as EventFieldName[];
const specOf = (name: EventFieldName): FieldSpec => EVENT_FIELDS[name];

// --- ingest ------------------------------------------------------------------------------------

type InputShape = { [K in keyof Fields as Fields[K] extends { input: z.ZodType } ? K : never]: Fields[K] extends { input: infer S } ? S : never };

const inputShape = Object.fromEntries(FIELD_NAMES.flatMap((n) => (specOf(n).input ? [[n, specOf(n).input]] : []))) as InputShape;

/** The canonical event as a producer submits it: every registry field with an `input`. Unknown fields are refused. */
export const EventInputSchema = z.object(inputShape).strict();
export type EventInput = z.infer<typeof EventInputSchema>;

/** Top-level fields a producer may send, besides `id` and `timestamp` (which the service completes). */
const CONTENT_INPUT_FIELDS = FIELD_NAMES.filter((n) => specOf(n).input && n !== "id" && n !== "timestamp") as (keyof EventInput)[];

/** The stored content's producer fields: every input field the event has (absent ones are not stored). */
export function contentFields(input: EventInput): Partial<EventInput> {
  const out: Record<string, unknown> = {};
  for (const k of CONTENT_INPUT_FIELDS) if (input[k] !== undefined) out[k] = input[k];
  return out as Partial<EventInput>;
}

// --- copied columns -----------------------------------------------------------------------------

export interface CopiedColumn extends ColumnSpec {
  field: EventFieldName;
  path: readonly string[];
}

/** The copied columns, in registry order (`late` ones after the rest). */
export const COPIED_COLUMNS: readonly CopiedColumn[] = FIELD_NAMES.flatMap((n) => {
  const s = specOf(n);
  return s.column ? [{ ...s.column, field: n, path: s.path }] : [];
});

const at = (v: unknown, path: readonly string[]): unknown => path.reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), v);

/** The copied columns' values for one stored event (content as hashed), in COPIED_COLUMNS order. */
export function copiedColumnValues(event: object): SqlParam[] {
  return COPIED_COLUMNS.map((c) => {
    const v = at(event, c.path);
    if (v === undefined || v === null) return null;
    return c.type === "bigint" ? Number(v) : String(v);
  });
}

/** SQL of a field's value in the content (alias `e`): `e.content::jsonb #>> '{actor,email}'`. */
export function contentSql(name: EventFieldName, alias = "e"): string {
  return `(${alias}.content::jsonb #>> '{${specOf(name).path.join(",")}}')`;
}

/** SQL of a field's stored value: its copied column if it has one, else its value in the content. */
export function fieldSql(name: EventFieldName, alias = "e"): string {
  const c = specOf(name).column;
  return c ? `${alias}.${c.name === "timestamp" ? '"timestamp"' : c.name}` : contentSql(name, alias);
}

export function fieldSpec(name: EventFieldName): FieldSpec {
  return specOf(name);
}

// --- query language -----------------------------------------------------------------------------

export interface QueryKeyInfo {
  key: string;
  field: EventFieldName;
  hint: string;
  match: MatchKind;
  values?: readonly string[];
  of?: readonly [EventFieldName, EventFieldName];
}

/** Every query key (aliases included) → its field and match. */
export const QUERY_FIELD_KEYS: ReadonlyMap<string, QueryKeyInfo> = new Map(
  FIELD_NAMES.flatMap((n) => {
    const q = specOf(n).query;
    return q ? q.keys.map((key) => [key, { key: q.keys[0]!, field: n, hint: q.hint, match: q.match, values: q.values, of: q.of as QueryKeyInfo["of"] }] as const) : [];
  }),
);

// --- CSV ----------------------------------------------------------------------------------------

/** CSV columns: every field with a `csv` name, in registry order, then the entry's hash. */
export const CSV_COLUMNS: readonly string[] = [...FIELD_NAMES.flatMap((n) => (specOf(n).csv ? [specOf(n).csv!] : [])), "hash"];

/** A stored entry → its CSV values (objects as JSON), in CSV_COLUMNS order. */
export function csvValues(e: object & { hash: string }): unknown[] {
  return [...FIELD_NAMES.flatMap((n) => (specOf(n).csv ? [at(e, specOf(n).path)] : [])), e.hash];
}

// --- explorer -----------------------------------------------------------------------------------

export interface ExplorerColumn {
  id: string;
  label: string;
  /** Hidden unless the user shows it. */
  hidden: boolean;
  field: EventFieldName;
}

/** The explorer table's columns, in registry order. */
export const EXPLORER_COLUMNS: readonly ExplorerColumn[] = FIELD_NAMES.flatMap((n) => {
  const x = specOf(n).explorer;
  return x ? [{ id: x.id, label: x.label, hidden: !!x.hidden, field: n }] : [];
});

/** The explorer's facets: field → the name of its value counts in the facets answer. */
export const EXPLORER_FACETS: readonly { field: EventFieldName; name: string }[] = FIELD_NAMES.flatMap((n) => {
  const f = specOf(n).facet;
  return f ? [{ field: n, name: f }] : [];
});

// --- search -------------------------------------------------------------------------------------

/** Fields in the full-text document, by weight (the SQL of audit_search_vector() must agree). */
export const SEARCH_WEIGHTS: readonly { field: EventFieldName; path: readonly string[]; weight: "A" | "B" | "C" }[] = FIELD_NAMES.flatMap((n) => {
  const s = specOf(n);
  return s.search ? [{ field: n, path: s.path, weight: s.search }] : [];
});

/**
 * The order in which audit_search_vector() reads the searched fields within each part (word
 * positions follow it; phrases match by position). The weights stay the registry's; the unit test
 * checks this holds every searched field once and agrees with the SQL.
 */
const SEARCH_ORDER = [
  "actor.name", "actor.email", "actor.id",
  "changes", "details",
  "action", "resource.type", "resource.id", "resource.name", "repository.name", "repository.id", "id", "ip_address", "request_id", "session_id", "user_agent",
] as const satisfies readonly EventFieldName[];

/** The full-text document: its parts in order (A, B, C), each with its members' paths in order (lib/audit/search-vector.ts). */
export const SEARCH_DOCUMENT: readonly { weight: "A" | "B" | "C"; paths: readonly (readonly string[])[] }[] = (["A", "B", "C"] as const).map((weight) => ({
  weight,
  paths: SEARCH_ORDER.filter((n) => SEARCH_WEIGHTS.some((f) => f.field === n && f.weight === weight)).map((n) => specOf(n).path),
}));
