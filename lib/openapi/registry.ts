import { z } from "zod";
import type { Scope } from "../auth/scopes";

/**
 * The OpenAPI registry: each route registers the same zod schemas that validate its requests
 * and shape its responses; buildOpenApiDocument() turns them into OpenAPI 3.1 (JSON Schema
 * 2020-12, via zod's z.toJSONSchema). To add a route: call registerRoute() in a module under
 * lib/openapi/routes/ and import that module from lib/openapi/routes/index.ts (docs/api.md).
 */
export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

export interface ResponseSpec {
  description: string;
  /** JSON body; omit for bodies that are not JSON (give `content` instead) or empty answers. */
  schema?: z.ZodType;
  /** Other media types, e.g. { "application/zip": {} } or { "text/csv": {} }. */
  content?: Record<string, { schema?: Record<string, unknown> }>;
  headers?: Record<string, { description: string; schema: Record<string, unknown> }>;
}

export interface RouteSpec {
  method: HttpMethod;
  /** OpenAPI path template: `/audit-logs/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** The scope apiHandler requires; `null` for routes that need no credential. */
  scope: Scope | null;
  /** Credentials the route accepts; default bearer (+ basic, as every apiHandler route reads it). */
  security?: ("bearer" | "basic" | "session")[];
  query?: z.ZodObject;
  params?: z.ZodObject;
  body?: z.ZodType;
  /** Success answers by status. Error answers (4xx/5xx, the one error body) are added for you. */
  responses: Record<number, ResponseSpec>;
  /** Extra error statuses this route can answer besides 400/401/403/429/500 (e.g. 404, 409). */
  errors?: number[];
}

const KEY = Symbol.for("audit-trail.openapi-routes");
type Holder = { [KEY]?: Map<string, RouteSpec> };

function routes(): Map<string, RouteSpec> {
  const g = globalThis as Holder;
  g[KEY] ??= new Map();
  return g[KEY];
}

/** Registers (or replaces) the route with this method and path. */
export function registerRoute(spec: RouteSpec): void {
  routes().set(`${spec.method.toUpperCase()} ${spec.path}`, spec);
}

export function registeredRoutes(): RouteSpec[] {
  return [...routes().values()];
}

/** The one error body of lib/http/respond.ts. */
export const ErrorBody = z.object({
  success: z.literal(false),
  error: z.object({
    code: z.string().describe("invalid_parameter, validation_failed, unauthorized, forbidden, not_found, conflict, rate_limited, …"),
    message: z.string().describe("What is wrong, naming the field."),
    field: z.string().optional().describe("The request field at fault, as a path: `limit`, `events[3].actor.type`."),
  }).catchall(z.unknown()),
});

const ERROR_TEXT: Record<number, string> = {
  400: "Bad parameter (the body names the field).",
  401: "Authentication failed.",
  403: "Insufficient permissions (scope), or a credential that belongs to no org.",
  404: "Not found (another org's entry answers the same).",
  409: "Conflict.",
  413: "Payload too large.",
  415: "Unsupported media type: the body is not `application/json` (or `application/*+json`) in UTF-8; `error.field` is `content-type`.",
  422: "Validation failed (the body names the field).",
  429: "Rate limit exceeded: retry after Retry-After seconds.",
  500: "Internal server error.",
};

const RATE_HEADERS = {
  "X-RateLimit-Limit": { description: "Requests allowed per window for this credential.", schema: { type: "integer" } },
  "X-RateLimit-Remaining": { description: "Requests left in this window.", schema: { type: "integer" } },
  "X-RateLimit-Reset": { description: "Seconds until the window resets.", schema: { type: "integer" } },
  "X-RateLimit-ResetDate": { description: "When the window resets (ISO 8601, UTC).", schema: { type: "string", format: "date-time" } },
  "X-Request-Id": { description: "The request's X-Request-Id, or a generated one.", schema: { type: "string" } },
};

type Json = Record<string, unknown>;

/** Converts a zod schema; nested `$defs` move into components so that every `$ref` resolves. */
class SchemaCollector {
  readonly components: Record<string, Json> = {};

