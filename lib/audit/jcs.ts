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
  // One pass, no intermediate arrays (about twice as fast as map/filter/join: the offline verifier
  // and ingest canonicalise every entry).
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("JSON cannot represent NaN or Infinity");
      return JSON.stringify(value);
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          const v: unknown = value[i];
          out += (i ? "," : "") + (v === undefined ? "null" : canonicalJson(v));
        }
        return `${out}]`;
      }
      const obj = value as Record<string, unknown>;
      if (typeof (obj as { toJSON?: unknown }).toJSON === "function") return canonicalJson((obj as { toJSON(): unknown }).toJSON());
      // Default sort: by UTF-16 code units, as RFC 8785 §3.2.3 prescribes.
      const keys = Object.keys(obj).sort();
      let out = "{";
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined || typeof v === "function") continue;
        out += `${first ? "" : ","}${JSON.stringify(k)}:${canonicalJson(v)}`;
        first = false;
      }
      return `${out}}`;
    }
  }
  throw new TypeError(`value of type ${typeof value} cannot be canonicalised as JSON`);
}
