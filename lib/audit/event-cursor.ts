import { AppError } from "../errors";
import type { EventCursor } from "./query-events";
import { isSupportedInstant } from "./time-bounds";

/**
 * THE keyset cursor over (timestamp, seq), for every API that pages (the explorer's `next_cursor`,
 * AppSec+'s `Link: rel="next"`): opaque base64url of `<ISO timestamp>|<seq>` for newest-first pages,
 * `<ISO timestamp>|<seq>|asc` for oldest-first ones, so a cursor cannot be replayed in the other order.
 */
export function encodeEventCursor(e: { timestamp: string; seq: number }, order: "desc" | "asc" = "desc"): string {
  return Buffer.from(`${e.timestamp}|${e.seq}${order === "asc" ? "|asc" : ""}`, "utf8").toString("base64url");
}

/** Decodes a cursor or refuses it (400 naming `field`); `hint` says where a valid one comes from; `order` must be the cursor's. */
export function decodeEventCursor(raw: string, opts: { field?: string; hint?: string; order?: "desc" | "asc" } = {}): EventCursor {
  const field = opts.field ?? "cursor";
  const [ts, seq, dir, ...rest] = Buffer.from(raw, "base64url").toString("utf8").split("|");
  const timestamp = new Date(ts ?? "");
  const n = Number(seq);
  if (!ts || rest.length || (dir !== undefined && dir !== "asc") || !/^\d{4}-\d{2}-\d{2}T/.test(ts) || !isSupportedInstant(timestamp.getTime()) || !/^\d{1,15}$/.test(seq ?? "") || n < 1) {
    throw new AppError("invalid_parameter", `${field}: not a cursor this API returned (${opts.hint ?? "pass it back unchanged"})`, { field });
  }
  if ((dir ?? "desc") !== (opts.order ?? "desc")) {
    throw new AppError("invalid_parameter", `${field}: this cursor pages ${dir === "asc" ? "oldest" : "newest"} first; ask with the same order as the page it came from`, { field });
  }
  return { timestamp, seq: n };
}