  convert(schema: z.ZodType, name: string, io: "input" | "output"): Json {
    const js = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as Json;
    delete js.$schema;
    const defs = (js.$defs ?? {}) as Record<string, Json>;
    delete js.$defs;
    const rename = (ref: string) => `#/components/schemas/${name}_${ref.slice("#/$defs/".length)}`;
    const rewrite = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(rewrite);
      if (v && typeof v === "object") {
        return Object.fromEntries(
          Object.entries(v).map(([k, x]) => [k, k === "$ref" && typeof x === "string" && x.startsWith("#/$defs/") ? rename(x) : rewrite(x)]),
        );
      }
      return v;
    };
    for (const [k, d] of Object.entries(defs)) this.components[`${name}_${k}`] = rewrite(d) as Json;
    if (js.$ref === "#") js.$ref = `#/components/schemas/${name}`; // self-recursive root
    return rewrite(js) as Json;
  }

  /** Registers a named component and answers a $ref to it. */
  ref(schema: z.ZodType, name: string, io: "input" | "output"): Json {
    if (!this.components[name]) this.components[name] = this.convert(schema, name, io);
    return { $ref: `#/components/schemas/${name}` };
  }
}

const pascal = (s: string) => s.replace(/(^|[^A-Za-z0-9])([A-Za-z0-9])/g, (_m, _p, c: string) => c.toUpperCase());

function parameters(c: SchemaCollector, obj: z.ZodObject | undefined, where: "query" | "path", name: string): Json[] {
  if (!obj) return [];
  const js = c.convert(obj, name, "input");
  const props = (js.properties ?? {}) as Record<string, Json>;
  const required = new Set((js.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([n, schema]) => {
    const { description, ...rest } = schema;
    return {
      name: n,
      in: where,
      required: where === "path" || (required.has(n) && rest.default === undefined),
      ...(description !== undefined && { description }),
      schema: rest,
    };
  });
}

export function buildOpenApiDocument(opts: { serverUrl?: string; version?: string } = {}): Json {
  const c = new SchemaCollector();
  c.components.ErrorBody = c.convert(ErrorBody, "ErrorBody", "output");
  const paths: Record<string, Record<string, Json>> = {};
  const specs = registeredRoutes().sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  for (const r of specs) {
    const base = pascal(r.operationId);
    const responses: Record<string, Json> = {};
    for (const [status, res] of Object.entries(r.responses)) {
      const content: Record<string, Json> = {};
      if (res.schema) content["application/json"] = { schema: c.ref(res.schema, `${base}Response${status}`, "output") };
      for (const [type, v] of Object.entries(res.content ?? {})) content[type] = v;
      responses[status] = {
        description: res.description,
        headers: { ...(r.scope !== null ? RATE_HEADERS : { "X-Request-Id": RATE_HEADERS["X-Request-Id"] }), ...res.headers },
        ...(Object.keys(content).length > 0 && { content }),
      };
    }
    if (r.method === "get") responses["304"] ??= { description: "Not modified: the If-None-Match tag still matches (weak ETag)." };
    // A JSON body can always be refused as too large (413), not JSON (415) or holding NUL / lone surrogates / too deep (422): lib/http/read-json-body.ts.
    const errorStatuses = [...(r.query || r.body || r.params ? [400] : []), ...(r.body ? [413, 415, 422] : []), ...(r.scope !== null ? [401, 403, 429] : []), ...(r.errors ?? []), 500];
    for (const s of errorStatuses) {
      responses[String(s)] ??= {
        description: ERROR_TEXT[s] ?? "Error.",
        ...(s === 429 && { headers: { "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } } } }),
        content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorBody" } } },
      };
    }
    const op: Json = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description && { description: r.description }),
      tags: r.tags,
      parameters: [...parameters(c, r.params, "path", `${base}Path`), ...parameters(c, r.query, "query", `${base}Query`)],
      ...(r.body && { requestBody: { required: true, content: { "application/json": { schema: c.ref(r.body, `${base}Body`, "input") } } } }),
      responses,
      security: r.scope === null ? [] : (r.security ?? ["bearer", "basic"]).map((s) => ({ [s]: [] })),
      ...(r.scope && { "x-required-scope": r.scope }),
    };
    (paths[r.path] ??= {})[r.method] = op;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Audit Trail API",
      version: opts.version ?? "1.0.0",
      description: "Every route of every dialect (AppSec+, AMP, ComplianceAgent), ingest and admin. Generated from the zod schemas that validate requests and shape responses.",
    },
    ...(opts.serverUrl && { servers: [{ url: opts.serverUrl }] }),
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    paths,
    components: {
      schemas: c.components,
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "Authorization: Bearer <token>" },
        basic: { type: "http", scheme: "basic", description: "HTTP Basic: the token's id as user name, the token as password (AMP's `-u`)." },
        session: { type: "apiKey", in: "cookie", name: "audit_session", description: "The dashboard's session cookie." },
      },
    },
  };
}
