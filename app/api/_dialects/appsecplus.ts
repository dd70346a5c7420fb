/**
 * AppSec+ dialect (`/audit-logs`): a thin mapping of the canonical entry and of the seed's query
 * parameters onto the shared queries (lib/audit/query-events.ts). See docs/api.md.
 */
import { toAppSecPlusEntry } from "@/lib/exports/format-entries";
import { z } from "zod";
import type { StoredEvent } from "@/lib/audit/event-schema";
import type { EventCursor, EventFilter } from "@/lib/audit/query-events";
import { isSupportedInstant, parseTimeRange } from "@/lib/audit/time-bounds";
import { AppError } from "@/lib/errors";
import { intParam } from "@/lib/http/query-params";

const text = z.string().min(1, "must not be empty").max(512, "at most 512 characters");

export const AppSecListQuery = z.object({
  actorId: text.optional().describe("Filter by user or service account ID."),
  resourceType: text.optional().describe("Example: application, policy, connector, role."),
  action: text.optional().describe("Exact action name, e.g. policy.update; `policy.*` matches every action starting with `policy.`."),
  from: z.string().optional().describe("ISO timestamp start boundary (inclusive)."),
  to: z.string().optional().describe("ISO timestamp end boundary (inclusive)."),
  limit: intParam("limit", 1, 1000).default(100).describe("Entries per page (1–1000, default 100). The next page is announced in a `Link: <…>; rel=\"next\"` header."),
  cursor: z.string().max(200).optional().describe("Opaque cursor from the previous page's Link header."),
});
export type AppSecListQuery = z.infer<typeof AppSecListQuery>;

export const AppSecEntry = z.object({
  id: z.string(),
  timestamp: z.string().describe("UTC ISO timestamp."),
  actor: z.object({ id: z.string(), type: z.string(), email: z.string().optional() }),
  action: z.string(),
  resource: z.object({ type: z.string(), id: z.string(), name: z.string().optional() }),
  metadata: z.object({
    ip: z.string().optional(),
    requestId: z.string().optional(),
    changes: z.record(z.string(), z.object({ old: z.unknown(), new: z.unknown() })).optional(),
  }),
});
export const AppSecList = z.array(AppSecEntry);

/**
 * The AppSec+ entry. One implementation serves this API and the AppSec+ JSONL exports
 * (lib/exports/format-entries.ts); the return type pins it to the schema OpenAPI documents.
 */
export function toAppSecEntry(e: StoredEvent): z.infer<typeof AppSecEntry> {
  return toAppSecPlusEntry(e);
}

/** `action` is exact, except that a trailing `.*` (`policy.*`) matches a prefix. */
export function toAppSecFilter(q: AppSecListQuery): EventFilter {
  const range = parseTimeRange(q);
  const filter: EventFilter = { actorId: q.actorId, resourceType: q.resourceType, ...range };
  if (q.action?.endsWith(".*")) filter.actionPrefix = q.action.slice(0, -1);
  else if (q.action) filter.actions = [q.action];
  return filter;
}

/** The cursor is opaque to clients: base64url of `<timestamp ISO>|<seq>`. */
export function encodeCursor(e: StoredEvent): string {
  return Buffer.from(`${new Date(e.timestamp).toISOString()}|${e.seq}`).toString("base64url");
}

export function decodeCursor(cursor: string): EventCursor {
  const [ts, seq] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const timestamp = new Date(ts ?? "");
  if (!ts || !/^\d{4}-\d{2}-\d{2}T/.test(ts) || !isSupportedInstant(timestamp.getTime()) || !/^\d{1,15}$/.test(seq ?? "")) {
    throw new AppError("invalid_parameter", "cursor: not a cursor from this API's Link header", { field: "cursor" });
  }
  return { timestamp, seq: Number(seq) };
}

/** RFC 8288 Link header for the next page: the same query with `cursor` set. */
export function nextLink(url: URL, last: StoredEvent): string {
  const next = new URL(url);
  next.searchParams.set("cursor", encodeCursor(last));
  return `<${next.toString()}>; rel="next"`;
}
