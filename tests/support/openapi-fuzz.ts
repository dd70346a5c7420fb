import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { badCharIn } from "@/lib/http/check-text";

/**
 * Building blocks of the API fuzzer (tests/integration/api-fuzz.test.ts): the operations of
 * /api/openapi.json, the route module behind each, and fast-check arbitraries for parameters
 * and bodies — valid ones derived from the document's JSON Schemas, and hostile ones (NUL, lone
 * surrogates, invalid UTF-8 percent-escapes, extreme dates, huge numbers, deep nesting, tampered
 * cursors, wrong content types).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON Schema walked generically
export type Schema = any;

export interface Operation {
  method: string;
  /** OpenAPI path template, `/audit-logs/{id}`. */
  path: string;
  operationId: string;
  scope: string | null;
  query: { name: string; schema: Schema; required: boolean }[];
  pathParams: string[];
  body?: Schema;
}

export function operationsOf(doc: Schema): Operation[] {
  const ops: Operation[] = [];
  for (const [p, methods] of Object.entries(doc.paths as Record<string, Record<string, Schema>>)) {
    for (const [m, op] of Object.entries(methods)) {
      const params = (op.parameters ?? []) as { name: string; in: string; schema: Schema; required?: boolean }[];
      ops.push({
        method: m.toUpperCase(),
        path: p,
        operationId: op.operationId,
        scope: op["x-required-scope"] ?? null,
        query: params.filter((x) => x.in === "query").map((x) => ({ name: x.name, schema: x.schema, required: !!x.required })),
        pathParams: params.filter((x) => x.in === "path").map((x) => x.name),
        body: op.requestBody?.content?.["application/json"]?.schema,
      });
    }
  }
  return ops.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

type Handler = (req: Request, ctx?: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** Every app/**\/route.ts, keyed by its OpenAPI path template (`[id]` → `{id}`). */
export async function routeModules(root: string): Promise<Map<string, Record<string, Handler>>> {
  const out = new Map<string, Record<string, Handler>>();
  const walk = async (dir: string) => {
    for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, f.name);
      if (f.isDirectory()) await walk(full);
      else if (f.name === "route.ts") {
        const rel = path.relative(path.join(root, "app"), path.dirname(full)).split(path.sep).filter((s) => !/^\(.*\)$/.test(s));
        const template = `/${rel.map((s) => s.replace(/^\[(.+)\]$/, "{$1}")).join("/")}`;
        out.set(template, (await import(full)) as Record<string, Handler>);
      }
    }
  };
  await walk(path.join(root, "app"));
  return out;
}

/** Resolves a local `$ref`. */
export function deref(doc: Schema, s: Schema): Schema {
  let cur = s;
  for (let i = 0; cur && cur.$ref && i < 20; i++) cur = cur.$ref.split("/").slice(1).reduce((o: Schema, k: string) => o?.[k], doc);
  return cur ?? {};
}

const LONE = ["\ud800", "\udfff", "a\udc00b", "\ud83d"];
const DATE_NASTIES = [
  "9999-12-31", "9999-12-31T23:59:59.999Z", "0000-01-01", "0000-01-01T00:00:00Z", "-271821-04-20T00:00:00Z", "+275760-09-13T00:00:00.000Z",
  "10000-01-01", "2024-02-30", "2023-02-29T00:00:00Z", "2024-01-01T24:00:00Z", "2024-13-01", "2024-00-10", "1970-01-01T00:00:00+24:00",
  "\r\n\r\n2020-01-01", "2020-01-01\u2028", "\t2020-01-01", " 2020-01-01", "2020-01-01 ", "2020-1-1", "20200101", "0001-01-01T00:00:00+01:00",
];
const NUMBER_NASTIES = ["-1", "0", "1e308", "1e400", "99999999999999999999999", "9007199254740993", "-0", "NaN", "Infinity", "0x10", "1.5", "", " 1", "١٢"];
const TEXT_NASTIES = [
  "\u0000", "a\u0000b", "%00", ...LONE, "", " ", "\t", "\r\n", "\u2028", "\u202e", "\ufeff", "%", "%FF", "%E0%A4%A", "\\", '"', "'; DROP TABLE audit_events; --",
  "__proto__", "constructor", "prototype", "*", "a.*", ".*", ",,,", "a,b,,c", "..", "x".repeat(5000), "é", "𝒜", "👩‍👩‍👧", "null", "[]", "{}",
  "actor:", "-action:*", 'q"unterminated', "created:>9999-12-31", "created:0000-01-01..2024-01-01", "created:2024-02-30", "action:" + "a.".repeat(300),
  Array.from({ length: 400 }, (_, i) => `w${i}`).join(" "),
];

