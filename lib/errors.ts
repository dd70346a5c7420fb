/**
 * The one error type of the domain. Every layer throws AppError; one mapper (lib/http/respond.ts)
 * turns it into an HTTP answer. Nothing else decides status codes.
 */
export type ErrorCode =
  | "invalid_parameter"
  | "validation_failed"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "gone"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "service_unavailable"
  | "query_timeout"
  | "insufficient_storage"
  | "internal_error";

const STATUS: Record<ErrorCode, number> = {
  invalid_parameter: 400,
  validation_failed: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  gone: 410,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  service_unavailable: 503,
  query_timeout: 503,
  insufficient_storage: 507,
  internal_error: 500,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** The request field at fault, as a path: `limit`, `events[3].actor.type`. */
  readonly field?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, opts: { field?: string; details?: Record<string, unknown> } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.status = STATUS[code];
    this.field = opts.field;
    this.details = opts.details;
  }
}

/** Codes that say "try again later": their answers carry `Retry-After` (seconds). */
export const RETRY_AFTER_SECONDS: Partial<Record<ErrorCode, number>> = {
  service_unavailable: 5,
  query_timeout: 5,
  insufficient_storage: 30,
};

/**
 * Next.js bundles instrumentation and each route separately, so an AppError thrown by code loaded
 * in one bundle (e.g. the process-wide database opened at start-up) is not `instanceof` the class of
 * another bundle. A process-wide brand (Symbol.for) recognises it in every bundle.
 */
const BRAND = Symbol.for("audit-trail.AppError");
Object.defineProperty(AppError.prototype, BRAND, { value: true });
export const isAppError = (e: unknown): e is AppError =>
  e instanceof AppError || (typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[BRAND] === true);
