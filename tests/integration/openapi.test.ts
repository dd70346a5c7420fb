/**
 * GET /api/openapi.json: an OpenAPI 3.1 document generated from the zod schemas, and real answers
 * of every registered route of this issue (dialects, search, ingest, admin, errors) validated
 * against it with a JSON Schema 2020-12 validator.
 */
import fs from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as openapi from "@/app/api/openapi.json/route";
import * as health from "@/app/api/health/route";
import * as appsecList from "@/app/audit-logs/route";
import * as appsecOne from "@/app/audit-logs/[id]/route";
import * as amp from "@/app/v1/audit_logs/route";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as tokenById from "@/app/api/v1/admin/tokens/[id]/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import * as logById from "@/app/api/v1/audit/logs/[id]/route";
import * as search from "@/app/api/v1/audit/search/route";
import * as verify from "@/app/api/v1/audit/verify/route";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { sampleEvent, TEST_DB } from "../support/test-database";

let app: { close(): Promise<void> };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the document is walked generically
let doc: any;
let token: string;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });

beforeAll(async () => {
  app = await useScratchApp();
  const r = await call(openapi.GET, "GET", "/api/openapi.json");
  expect(r.status).toBe(200);
  doc = r.body;
  ajv.addSchema({ $id: "https://audit-trail.local/openapi.json", components: doc.components });
  await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "openapi-acme" } });
  token = (await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org: "openapi-acme", name: "oa", scopes: ["audit:read", "audit:write"] } })).body.token;
});
afterAll(async () => {
  await app?.close();
});

/** Validates a body against the document's schema for (method, path, status). */
function conforms(method: string, path: string, status: number, body: unknown) {
  const op = doc.paths[path]?.[method];
  expect(op, `${method} ${path} is documented`).toBeDefined();
  const res = op.responses[String(status)];
  expect(res, `${method} ${path} documents ${status}`).toBeDefined();
  const schema = res.content["application/json"].schema;
  const ref = schema.$ref ? `https://audit-trail.local/openapi.json${schema.$ref}` : undefined;
  const validate = ref ? ajv.getSchema(ref) : ajv.compile(schema);
  expect(validate, `schema for ${method} ${path} ${status}`).toBeDefined();
  const ok = validate!(body);
  expect(ok, `${method} ${path} ${status}: ${JSON.stringify(validate!.errors)}`).toBe(true);
}