/** A string that is nasty for a parameter or a body member. */
export const nastyText = fc.constantFrom(...TEXT_NASTIES, ...DATE_NASTIES, ...NUMBER_NASTIES);

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64url");
/** Cursors: mostly tampered (extreme dates, huge seq, garbage), sometimes well-formed. */
export const cursorArb = fc.oneof(
  fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z"), noInvalidDate: true }).chain((d) => fc.nat({ max: 10_000 }).map((n) => b64(`${d.toISOString()}|${n + 1}`))),
  fc.constantFrom(
    b64("-271821-04-20T00:00:00.000Z|5"), b64("+275760-09-13T00:00:00.000Z|1"), b64("0000-01-01T00:00:00.000Z|1"), b64("2025-01-01T00:00:00.000Z|99999999999999999999"),
    b64("2025-01-01T00:00:00.000Z|-1"), b64("2025-01-01T00:00:00.000Z|0"), b64("\u0000|1"), b64("|"), b64("2025-02-30T00:00:00.000Z|1"), "!!!", "%FF", "a".repeat(300),
  ),
  fc.string({ unit: "binary", maxLength: 40 }).map(b64),
);

/** Valid dates and date-times in every accepted form, across the supported range. */
export const validDateText = fc
  .tuple(fc.date({ min: new Date("0001-01-02T00:00:00Z"), max: new Date("9999-12-30T00:00:00Z"), noInvalidDate: true }), fc.constantFrom("date", "z", "ms", "offset", "minutes"))
  .map(([d, form]) => {
    const iso = d.toISOString();
    if (form === "date") return iso.slice(0, 10);
    if (form === "z") return `${iso.slice(0, 19)}Z`;
    if (form === "ms") return iso;
    if (form === "minutes") return `${iso.slice(0, 16)}Z`;
    return `${iso.slice(0, 19)}+00:00`;
  });

/** Recent-ish valid date-times with a zone (for event timestamps that land among the data). */
export const validTimestamp = fc
  .tuple(fc.date({ min: new Date("0001-01-02T00:00:00Z"), max: new Date("9999-12-30T00:00:00Z"), noInvalidDate: true }), fc.constantFrom("Z", "+02:00", "-05:30", "ms"))
  .map(([d, z]) => {
    if (z === "ms") return d.toISOString();
    const shifted = new Date(d.getTime() + (z === "+02:00" ? 2 : z === "-05:30" ? -5.5 : 0) * 3600_000);
    return `${shifted.toISOString().slice(0, 19)}${z}`;
  });

const DATE_PARAMS = /^(from|to|start_time|end_time|audit_period_start|audit_period_end)$/;

/** A query parameter's value: valid for its schema and name, or hostile. */
export function queryValueArb(name: string, schema: Schema, known: { cursor: fc.Arbitrary<string>; q: fc.Arbitrary<string>; ids: fc.Arbitrary<string> }): fc.Arbitrary<string> {
  let valid: fc.Arbitrary<string>;
  if (schema.enum) valid = fc.constantFrom(...(schema.enum as string[]));
  else if (DATE_PARAMS.test(name)) valid = validDateText;
  else if (name === "cursor") valid = known.cursor;
  else if (name === "q") valid = known.q;
  else if (name === "org" || name === "subject" || name === "sig") valid = known.ids;
  else if (schema.pattern === "^-?\\d+$" || schema.pattern === "^\\d+$") valid = fc.integer({ min: -5, max: 2000 }).map(String);
  else valid = fc.oneof(known.ids, fc.string({ unit: "grapheme", minLength: 1, maxLength: Math.min(schema.maxLength ?? 40, 40) }));
  return fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: nastyText, weight: 2 }, { arbitrary: fc.string({ unit: "binary", maxLength: 30 }), weight: 1 });
}

/**
 * Percent-encodes a query or path component. Lone surrogates (which encodeURIComponent refuses)
 * become their WTF-8 bytes, i.e. invalid UTF-8; `raw` keeps a value's own escapes (`%FF`).
 */
