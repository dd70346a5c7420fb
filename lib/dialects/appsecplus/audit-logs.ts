/**
 * AppSec+ dialect (`/audit-logs`): a thin mapping of the canonical entry and of the seed's query
 * parameters onto the shared queries (lib/audit/query-events.ts). See docs/api.md.
 */
import { actionPattern } from "../../audit/action-pattern";
import { decodeEventCursor, encodeEventCursor } from "../../audit/event-cursor";
import type { StoredEvent } from "../../audit/event-schema";
import { F, type EventCursor, type EventFilter } from "../../audit/query-events";
import { parseTimeRange } from "../../audit/time-bounds";
import { toAppSecPlusEntry } from "../../exports/format-entries";
import type { AppSecEntry, AppSecListQuery } from "./audit-logs.types";

export { AppSecEntry, AppSecList, AppSecListQuery } from "./audit-logs.types";

/**
 * The AppSec+ entry. One implementation serves this API and the AppSec+ JSONL exports
 * (lib/exports/format-entries.ts); the return type pins it to the schema OpenAPI documents.
 */
export function toAppSecEntry(e: StoredEvent): AppSecEntry {
  return toAppSecPlusEntry(e);
}

/** `action` is exact, except that a trailing `.*` (`policy.*`) matches a prefix. */
export function toAppSecFilter(q: AppSecListQuery): EventFilter {
  const range = parseTimeRange(q);
  return { ...range, where: F.and(F.eq("actor.id", q.actorId), F.eq("resource.type", q.resourceType), actionPattern(q.action)) };
}

export function decodeCursor(cursor: string): EventCursor {
  return decodeEventCursor(cursor, { hint: "use the Link header's URL" });
}

/** RFC 8288 Link header for the next page: the same query with `cursor` set. */
export function nextLink(url: URL, last: StoredEvent): string {
  const next = new URL(url);
  next.searchParams.set("cursor", encodeEventCursor(last));
  return `<${next.toString()}>; rel="next"`;
}
