import { z } from "zod";
import { AppError } from "../errors";
import { EventInputSchema, type EventInput } from "./event-fields";
import { LIMITS, SERVER_FIELDS } from "./event-schema";

/** Renders a zod path as `events[3].actor.type`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), "");
}

function issueToError(issue: z.core.$ZodIssue, prefix: (string | number)[]): AppError {
  const path = [...prefix, ...issue.path];
  let message = issue.message;
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0]!;
    const server = (SERVER_FIELDS as readonly string[]).includes(key);
    path.push(key);
    message = server
      ? `"${key}" is set by the service and cannot be sent${key === "org" ? " (the org comes from the credential)" : ""}`
      : `unknown field "${key}"`;
  } else if (issue.code === "invalid_type" && issue.input === undefined) {
    message = "is required";
  }
  const field = fieldPath(path);
  return new AppError("validation_failed", `${field}: ${message}`, { field });
}

/**
 * Accepts one event or {"events": [...]} (1 to 1000). The first invalid field refuses the whole
 * batch, named with the event's index.
 */
export function parseIngestBody(body: unknown): EventInput[] {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new AppError("invalid_parameter", 'body must be one event object or {"events": [...]}', { field: "body" });
  }
  const isBatch = "events" in body;
  let raw: unknown[];
  if (isBatch) {
    const events = (body as { events: unknown }).events;
    const extra = Object.keys(body).filter((k) => k !== "events");
    if (extra.length) throw new AppError("validation_failed", `unknown field "${extra[0]}" beside "events"`, { field: extra[0] });
    if (!Array.isArray(events)) throw new AppError("validation_failed", "events: must be an array", { field: "events" });
    if (events.length < 1 || events.length > LIMITS.eventsPerBatch) {
      throw new AppError("validation_failed", `events: must hold 1 to ${LIMITS.eventsPerBatch} events (got ${events.length})`, { field: "events" });
    }
    raw = events;
  } else {
    raw = [body];
  }
  return raw.map((ev, i) => {
    const prefix = isBatch ? ["events", i] : [];
    const r = EventInputSchema.safeParse(ev);
    if (!r.success) throw issueToError(r.error.issues[0]!, prefix);
    if (Buffer.byteLength(JSON.stringify(ev)) > LIMITS.eventBytes) {
      const field = fieldPath(prefix) || "body";
      throw new AppError("payload_too_large", `${field}: an event may be at most ${LIMITS.eventBytes} bytes`, { field });
    }
    // The schema only validates (no defaults, no transforms), so the accepted event is the object
    // as sent: zod's output would be a rebuilt copy that drops members named "__proto__".
    return ev as EventInput;
  });
}