export function encodeComponent(s: string, raw: boolean): string {
  if (raw) return s.replace(/[^A-Za-z0-9%._~-]/g, (c) => encodeOrWtf8(c));
  return Array.from(s).map(encodeOrWtf8).join("");
}
function encodeOrWtf8(c: string): string {
  try {
    return encodeURIComponent(c);
  } catch {
    const u = c.charCodeAt(0);
    return [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join("");
  }
}

/** Storable text: any code points, but no NUL and no lone surrogate (those are the hostile cases). */
const storable = (a: fc.Arbitrary<string>) => a.filter((x) => badCharIn(x) === null);
/** JSON object whose member names include __proto__, constructor and prototype. */
const keyArb = fc.oneof(
  { arbitrary: storable(fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 })), weight: 4 },
  { arbitrary: fc.constantFrom("__proto__", "constructor", "prototype", "toJSON", "hasOwnProperty", "valueOf", "0", "", " ", "é", "a.b", "$ref"), weight: 2 },
);
const leafArb = fc.oneof(
  storable(fc.string({ unit: "grapheme", maxLength: 20 })),
  storable(fc.string({ unit: "binary", maxLength: 12 })),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(9007199254740991, -0, 1e308, 5e-324),
);
export const freeJsonArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leafArb, tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.array(fc.tuple(keyArb, tie("value")), { maxLength: 5 }).map((entries) => Object.fromEntries(entries)),
})).value;
export const freeObjectArb = fc.array(fc.tuple(keyArb, freeJsonArb), { maxLength: 6 }).map((entries) => Object.fromEntries(entries) as Record<string, unknown>);

/** Addresses zod's email check accepts (fast-check's RFC 5322 ones mostly are not). */
export const emailArb = fc.stringMatching(/^[a-z0-9][a-z0-9_+-]{0,15}@[a-z0-9]{1,15}\.(com|org|example)$/);
const idArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:@~+-]{0,30}$/);
const textArb = storable(fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 })).filter((s) => s.trim() !== "");

/** A valid ingest event (everything the schema allows, including __proto__ keys and far dates). */
export const validEventArb = fc.record(
  {
    id: idArb.map((s) => `fz-${s}`),
    timestamp: validTimestamp,
    actor: fc.record(
      { id: textArb, type: fc.constantFrom("user", "service_account", "api_token", "system"), email: emailArb, name: textArb },
      { requiredKeys: ["id", "type"] },
    ),
    action: fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,10}$/), { minLength: 1, maxLength: 4 }).map((a) => a.join(".")),
    resource: fc.tuple(fc.record({ type: textArb, id: textArb, name: textArb }, { requiredKeys: ["type", "id"] }), freeObjectArb).map(([r, extra]) => {
      const out: Record<string, unknown> = Object.fromEntries(Object.entries(extra).filter(([k]) => !["type", "id", "name"].includes(k)));
      return Object.assign(out, r);
    }),
    repository: fc.record({ id: textArb, name: textArb }),
    changes: fc.array(fc.tuple(keyArb.filter((k) => k.length > 0), fc.record({ old: freeJsonArb, new: freeJsonArb }, { requiredKeys: [] })), { maxLength: 4 }).map((e) => Object.fromEntries(e)),
    details: freeObjectArb,
    ip_address: fc.oneof(fc.ipV4(), fc.ipV6()),
    user_agent: textArb,
    request_id: textArb,
    session_id: textArb,
  },
  { requiredKeys: ["actor", "action", "resource"] },
);

/** Paths (as key lists) to every member of a JSON value, for mutations. */
export function pathsOf(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...prefix, i], out));
  else if (v && typeof v === "object") for (const k of Object.keys(v)) pathsOf((v as Record<string, unknown>)[k], [...prefix, k], out);
  return out;
}

/** A deep copy that keeps every member as an own data property (`__proto__` included). */
export function cloneJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(cloneJson);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cloneJson(x)]));
  return v;
}

