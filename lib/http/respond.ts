import { z } from "zod";
import { AppError, isAppError, RETRY_AFTER_SECONDS } from "../errors";
import { databaseErrorToAppError } from "../db/database-errors";
import { fieldPath } from "../audit/parse-ingest-body";

export function json(body: unknown, init: { status?: number; headers?: HeadersInit } = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  headers.set("Cache-Control", "no-store");
  const bytes = Buffer.from(JSON.stringify(body), "utf8");
  const res = new Response(bytes, { status: init.status ?? 200, headers });
  serialized.set(res, bytes);
  return res;
}

/**
 * The bytes json() serialised for an answer, so finalizeResponse (ETag, gzip, Content-Length) need
 * not read them back through the Response's body stream (a measurable share of a list's CPU under load).
 */
const serialized = new WeakMap<Response, Uint8Array>();
export function serializedBodyOf(res: Response): Uint8Array | undefined {
  return serialized.get(res);
}

/** A plain-text answer (UTF-8): signed notes, keys. */
export function text(body: string, init: { status?: number; headers?: HeadersInit } = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("Content-Type", "text/plain; charset=utf-8");
  if (!headers.has("Cache-Control")) headers.set("Cache-Control", "no-store");
  return new Response(body, { status: init.status ?? 200, headers });
}

/** Turns a zod failure at a boundary into the AppError that names the field. */
export function zodToAppError(error: z.ZodError, code: "invalid_parameter" | "validation_failed" = "validation_failed"): AppError {
  const issue = error.issues[0]!;
  const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
  const field = fieldPath(path) || "body";
  const message = issue.code === "unrecognized_keys" ? `unknown field "${issue.keys[0]}"` : issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message;
  return new AppError(code, `${field}: ${message}`, { field });
}

export function toAppError(e: unknown): AppError {
  if (isAppError(e)) return e;
  if (e instanceof z.ZodError) return zodToAppError(e);
  return databaseErrorToAppError(e) ?? new AppError("internal_error", "internal server error");
}

/** The one error mapper: `{success:false, error:{code, message, field?}}` with the status of the code. */
export function errorResponse(e: unknown, headers?: HeadersInit): Response {
  const err = toAppError(e);
  if (err.code === "internal_error") console.error("[audit-trail] internal error:", e);
  else if (err.status >= 500) console.error(`[audit-trail] ${err.code}: ${err.message}${isAppError(e) ? "" : ` (${e instanceof Error ? e.message : String(e)})`}`);
  const body = { success: false, error: { code: err.code, message: err.message, ...(err.field && { field: err.field }), ...err.details } };
  const retryAfter = RETRY_AFTER_SECONDS[err.code];
  const h = new Headers(headers);
  if (retryAfter !== undefined && !h.has("Retry-After")) h.set("Retry-After", String(retryAfter));
  return json(body, { status: err.status, headers: h });
}