describe(`OpenAPI 3.1 (${TEST_DB})`, () => {
  it("is an OpenAPI 3.1 document with every route of the dialects, search, ingest and admin", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: "http://localhost" }]);
    const ops = Object.entries(doc.paths).flatMap(([p, m]) => Object.keys(m as object).map((k) => `${k.toUpperCase()} ${p}`));
    for (const op of [
      "GET /audit-logs", "GET /audit-logs/{id}", "GET /v1/audit_logs", "GET /api/v1/audit/search", "POST /api/v1/audit/logs",
      "GET /api/v1/audit/logs", "GET /api/v1/audit/logs/{id}", "POST /api/v1/audit/verify", "POST /api/v1/admin/orgs",
      "GET /api/v1/admin/orgs", "POST /api/v1/admin/tokens", "GET /api/v1/admin/tokens", "DELETE /api/v1/admin/tokens/{id}", "GET /api/health",
    ]) expect(ops).toContain(op);
    // Every $ref resolves inside the document.
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const r of refs) {
      const target = r.slice(8, -1);
      expect(target.startsWith("#/components/schemas/"), target).toBe(true);
      expect(doc.components.schemas[target.slice("#/components/schemas/".length)], target).toBeDefined();
    }
  });

  it("documents every method of every app/**/route.ts (register new routes in lib/openapi/routes)", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, f.name);
        if (f.isDirectory()) walk(p);
        else if (f.name === "route.ts") files.push(p);
      }
    };
    walk(path.join(process.cwd(), "app"));
    expect(files.length).toBeGreaterThan(10);
    const undocumented: string[] = [];
    for (const f of files) {
      const methods = [...fs.readFileSync(f, "utf8").matchAll(/export (?:const|async function) (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!);
      const segments = path.relative(path.join(process.cwd(), "app"), path.dirname(f)).split(path.sep);
      const route = `/${segments.filter((s) => !/^\(.*\)$/.test(s)).map((s) => s.replace(/^\[(.+)\]$/, "{$1}")).join("/")}`;
      for (const m of methods) if (!doc.paths[route]?.[m.toLowerCase()]) undocumented.push(`${m} ${route}`);
    }
    expect(undocumented).toEqual([]);
  });

  it("documents the zod request schemas: AMP's limit (1–500, default 500), search fields, the AppSec+ cursor", () => {
    const params = (path: string) => Object.fromEntries(doc.paths[path].get.parameters.map((p: { name: string }) => [p.name, p]));
    const ampP = params("/v1/audit_logs");
    expect(Object.keys(ampP).sort()).toEqual(["audit_log_id", "audit_log_type", "audit_log_user", "end_time", "event", "limit", "offset", "start_time"]);
    expect(ampP.limit.schema).toMatchObject({ type: "string", pattern: "^-?\\d+$" });
    expect(params("/api/v1/audit/search").fields.schema.enum).toEqual(["all", "details", "actor"]);
    expect(params("/audit-logs").cursor.in).toBe("query");
    expect(doc.paths["/audit-logs/{id}"].get.parameters[0]).toMatchObject({ name: "id", in: "path", required: true });
    expect(doc.paths["/v1/audit_logs"].get.security).toEqual([{ basic: [] }, { bearer: [] }]);
    expect(doc.paths["/v1/audit_logs"].get.responses["200"].headers["X-RateLimit-Limit"]).toBeDefined();
  });

  it("real answers conform: ingest, lists, single entries, search, verify, admin, health", async () => {
    const one = await call(logs.POST, "POST", "/api/v1/audit/logs", {
      token,
      body: { ...sampleEvent(1), changes: { action: { old: "monitor", new: "block" } }, ip_address: "203.0.113.10", request_id: "req-1", details: { why: "PII" } },
    });
    conforms("post", "/api/v1/audit/logs", 201, one.body);
    const batch = await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: { events: [sampleEvent(1, { changes: { action: { old: "monitor", new: "block" } }, ip_address: "203.0.113.10", request_id: "req-1", details: { why: "PII" } }), sampleEvent(2)] } });
    expect(batch.status).toBe(201);
    conforms("post", "/api/v1/audit/logs", 201, batch.body);
    const dup = await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: sampleEvent(2) });
    conforms("post", "/api/v1/audit/logs", 200, dup.body);

    const answers: [string, string, Awaited<ReturnType<typeof call>>][] = [
      ["get", "/audit-logs", await call(appsecList.GET, "GET", "/audit-logs?limit=1", { token })],
      ["get", "/audit-logs/{id}", await call(appsecOne.GET, "GET", "/audit-logs/ev-1", { token, params: { id: "ev-1" } })],
      ["get", "/v1/audit_logs", await call(amp.GET, "GET", "/v1/audit_logs?limit=1", { token })],
      ["get", "/api/v1/audit/search", await call(search.GET, "GET", "/api/v1/audit/search?q=PII", { token })],
      ["get", "/api/v1/audit/logs", await call(logs.GET, "GET", "/api/v1/audit/logs", { token })],
      ["get", "/api/v1/audit/logs/{id}", await call(logById.GET, "GET", "/api/v1/audit/logs/ev-1", { token, params: { id: "ev-1" } })],
      ["post", "/api/v1/audit/verify", await call(verify.POST, "POST", "/api/v1/audit/verify", { token, body: {} })],
      ["get", "/api/v1/admin/orgs", await call(orgs.GET, "GET", "/api/v1/admin/orgs", { token: ROOT_TOKEN })],
      ["get", "/api/v1/admin/tokens", await call(tokens.GET, "GET", "/api/v1/admin/tokens?org=openapi-acme", { token: ROOT_TOKEN })],
      ["get", "/api/health", await call(health.GET, "GET", "/api/health")],
      ["get", "/api/openapi.json", await call(openapi.GET, "GET", "/api/openapi.json")],
    ];
    for (const [method, path, r] of answers) {
      expect(r.status, `${method} ${path}`).toBe(200);
      conforms(method, path, 200, r.body);
    }
    expect(answers[0]![2].headers.get("link")).not.toBeNull();
    expect(answers[2]![2].body.metadata.links.next).toBeDefined();
    expect(answers[3]![2].body.data.results).toHaveLength(1);

    const org = await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "openapi-second", name: "Second" } });
    conforms("post", "/api/v1/admin/orgs", 201, org.body);
    const t = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org: "openapi-second", name: "x", scopes: ["audit:read"], expires_in_days: 3 } });
    conforms("post", "/api/v1/admin/tokens", 201, t.body);
    const revoked = await call(tokenById.DELETE, "DELETE", `/api/v1/admin/tokens/${t.body.id}`, { token: ROOT_TOKEN, params: { id: t.body.id } });
    conforms("delete", "/api/v1/admin/tokens/{id}", 200, revoked.body);
  });

  it("error answers conform to the one documented error body", async () => {
    const errors: [string, string, number, Awaited<ReturnType<typeof call>>][] = [
      ["get", "/v1/audit_logs", 400, await call(amp.GET, "GET", "/v1/audit_logs?limit=abc", { token })],
      ["get", "/v1/audit_logs", 401, await call(amp.GET, "GET", "/v1/audit_logs")],
      ["get", "/audit-logs/{id}", 404, await call(appsecOne.GET, "GET", "/audit-logs/nope", { token, params: { id: "nope" } })],
      ["get", "/api/v1/audit/search", 403, await call(search.GET, "GET", "/api/v1/audit/search?q=x", { token: ROOT_TOKEN })],
      ["post", "/api/v1/audit/logs", 422, await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: { action: "x" } })],
    ];
    for (const [method, path, status, r] of errors) {
      expect(r.status).toBe(status);
      conforms(method, path, status, r.body);
    }
  });

  it("a response that breaks the schema is caught (the check can fail)", () => {
    const validate = ajv.getSchema("https://audit-trail.local/openapi.json#/components/schemas/AmpListAuditLogsResponse200")!;
    expect(validate({ version: "v1.2.0", metadata: { links: { self: "x" }, results: { total: 0, current_item_count: 0, index: 0, items_per_page: 5 } }, data: [] })).toBe(true);
    expect(validate({ version: "v1.2.0", metadata: { links: {}, results: { total: 0, current_item_count: 0, index: 0, items_per_page: 5 } }, data: [] })).toBe(false);
    expect(validate({ version: "v1.2.0", metadata: { links: { self: "x" }, results: { total: 0, current_item_count: 0, index: 0, items_per_page: 5 } }, data: [{ event: "x" }] })).toBe(false);
  });
});
