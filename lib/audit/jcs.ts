/**
 * Pure (no node: imports) so that browser code (the entry page's proof check) canonicalises
 * exactly as the server does; lib/audit/canonical-json.ts re-exports it.
 *
 * RFC 8785 (JSON Canonicalization Scheme) text of a JSON value.
 *
 * In JavaScript JCS is small: primitives serialise exactly as JSON.stringify does (ECMAScript
 * number-to-string and string escaping are what RFC 8785 §3.2.2 prescribes), and object members
 * are sorted by their names' UTF-16 code units (the default sort of JS strings). Written here rather
 * than imported because the `canonicalize` package is ESM-only without a `require` export, which
 * CommonJS tooling (tsx scripts, benches) cannot load; tests/unit/canonical-json.test.ts holds the
 * RFC's vectors.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("JSON cannot represent NaN or Infinity");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  if (typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (typeof (obj as { toJSON?: unknown }).toJSON === "function") return canonicalJson((obj as { toJSON(): unknown }).toJSON());
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined && typeof obj[k] !== "function")
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
  }
  throw new TypeError(`value of type ${typeof value} cannot be canonicalised as JSON`);
}

