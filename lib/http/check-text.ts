import { fieldPath } from "../audit/parse-ingest-body";
import { AppError } from "../errors";

const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What makes a string unstorable: a NUL character (PostgreSQL text and jsonb cannot hold it) or a
 * lone UTF-16 surrogate (not Unicode: it cannot be encoded as UTF-8, so the database would get
 * U+FFFD instead). The service refuses both rather than store something else than was sent.
 */
export function badCharIn(s: string): string | null {
  if (NUL.test(s)) return "contains a NUL character (U+0000)";
  if (LONE_SURROGATE.test(s)) return "contains a lone surrogate (not valid Unicode)";
  return null;
}

/** A name as it can be shown in a message and in `error.field` (NUL and lone surrogates escaped). */
const printable = (s: string) => s.replace(/[\u0000\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/**
 * Every query parameter (name and value) and path parameter of a request: 400 naming the first
 * one holding NUL or a lone surrogate, before any handler or query sees it.
 */
export function assertCleanParams(opts: { url: URL; params?: Record<string, string> }): void {
  const check = (name: string, value: string, what: string) => {
    const bad = badCharIn(name) ?? badCharIn(value);
    if (bad) throw new AppError("invalid_parameter", `${printable(name)}: ${what} ${bad}`, { field: printable(name) });
  };
  for (const [k, v] of opts.url.searchParams) check(k, v, "query parameter");
  for (const [k, v] of Object.entries(opts.params ?? {})) check(k, v, "path parameter");
}

/** Deepest nesting a JSON request body may have (arrays and objects); free members have their own, lower limit. */
export const MAX_BODY_DEPTH = 64;

/**
 * Walks a parsed JSON body without recursion (a body nested 100 000 deep must not overflow the
 * stack): 422 naming the path of the first member name or string holding NUL or a lone surrogate,
 * of a number JSON.parse read as ±Infinity (`1e400`), or of the place where the body nests deeper
 * than MAX_BODY_DEPTH.
 */
export function inspectJsonBody(body: unknown): void {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: body, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    const field = () => fieldPath(path) || "body";
    if (typeof v === "string") {
      const bad = badCharIn(v);
      if (bad) throw new AppError("validation_failed", `${field()}: ${bad}`, { field: field() });
      continue;
    }
    if (typeof v === "number" && !Number.isFinite(v)) {
      throw new AppError("validation_failed", `${field()}: number out of range (JSON numbers must be finite doubles, e.g. not 1e400)`, { field: field() });
    }
    if (v === null || typeof v !== "object") continue;
    if (path.length >= MAX_BODY_DEPTH) {
      throw new AppError("validation_failed", `${field()}: nested deeper than ${MAX_BODY_DEPTH} levels`, { field: field() });
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
      continue;
    }
    const keys = Object.keys(v);
    for (const k of keys) {
      const bad = badCharIn(k);
      if (bad) throw new AppError("validation_failed", `${field()}: the member name "${printable(k)}" ${bad}`, { field: field() });
    }
    for (let i = keys.length - 1; i >= 0; i--) stack.push({ v: (v as Record<string, unknown>)[keys[i]!], path: [...path, keys[i]!] });
  }
}