/** Sets the member at `path` (own data property, so `__proto__` stays a member). */
export function setAt(root: unknown, p: (string | number)[], value: unknown): unknown {
  if (p.length === 0) return value;
  const copy: unknown = cloneJson(root);
  let cur = copy as Record<string | number, unknown>;
  for (const k of p.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  Object.defineProperty(cur, p[p.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

export const deepValue = (depth: number, kind: "array" | "object") => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = kind === "array" ? [v] : { d: v };
  return v;
};

/** A hostile replacement for one member of a body. */
export const hostileValueArb: fc.Arbitrary<unknown> = fc.oneof(
  nastyText,
  fc.constantFrom(...LONE),
  fc.constantFrom(-1, 0, 1e308, -1e308, 9007199254740993, 2 ** 64, 1.5, -0),
  fc.constantFrom(null, true, [], {}, [null], { "": "" }),
  fc.constantFrom(33, 40, 70, 500).chain((d) => fc.constantFrom(deepValue(d, "array"), deepValue(d, "object"))),
);

/**
 * A body valid for a JSON Schema of the document (objects, arrays, enums, strings, integers),
 * with names heuristics for dates; `known` supplies ids that exist.
 */
export function bodyFromSchema(doc: Schema, schema: Schema, name: string, known: { ids: fc.Arbitrary<string> }, depth = 0): fc.Arbitrary<unknown> {
  const s = deref(doc, schema);
  if (depth > 6) return fc.constant(null);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...(s.enum as unknown[]));
  const alts = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (alts?.length) return fc.oneof(...alts.map((a) => bodyFromSchema(doc, a, name, known, depth + 1)));
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== "null") : s.type;
  switch (type) {
    case "object": {
      const props = (s.properties ?? {}) as Record<string, Schema>;
      const required = (s.required ?? []) as string[];
      if (!Object.keys(props).length) return freeObjectArb;
      const rec: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) rec[k] = bodyFromSchema(doc, v, k, known, depth + 1);
      return fc.record(rec, { requiredKeys: required.filter((k) => k in rec) });
    }
    case "array":
      return fc.array(bodyFromSchema(doc, s.items ?? {}, name, known, depth + 1), { maxLength: Math.min(s.maxItems ?? 4, 4), minLength: Math.min(s.minItems ?? 0, 4) });
    case "integer":
    case "number":
      return fc.integer({ min: Math.max(s.minimum ?? -10, -10), max: Math.min(s.maximum ?? 1000, 1000) });
    case "boolean":
      return fc.boolean();
    case "string": {
      if (/^(from|to|start|end)$/.test(name) || s.format === "date-time") return validDateText;
      if (/email/.test(name)) return emailArb;
      if (/(^|_)id$|^org$|^slug$/.test(name)) return fc.oneof(known.ids, fc.stringMatching(/^[a-z][a-z0-9-]{2,20}$/));
      return fc.string({ unit: "grapheme", minLength: Math.max(s.minLength ?? 0, 1), maxLength: Math.min(s.maxLength ?? 30, 30) });
    }
    default:
      return freeJsonArb;
  }
}

/** What a request body looks like on the wire. */
export interface WireBody {
  contentType: string | null;
  bytes: Uint8Array | null;
  /** The JSON value sent, when the body is well-formed JSON in a JSON content type. */
  value?: unknown;
}

const JSON_TYPES = ["application/json", "application/json; charset=utf-8", "application/problem+json"];
const NON_JSON_TYPES = ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1", "application/jsonx", "", "*/*"];

/** Wraps a JSON value as a request body, sometimes with a wrong content type or broken bytes. */
export function wireBodyArb(value: fc.Arbitrary<unknown>): fc.Arbitrary<WireBody> {
  const enc = new TextEncoder();
  return fc.oneof(
    { arbitrary: fc.tuple(value, fc.constantFrom(...JSON_TYPES)).map(([v, t]): WireBody => ({ contentType: t, bytes: enc.encode(JSON.stringify(v)), value: v })), weight: 8 },
    { arbitrary: fc.tuple(value, fc.constantFrom(...NON_JSON_TYPES, null)).map(([v, t]): WireBody => ({ contentType: t, bytes: enc.encode(JSON.stringify(v)) })), weight: 1 },
    {
      arbitrary: fc.constantFrom(
        "{", "[]", "null", "1", '"x"', "{\"a\":1e400}", `${"[".repeat(100_000)}${"]".repeat(100_000)}`, `{"a":${"{\"a\":".repeat(6000)}1${"}".repeat(6000)}}`, "\ufeff{}", "{}{}",
        '{"__proto__":{"x":1}}', '{"a":"\\u0000"}', '{"a":"\\ud800"}', '{"events":[]}', '{"events":{}}',
      ).map((t): WireBody => ({ contentType: "application/json", bytes: enc.encode(t) })),
      weight: 1,
    },
    { arbitrary: fc.constantFrom([0xff, 0xfe], [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d], [0xed, 0xa0, 0x80]).map((b): WireBody => ({ contentType: "application/json", bytes: Uint8Array.from(b) })), weight: 1 },
    { arbitrary: fc.constant<WireBody>({ contentType: null, bytes: null }), weight: 1 },
  );
}
