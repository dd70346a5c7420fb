import { AppError } from "../errors";
import type { EventCursor } from "./query-events";
import { isSupportedInstant } from "./time-bounds";

/**
 * THE keyset cursor over (timestamp, seq), for every API that pages newest first (the explorer's
 * `next_cursor`, AppSec+'s `Link: rel="next"`): opaque base64url of `<ISO timestamp>|<seq>`.
 */
export function encodeEventCursor(e: { timestamp: string; seq: number }): string {
  return Buffer.from(`${e.timestamp}|${e.seq}`, "utf8").toString("base64url");
}

/** Decodes a cursor or refuses it (400 naming `field`); `hint` says where a valid one comes from. */
export function decodeEventCursor(raw: string, opts: { field?: string; hint?: string } = {}): EventCursor {
  const field = opts.field ?? "cursor";
  const [ts, seq, ...rest] = Buffer.from(raw, "base64url").toString("utf8").split("|");
  const timestamp = new Date(ts ?? "");
  const n = Number(seq);
  if (!ts || rest.length || !/^\d{4}-\d{2}-\d{2}T/.test(ts) || !isSupportedInstant(timestamp.getTime()) || !/^\d{1,15}$/.test(seq ?? "") || n < 1) {
    throw new AppError("invalid_parameter", `${field}: not a cursor this API returned (${opts.hint ?? "pass it back unchanged"})`, { field });
  }
  return { timestamp, seq: n };
}
